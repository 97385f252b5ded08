"""`gatehouse`: the operator's console command (import, export, the audit log, the super, apps, users).

It works through the layer's own services, so every uniqueness claim, counter and audit rule
holds as it does for a request. The layer is imported only after the target is chosen (it
reads its table, region and endpoint from the environment when it is imported).
"""

from __future__ import annotations

import csv
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from gatehouse_cli.readers import SourceError
from gatehouse_cli.target import UNUSED_SECRET_ARN, TargetError, configure

if TYPE_CHECKING:
    from gatehouse.security.signing_key import KeyRing, KeySource

app = typer.Typer(
    name="gatehouse",
    help="Gatehouse admin: import from the original systems, export, audit log, super, apps, users, directory index.",
    no_args_is_help=True,
    add_completion=False,
)
audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)
apps_app = typer.Typer(help="Goncord apps (surface E): create, list, rotate a token.", no_args_is_help=True)
users_app = typer.Typer(help="One user: show, deactivate, send a password reset link.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
app.add_typer(apps_app, name="apps")
keys_app = typer.Typer(
    help="The JWT signing keys: rotate without signing anyone out, later drop the previous key.",
    no_args_is_help=True,
)
app.add_typer(users_app, name="users")
app.add_typer(keys_app, name="keys")
directory_app = typer.Typer(help="C's directory index (page blocks, search tokens).", no_args_is_help=True)
app.add_typer(directory_app, name="directory")

err = Console(stderr=True, soft_wrap=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(code)


@app.callback()
def target(
    table: Annotated[
        str | None, typer.Option(help="A deployed table's name (stack output TableName).")
    ] = None,
    region: Annotated[str | None, typer.Option(help="The deployed table's AWS region.")] = None,
    endpoint_url: Annotated[str | None, typer.Option(help="A DynamoDB endpoint (DynamoDB Local).")] = None,
    local: Annotated[
        bool, typer.Option("--local", help="The running local run's store (`make start`); the default.")
    ] = False,
    state_dir: Annotated[Path | None, typer.Option(help="The local run's state directory (.local/).")] = None,
) -> None:
    """Choose the table: --table NAME --region R (deployed), else --local (the default)."""
    try:
        chosen = configure(
            table=table, region=region, endpoint_url=endpoint_url, local=local, state_dir=state_dir
        )
    except TargetError as error:
        raise fail(str(error), 2) from None
    err.print(f"[dim]target: {chosen.description}[/dim]", highlight=False)


# ---- import ----


@app.command("import")
def import_command(
    source: Annotated[str, typer.Argument(help="A, B, C, D or E: which original the files come from.")],
    files: Annotated[list[Path], typer.Argument(help="The source's export files (see examples/import/).")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report what would happen; write nothing.")
    ] = False,
    encoding: Annotated[
        str | None, typer.Option(help="The files' encoding (default UTF-8), e.g. cp1251.")
    ] = None,
    report: Annotated[Path | None, typer.Option(help="The report CSV (default import-report-…csv).")] = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Parallel writers.")] = 8,
    chunk_size: Annotated[int, typer.Option(min=1, max=1000, help="Rows per batch.")] = 100,
) -> None:
    """Load users (and what they refer to) from an original system's export. Idempotent: a re-run
    skips rows already imported, so an interrupted import resumes by running it again."""
    from gatehouse_cli import importer, sources

    try:
        loaded = sources.load(source, files, encoding)
    except SourceError as error:
        raise fail(f"{error} (nothing was written)", 2) from None
    for name in loaded.ignored_files:
        err.print(f"[yellow]ignored {name}: not a table of source {loaded.source}[/yellow]")
    summary = importer.run(loaded, dry_run=dry_run, workers=workers, chunk_size=chunk_size, console=err)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = report or Path(f"import-report-{loaded.source}-{stamp}.csv")
    importer.write_report(summary, path)
    table = Table(title=f"import {loaded.source}{' (dry run: nothing written)' if dry_run else ''}")
    table.add_column("outcome")
    table.add_column("rows", justify="right")
    for outcome, count in sorted(summary.counts.items()):
        table.add_row(outcome, str(count))
    err.print(table)
    err.print(f"{summary.rows_per_second():.0f} users/s; report: {path}", highlight=False)
    if summary.interrupted:
        raise fail("interrupted: run the same command again to resume (done rows are skipped)", 130)


# ---- directory ----


@directory_app.command("reindex")
def directory_reindex() -> None:
    """Recompute C's directory index (search tokens, page blocks, users counts) from the users:
    run once after upgrading from a version without it. Idempotent: a re-run writes nothing new,
    and an interrupted run resumes by running it again."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from gatehouse_cli import reindex

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=False) as progress:
        scanning = progress.add_task("scan: items read", total=None)
        writing = progress.add_task("write: changes", total=None, start=False)

        def planned(count: int) -> None:
            progress.update(scanning, total=progress.tasks[scanning].completed)
            progress.start_task(writing)
            progress.update(writing, total=count)

        try:
            summary = reindex.run(
                on_scanned=lambda n: progress.advance(scanning, n),
                on_planned=planned,
                on_written=lambda _: progress.advance(writing),
            )
        except KeyboardInterrupt:
            raise fail("interrupted: run `gatehouse directory reindex` again to finish", 130) from None
    table = Table(title="directory reindex")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("items scanned", str(summary.scanned))
    table.add_row("users indexed", str(summary.users))
    for kind in reindex.KINDS:
        table.add_row(f"{kind} (writes)", str(summary.writes[kind]))
    err.print(table)
    err.print("already up to date" if not summary.written else f"{summary.written} writes", highlight=False)


# ---- export ----


@app.command("export")
def export_command(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="The JSONL file (default stdout).")
    ] = None,
    with_hashes: Annotated[
        bool, typer.Option("--with-hashes", help="Include password hashes (a migration out).")
    ] = False,
) -> None:
    """Every user as one JSON object a line, without secrets (hashes only with --with-hashes)."""
    from gatehouse.services import directory_export

    count = 0
    with _out(output) as out:
        for record in directory_export.all_users(with_hashes=with_hashes):
            out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
    err.print(f"{count} users exported{' with password hashes' if with_hashes else ''}")


class _out:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.handle: Any = None

    def __enter__(self) -> Any:
        self.handle = self.path.open("w", encoding="utf-8", newline="") if self.path else sys.stdout
        return self.handle

    def __exit__(self, *exc: object) -> None:
        if self.path:
            self.handle.close()
        else:
            self.handle.flush()


AUDIT_COLUMNS = (
    "at", "event_id", "action", "outcome", "actor_id", "group_id", "target_type", "target_id",
    "ip", "user_agent", "device_id", "details",
)  # fmt: skip


@audit_app.command("export")
def audit_export(
    since: Annotated[str, typer.Option(help="From this day or instant (2026-01-01, 2026-01-01T10:00).")],
    until: Annotated[
        str | None, typer.Option(help="Up to this day or instant, inclusive (default now).")
    ] = None,
    format: Annotated[str, typer.Option("--format", help="csv or jsonl.")] = "jsonl",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="The file (default stdout).")] = None,
) -> None:
    """The audit log between two instants, oldest first."""
    from gatehouse.errors import ValidationFailed
    from gatehouse.services import users_admin_logs

    if format not in ("csv", "jsonl"):
        raise fail("--format is csv or jsonl", 2)
    try:
        start = users_admin_logs.moment_prefix("since", since)
        end = users_admin_logs.moment_prefix("until", until) if until else datetime.now(UTC).isoformat()[:26]
    except ValidationFailed:
        raise fail("--since/--until: a day (2026-01-31) or an instant (2026-01-31T18:35:12)", 2) from None
    if end < start:
        raise fail("--until is before --since", 2)
    count = 0
    with _out(output) as out:
        writer = csv.writer(out) if format == "csv" else None
        if writer is not None:
            writer.writerow(AUDIT_COLUMNS)
        for event in users_admin_logs.export(start, end):
            record = {name: getattr(event, name) for name in AUDIT_COLUMNS}
            if writer is not None:
                record["details"] = (
                    json.dumps(record["details"], ensure_ascii=False) if record["details"] else ""
                )
                writer.writerow(["" if record[name] is None else record[name] for name in AUDIT_COLUMNS])
            else:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    err.print(f"{count} events")


@audit_app.command("reshard")
def audit_reshard(
    every: Annotated[int, typer.Option(help="Report progress every this many events.")] = 1000,
) -> None:
    """Move audit events written before sharding (GSI1 `AUDIT#{month}`) to their shard key
    (`AUDIT#SHARD#{nn}`), where the log and the export read them. A Scan of the table: run it
    once after upgrading; running it again changes nothing."""
    from gatehouse.data import audit as audit_store

    seen = moved = skipped = 0
    for event in audit_store.legacy_events():
        seen += 1
        if audit_store.reshard(event):
            moved += 1
        else:
            skipped += 1
        if every > 0 and seen % every == 0:
            err.print(f"{seen} events found, {moved} moved", highlight=False)
    err.print(
        f"{moved} events moved to their shard key, {skipped} already moved or gone ({seen} found)",
        highlight=False,
    )


# ---- the super ----


@app.command("bootstrap-super")
def bootstrap_super(
    email: Annotated[str, typer.Option(help="The super's address: an existing user is promoted.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read a new user's password from stdin (no prompt).")
    ] = False,
) -> None:
    """Create or promote the single super (refused when someone else is super already)."""
    from gatehouse.data import users
    from gatehouse.errors import Conflict, GatehouseError
    from gatehouse.services import accounts, audit
    from gatehouse.services.identity import canonical
    from gatehouse.services.imports import OPERATOR

    user = users.find_by("email", canonical(email))
    created = False
    if user is None:
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = typer.prompt("password for the new super", hide_input=True, confirmation_prompt=True)
        try:
            user = accounts.register(email=email, password=_checked_password(password))
        except GatehouseError as error:
            raise fail(f"cannot create {email}: {_describe(error)}") from None
        created = True
    try:
        accounts.make_super(user)
    except Conflict:
        owner = users.owner_of(*users.SUPER_ROLE_CLAIM)
        raise fail(f"user {owner} is the super already; there is only one") from None
    audit.record(
        "user.role", client=OPERATOR, target_type="user", target_id=user.id, details={"role": "super"}
    )
    err.print(f"user {user.id} <{user.email}> is the super{' (created)' if created else ''}", highlight=False)


def _checked_password(password: str) -> str:
    from gatehouse.validation import PASSWORD_MAX_LENGTH

    if not 8 <= len(password) <= PASSWORD_MAX_LENGTH or "\x00" in password:
        raise fail(f"the password must have 8 to {PASSWORD_MAX_LENGTH} characters", 2)
    return password


def _describe(error: Exception) -> str:
    violations = getattr(error, "violations", None)
    if violations:
        return ", ".join(f"{v.field}: {v.rule}" for v in violations)
    return type(error).__name__


def _the_super() -> Any:
    from gatehouse.data import users

    owner = users.owner_of(*users.SUPER_ROLE_CLAIM)
    user = users.get(owner) if owner is not None else None
    if user is None:
        raise fail("no super yet: run `gatehouse bootstrap-super --email …` first")
    return user


# ---- apps ----


@apps_app.command("create")
def apps_create(
    name: Annotated[str, typer.Option(help="The app's name.")],
    url: Annotated[str, typer.Option(help="The app's url (identifies its payloads on users).")],
    super_app: Annotated[bool, typer.Option("--super", help="May edit users (x-app-token).")] = False,
    role: Annotated[list[str] | None, typer.Option(help="A role whose users see it (repeatable).")] = None,
) -> None:
    """Create an app as the super; its token is printed once, here, and stored only as a hash."""
    from gatehouse.contracts.goncord import NewApp
    from gatehouse.errors import GatehouseError
    from gatehouse.services import apps, caller
    from gatehouse.services.imports import OPERATOR

    try:
        with caller.bound(OPERATOR):
            request = NewApp.parse({"name": name, "url": url, "is_super": super_app, "roles": role or []})
            created, token = apps.create(_the_super(), request)
    except GatehouseError as error:
        raise fail(f"cannot create the app: {_describe(error)}") from None
    err.print(f"app {created.id} {created.name} ({created.url}); its token, shown only now:")
    print(token)


@apps_app.command("list")
def apps_list() -> None:
    """Every app (never a token)."""
    from gatehouse.services import apps

    table = Table("id", "name", "url", "super", "roles")
    for item in apps.listing(_the_super()):
        table.add_row(
            str(item.id),
            item.name,
            item.url,
            "yes" if item.is_super else "",
            ", ".join(str(name) for name in item.roles or []),
        )
    Console().print(table)


@apps_app.command("rotate")
def apps_rotate(app_id: Annotated[int, typer.Argument(help="The app's id.")]) -> None:
    """A new token for the app; the old one stops working at once. Printed once."""
    from gatehouse.errors import GatehouseError
    from gatehouse.services import apps, caller
    from gatehouse.services.imports import OPERATOR

    try:
        with caller.bound(OPERATOR):
            rotated, token = apps.rotate_token(_the_super(), app_id)
    except GatehouseError as error:
        raise fail(f"cannot rotate app {app_id}: {_describe(error)}") from None
    err.print(f"app {rotated.id} {rotated.name}: new token, shown only now (the old one no longer works):")
    print(token)


# ---- users ----


def _find(identifier: str) -> Any:
    from gatehouse.data import users
    from gatehouse.services.identity import canonical, identifier_kind

    user = (
        users.get(int(identifier))
        if identifier.isdigit()
        else users.find_by(identifier_kind(identifier), canonical(identifier))
    )
    if user is None:
        raise fail(f"no user {identifier}")
    return user


@users_app.command("show")
def users_show(identifier: Annotated[str, typer.Argument(help="An id, an email or a login.")]) -> None:
    """The user's stored fields, without secrets."""
    from gatehouse.services import directory_export

    print(
        json.dumps(
            directory_export.user_record(_find(identifier)), ensure_ascii=False, indent=2, sort_keys=True
        )
    )


@users_app.command("deactivate")
def users_deactivate(identifier: Annotated[str, typer.Argument(help="An id, an email or a login.")]) -> None:
    """The user can no longer sign in, and every token of theirs stops working."""
    from gatehouse.services import accounts, audit
    from gatehouse.services.imports import OPERATOR

    user = _find(identifier)
    if user.role == "super":
        raise fail("the super cannot be deactivated")
    accounts.set_active(user, False)
    audit.record("user.deactivate", client=OPERATOR, target_type="user", target_id=user.id)
    err.print(f"user {user.id} deactivated; their sessions ended")


@users_app.command("reset-password")
def users_reset_password(
    identifier: Annotated[str, typer.Argument(help="An id, an email or a login.")],
    base_url: Annotated[
        str | None, typer.Option(help="The API's base URL for the link (default PUBLIC_BASE_URL).")
    ] = None,
    surface: Annotated[
        str, typer.Option(help="Whose language the mail speaks: a or e Russian, b Chinese, c or d English.")
    ] = "d",
) -> None:
    """Mail the user a single-use password reset link (the users imported without a usable password need one)."""
    from gatehouse.services import audit, password_reset
    from gatehouse.services.imports import OPERATOR
    from gatehouse.services.mail import SURFACES, MailContext
    from gatehouse.settings import get_settings

    if surface not in SURFACES:
        raise fail(f"--surface must be one of {', '.join(sorted(SURFACES))}", 2)
    user = _find(identifier)
    settings = get_settings()
    link_base = base_url or settings.public_base_url
    if not link_base and not settings.reset_url_template:
        raise fail("no base URL for the link: pass --base-url https://…", 2)
    # Queued in the outbox like any reset mail: the mailer sends it (deployed: from the stream).
    if password_reset.send_reset_link(user.email, MailContext(surface, link_base or "")) is None:
        raise fail(f"user {user.id} is deactivated: no link sent")
    audit.record("password.reset_link", client=OPERATOR, target_type="user", target_id=user.id)
    err.print(f"a reset link was queued for user {user.id}")


# ---- keys ----


def _key_source(secret_arn: str | None) -> KeySource:
    from gatehouse.security import signing_key
    from gatehouse.settings import get_settings

    if secret_arn:
        return signing_key.SecretsManagerSource(secret_arn, get_settings().aws_region)
    if get_settings().jwt_secret_arn == UNUSED_SECRET_ARN:
        raise fail("a deployed stack's signing key: pass --secret-arn (stack output JwtSigningSecretArn)", 2)
    return signing_key.configured_source()


SecretArnOption = Annotated[
    str | None,
    typer.Option(help="A deployed stack's signing-key secret (stack output JwtSigningSecretArn)."),
]


@keys_app.command("rotate")
def keys_rotate(secret_arn: SecretArnOption = None) -> None:
    """A new current signing key; tokens signed with the old one stay valid (it becomes the
    previous key) until `gatehouse keys drop-previous`."""
    from gatehouse.security import signing_key
    from gatehouse.settings import ConfigurationError

    try:
        ring = signing_key.rotate_signing_key(_key_source(secret_arn))
    except ConfigurationError as error:
        raise fail(str(error), 2) from None
    _print_key_ids(ring)


@keys_app.command("drop-previous")
def keys_drop_previous(secret_arn: SecretArnOption = None) -> None:
    """Forget the previous signing key: the tokens it signed are refused from now on."""
    from gatehouse.security import signing_key
    from gatehouse.settings import ConfigurationError

    try:
        ring = signing_key.drop_previous_signing_key(_key_source(secret_arn))
    except ConfigurationError as error:
        raise fail(str(error), 2) from None
    _print_key_ids(ring)


def _print_key_ids(ring: KeyRing) -> None:
    """Key ids only: a key itself is never printed."""
    previous = ring.previous.kid if ring.previous else "none"
    typer.echo(f"signing keys: current {ring.current.kid}, previous {previous}")


def main() -> None:
    app()
