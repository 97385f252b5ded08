"""Loading people from the five original systems (operator tooling: `gatehouse import`).

Rules:
- A row becomes a user with the same uniqueness claims (email, login) a sign-up makes, in one
  transaction with the row's marker `IMPORT#{source}#{original id}`: a re-run or a resumed run
  skips rows already done, and a failed row leaves nothing behind.
- Ids: the original integer id is kept when the surface shows one and it is free (the user
  counter is first advanced past the highest kept id, so sign-ups never collide with it);
  when it belongs to someone else, the user gets the next id and the marker records the
  mapping. A's users keep their 24-hex `_id`s: the user gets the next integer id (for the other
  surfaces) and `a_object_id` = the `_id`, claimed as `UNIQUE#a_id#{_id}` in the same
  transaction, so A shows and accepts the `_id` (found with one GetItem); natively created
  users still show the hex of their integer id.
- Merge rule (same email, e.g. in two sources): the first import wins the identity (id, login,
  names, password). A later row adds only what the user does not have yet: empty profile
  fields, group, organization membership, app roles and payloads (existing keys win), a
  higher role (never super), and its password hash when the user has no usable one.
- Passwords: bcrypt (`$2y$`, `$2b$`, `$2a$`) and argon2 hashes are stored as they are and
  rehashed to argon2id at the next sign-in. Anything else (another scheme, plaintext) is never
  stored: the user is imported without a usable password and flagged for a reset.
- Nobody becomes super by import: a super in the source is imported as admin
  (`gatehouse bootstrap-super` names the single super).
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pynamodb.exceptions import PutError

from gatehouse import object_ids
from gatehouse.clock import iso, now
from gatehouse.contracts.users_admin import MAX_GROUP_LEVEL
from gatehouse.data import apps as app_store
from gatehouse.data import counters, imports, org, users
from gatehouse.data import demands as demand_store
from gatehouse.data import groups as group_store
from gatehouse.data import user_meta as meta_store
from gatehouse.data.directory import MAX_TOKENS
from gatehouse.data.models import UserItem
from gatehouse.security.passwords import hash_password, is_supported_hash
from gatehouse.services import apps as app_service
from gatehouse.services import audit, permissions
from gatehouse.services import groups as group_rules
from gatehouse.services.accounts import derived_logins
from gatehouse.services.caller import ClientInfo
from gatehouse.services.identity import canonical

USER_COUNTER = "user"
MERGEABLE_FIELDS = (
    "first_name",
    "last_name",
    "middle_name",
    "phone",
    "telegram",
    "viber",
    "userpic",
    "sex",
    "age",
    "birthday",
    "group_id",
    "position_title",
    "profile",
)
OPERATOR = ClientInfo(user_agent="gatehouse-cli", request_id="gatehouse-cli")


@dataclass
class ImportRow:
    """One person from a source file, in Gatehouse's terms."""

    source: str
    original_id: str
    email: str
    password_hash: str | None = None
    kept_id: int | None = None
    login: str | None = None
    role: str = "user"
    attributes: dict[str, Any] = field(default_factory=dict)
    membership: org.Membership | None = None
    created_at: str | None = None
    # Where the row came from, for the report.
    file: str = ""
    line: int = 0


@dataclass
class RowResult:
    row: ImportRow
    # created, merged, skipped, rejected; with --dry-run: would create, would merge
    outcome: str
    user_id: int | None = None
    notes: list[str] = field(default_factory=list)


class RowRefused(Exception):
    """The row cannot be imported (the reason goes into the report)."""


def usable_hash(value: str | None) -> str | None:
    """The hash to store, or None when it is of a scheme Gatehouse cannot verify."""
    if not value or not is_supported_hash(value):
        return None
    return value


def unusable_hash() -> str:
    """Stored instead of a hash Gatehouse cannot check: argon2id of a random secret nobody has,
    so no password matches and a sign-in attempt costs what any other does."""
    return hash_password(secrets.token_urlsafe(32))


def import_chunk(rows: Sequence[ImportRow], *, dry_run: bool = False) -> list[RowResult]:
    """Import rows of one source (at most a few hundred): two BatchGetItems for the whole
    chunk; new users without a membership go 20 to a transaction (`_create_many`), the others
    one transaction per row (plus one per id or login taken by someone else).

    Rows must be distinct by original id and by email (`distinct_rows`)."""
    if not rows:
        return []
    source = rows[0].source
    done = imports.markers(source, [row.original_id for row in rows])
    owners = imports.owners("email", [canonical(row.email) for row in rows])
    results: list[RowResult] = []
    batched: list[ImportRow] = []
    for row in rows:
        marker = done.get(row.original_id)
        if marker is not None:
            results.append(
                RowResult(row, "skipped", marker.user_id, [f"already imported ({marker.outcome})"])
            )
            continue
        owner = owners.get(canonical(row.email))
        if owner is None and not dry_run and row.membership is None:
            batched.append(row)
            continue
        results.append(_one_row(row, owner, dry_run))
    results.extend(_create_many(batched))
    if not dry_run:
        imports.count_users([r.user_id for r in results if r.outcome == "created" and r.user_id is not None])
    return results


def distinct_rows(rows: Sequence[ImportRow]) -> tuple[list[ImportRow], list[RowResult]]:
    """The rows to import, and the later duplicates (same original id, or same email in one
    source) as rejected results."""
    seen_ids: dict[str, ImportRow] = {}
    seen_emails: dict[str, ImportRow] = {}
    kept: list[ImportRow] = []
    rejected: list[RowResult] = []
    for row in rows:
        email = canonical(row.email)
        first = seen_ids.get(row.original_id) or seen_emails.get(email)
        if first is not None:
            reason = (
                f"duplicate of line {first.line}"
                if first.original_id == row.original_id
                else f"same email as line {first.line}"
            )
            rejected.append(RowResult(row, "rejected", None, [reason]))
            continue
        seen_ids[row.original_id] = row
        seen_emails[email] = row
        kept.append(row)
    return kept, rejected


def reserve_ids(rows: Sequence[ImportRow]) -> None:
    """Advance the user counter past the highest kept id before any row is written, so a
    concurrent sign-up never draws an id an imported user is about to take."""
    highest = max((row.kept_id for row in rows if row.kept_id is not None), default=None)
    if highest is not None:
        counters.advance(USER_COUNTER, highest)


def reserve_counter(name: str, highest: int | None) -> None:
    if highest is not None:
        counters.advance(name, highest)


def record_run(source: str, counts: Mapping[str, int]) -> None:
    """One audit event per import run (never one per row: the log would double the cost)."""
    audit.record(
        "import.run",
        client=OPERATOR,
        target_type="import",
        target_id=source,
        details={name.replace(" ", "_"): value for name, value in counts.items()},
    )


def _one_row(row: ImportRow, owner: int | None, dry_run: bool) -> RowResult:
    try:
        return _merge(row, owner, dry_run) if owner is not None else _create(row, dry_run)
    except RowRefused as refused:
        return RowResult(row, "rejected", None, [str(refused)])


# Users per transaction: each is at most 5 items (user, email, login, marker, A's `_id`) and
# twice its search tokens (a posting and a head each; gatehouse.data.directory).
USERS_PER_TRANSACTION = imports.TRANSACTION_ITEMS // (5 + 2 * MAX_TOKENS)


def _create_many(rows: Sequence[ImportRow]) -> list[RowResult]:
    """New users without a membership (no shared count moves), USERS_PER_TRANSACTION to a
    transaction: one round trip instead of 20. A transaction that fails writes nothing, and
    its rows then go one by one (`_create`, which resolves each conflict); the ids drawn for
    them are left unused."""
    results: list[RowResult] = []
    for start in range(0, len(rows), USERS_PER_TRANSACTION):
        group = rows[start : start + USERS_PER_TRANSACTION]
        fresh = sum(1 for row in group if row.kept_id is None)
        drawn = iter(counters.next_ids(USER_COUNTER, fresh) if fresh else range(0))
        stamp = iso(now())
        planned: list[
            tuple[ImportRow, UserItem, list[tuple[str, str]], imports.ImportMarkerItem, list[str]]
        ] = []
        for row in group:
            notes: list[str] = []
            password_hash, role, kept_object_id = _plan(row, notes)
            user_id = row.kept_id if row.kept_id is not None else next(drawn)
            login = row.login or next(iter(derived_logins(row.email, user_id)))
            user, claims = _user_and_claims(row, user_id, login, role, password_hash, kept_object_id, stamp)
            if password_hash is None:
                notes.append("needs a password reset (gatehouse users reset-password)")
            marker = imports.new_marker(row.source, row.original_id, user_id, "created", stamp)
            planned.append((row, user, claims, marker, notes))
        if imports.create_users([(user, claims, marker) for _, user, claims, marker, _ in planned]):
            results.extend(RowResult(row, "created", user.id, notes) for row, user, _, _, notes in planned)
        else:
            results.extend(_one_row(row, None, False) for row in group)
    return results


def _plan(row: ImportRow, notes: list[str]) -> tuple[str | None, str, str | None]:
    """The hash to store (None: unknown scheme), the role and the `_id` kept on A."""
    password_hash = usable_hash(row.password_hash)
    if password_hash is None:
        notes.append("password of an unknown scheme: imported without one, flagged for reset")
    role = _importable_role(row.role, notes)
    kept_object_id = _kept_object_id(row)
    if kept_object_id is None and row.kept_id is None and row.source == "A":
        notes.append(f"_id {row.original_id} maps to the new id")
    return password_hash, role, kept_object_id


def _user_and_claims(
    row: ImportRow,
    user_id: int,
    login: str,
    role: str,
    password_hash: str | None,
    kept_object_id: str | None,
    stamp: str,
) -> tuple[UserItem, list[tuple[str, str]]]:
    user = _new_user(row, user_id, login, role, password_hash, stamp)
    user.a_object_id = kept_object_id
    claims = [("email", canonical(row.email)), ("login", canonical(login))]
    if kept_object_id is not None:
        claims.append((object_ids.KEPT_ID_CLAIM, kept_object_id))
    return user, claims


def _create(row: ImportRow, dry_run: bool) -> RowResult:
    notes: list[str] = []
    password_hash, role, kept_object_id = _plan(row, notes)
    if dry_run:
        return _would_create(row, kept_object_id, notes)
    user_id = row.kept_id if row.kept_id is not None else counters.next_id(USER_COUNTER)
    stamp = iso(now())
    # The source's login first, then the candidates a sign-up without one would get.
    candidates = itertools.chain([row.login] if row.login else [], derived_logins(row.email, user_id))
    login = next(candidates)
    # Bounded: one transaction per taken login candidate and one per taken id.
    for _ in range(8):
        user, claims = _user_and_claims(row, user_id, login, role, password_hash, kept_object_id, stamp)
        marker = imports.new_marker(row.source, row.original_id, user_id, "created", stamp)
        try:
            imports.create_user(user, claims, marker)
        except imports.RowTaken as taken:
            settled = _settled_by_owner(row, taken, kept_object_id)
            if settled is not None:
                return settled
            if "user" in taken.kinds:
                notes.append(f"id {user_id} is taken: a new id was given")
                user_id = counters.next_id(USER_COUNTER)
            if "login" in taken.kinds:
                login = _next_login(row, login, candidates, notes)
            continue
        if password_hash is None:
            notes.append("needs a password reset (gatehouse users reset-password)")
        return RowResult(row, "created", user_id, notes)
    raise RowRefused("gave up after repeated conflicts")


def _would_create(row: ImportRow, kept_object_id: str | None, notes: list[str]) -> RowResult:
    """A dry run's answer: it reads whether the id and the `_id` are free (a real run lets the
    transaction's conditions tell)."""
    user_id = row.kept_id
    if user_id is not None and users.get(user_id) is not None:
        notes.append(f"id {user_id} is taken: a new id would be given")
        user_id = None
    if kept_object_id is not None:
        holder = users.owner_of(object_ids.KEPT_ID_CLAIM, kept_object_id)
        if holder is not None:
            raise RowRefused(f"_id {kept_object_id} is kept by user {holder}")
    return RowResult(row, "would create", user_id, notes)


def _settled_by_owner(
    row: ImportRow, taken: imports.RowTaken, kept_object_id: str | None
) -> RowResult | None:
    """The row's outcome when what was taken ends it (imported meanwhile, merged into the email's
    owner, refused); None when another id or login may still succeed."""
    if "marker" in taken.kinds:
        return RowResult(row, "skipped", None, ["imported meanwhile by another run"])
    if "email" in taken.kinds:
        owner = users.owner_of("email", canonical(row.email))
        if owner is None:
            raise RowRefused("the email was claimed and released meanwhile") from None
        return _merge(row, owner, dry_run=False)
    if object_ids.KEPT_ID_CLAIM in taken.kinds:
        holder = users.owner_of(object_ids.KEPT_ID_CLAIM, str(kept_object_id))
        raise RowRefused(f"_id {kept_object_id} is kept by user {holder}") from None
    missing = taken.kinds & {"organization", "department", "position"}
    if missing:
        raise RowRefused(f"unknown {', '.join(sorted(missing))}") from None
    return None


def _next_login(row: ImportRow, login: str, candidates: Iterator[str], notes: list[str]) -> str:
    following = next(candidates, None)
    if following is None:
        raise RowRefused("no free login") from None
    if row.login and login == row.login:
        notes.append(f"login {row.login!r} is taken: {following!r} given")
    return following


def _new_user(
    row: ImportRow, user_id: int, login: str, role: str, password_hash: str | None, stamp: str
) -> UserItem:
    attributes = {name: value for name, value in row.attributes.items() if value is not None}
    user = UserItem.new(
        user_id,
        email=row.email,
        login=login,
        password_hash=password_hash or unusable_hash(),
        needs_password_reset=True if password_hash is None else None,
        role=role,
        created_at=row.created_at or stamp,
        updated_at=row.created_at or stamp,
        **attributes,
    )
    if row.membership is not None:
        org.assign_membership(user, row.membership)
    return user


def _merge(row: ImportRow, owner_id: int, dry_run: bool) -> RowResult:
    user = users.get(owner_id)
    if user is None:
        raise RowRefused("the user owning this email was removed meanwhile")
    notes = [f"same email as user {owner_id}: merged into it"]
    changes = _merged_profile(row, user)
    changes.update(_merged_credentials(row, user, notes))
    _note_kept_identifiers(row, user, notes)
    claims: list[tuple[str, str]] = []
    kept_object_id = _kept_object_id(row)
    if kept_object_id is not None and user.a_object_id is None:
        changes["a_object_id"] = kept_object_id
        claims.append((object_ids.KEPT_ID_CLAIM, kept_object_id))
        notes.append(f"keeps _id {kept_object_id} on A")
    elif kept_object_id is not None and kept_object_id != user.a_object_id:
        notes.append(f"_id {kept_object_id} maps to user {owner_id} (who keeps _id {user.a_object_id})")
    if dry_run:
        return RowResult(row, "would merge", owner_id, notes)
    if changes:
        changes["updated_at"] = iso(now())
    marker = imports.new_marker(row.source, row.original_id, owner_id, "merged", iso(now()))
    try:
        imports.attach(user, changes, marker, claims)
    except imports.RowTaken as taken:
        if "marker" in taken.kinds:
            return RowResult(row, "skipped", owner_id, ["imported meanwhile by another run"])
        if object_ids.KEPT_ID_CLAIM in taken.kinds:
            raise RowRefused(f"_id {kept_object_id} is kept by another user") from None
        raise RowRefused("the user changed meanwhile") from None
    _merge_membership(row, user, notes)
    return RowResult(row, "merged", owner_id, notes)


def _merged_profile(row: ImportRow, user: UserItem) -> dict[str, Any]:
    """What the row adds to the existing user's profile: fields the user has empty, the union of
    app roles, the app payloads the user lacks."""
    changes: dict[str, Any] = {}
    for name in MERGEABLE_FIELDS:
        value = row.attributes.get(name)
        if value is not None and getattr(user, name) in (None, ""):
            changes[name] = value
    roles = row.attributes.get("app_roles")
    union = list(dict.fromkeys([*(user.app_roles or []), *(roles or [])]))
    if roles and union != (user.app_roles or []):
        changes["app_roles"] = union
    payloads = row.attributes.get("app_data")
    merged = {**(payloads or {}), **(user.app_data or {})}
    if payloads and merged != (user.app_data or {}):
        changes["app_data"] = merged
    return changes


def _merged_credentials(row: ImportRow, user: UserItem, notes: list[str]) -> dict[str, Any]:
    """A higher role (never over the super), and the row's password if the user has none."""
    changes: dict[str, Any] = {}
    role = _importable_role(row.role, notes)
    if user.role != "super" and permissions.rank(role) > permissions.rank(user.role):
        changes["role"] = role
    incoming_hash = usable_hash(row.password_hash)
    if user.needs_password_reset and incoming_hash is not None:
        changes["password_hash"] = incoming_hash
        changes["needs_password_reset"] = None
        notes.append("took this row's password (the user had none)")
    return changes


def _note_kept_identifiers(row: ImportRow, user: UserItem, notes: list[str]) -> None:
    if row.login and canonical(row.login) != canonical(user.login or ""):
        notes.append(f"kept login {user.login!r} (this row's is {row.login!r})")
    if row.kept_id is not None and row.kept_id != user.id:
        notes.append(f"original id {row.kept_id} maps to {user.id}")


def _merge_membership(row: ImportRow, user: UserItem, notes: list[str]) -> None:
    if row.membership is None or user.organization_id is not None:
        return
    try:
        org.move_user(user, row.membership, iso(now()))
    except org.ReferenceGone as gone:
        notes.append(f"membership not applied: unknown {', '.join(sorted(gone.labels))}")


def _kept_object_id(row: ImportRow) -> str | None:
    """The `_id` an A row's user keeps on A: a MongoDB ObjectId (24 hex digits, not in the form
    of our own integer ids); None for other sources and other ids (those are only mapped)."""
    if row.source != "A":
        return None
    value = object_ids.normalized(row.original_id)
    return value if value is not None and object_ids.is_kept_object_id(value) else None


def _importable_role(role: str, notes: list[str]) -> str:
    if role == "super":
        notes.append("super in the source: imported as admin (gatehouse bootstrap-super names the super)")
        return "admin"
    return role if role in permissions.ROLES else "user"


# ---- what users refer to: organizations, departments, positions (C), groups (D), apps (E) ----

COUNTERS = {
    "organization": "organization",
    "department": "department",
    "position": "position",
    "group": "group",
    "app": "app",
}


def import_prerequisite(
    kind: str, item_id: int, fields: Mapping[str, Any], *, dry_run: bool
) -> tuple[str, str]:
    """Create one referenced record with its original id: (outcome, note). Existing ids are
    left as they are (a re-run skips them); a record whose parent is unknown is rejected."""
    values = dict(fields)
    stamp = values.pop("created_at", None) or iso(now())
    exists = _existing(kind, item_id)
    if exists is not None:
        return "skipped", f"{kind} {item_id} exists"
    if dry_run:
        return "would create", ""
    try:
        if kind == "organization":
            org.create_organization(item_id, stamp, values)
        elif kind == "department":
            parent = values.pop("organization_id", None)
            if parent is None:
                return "rejected", "department without an organization"
            org.create_department(item_id, stamp, parent, values)
        elif kind == "position":
            org.create_position(org.new_position(item_id, stamp, values))
        elif kind == "group":
            unknown = [p for p in values.get("permissions") or [] if p not in group_rules.CATALOGUE]
            if unknown:
                return (
                    "rejected",
                    f"unknown permissions {', '.join(unknown)} (known: {', '.join(group_rules.CATALOGUE)})",
                )
            if not 0 <= int(values.get("level") or 0) <= MAX_GROUP_LEVEL:
                return "rejected", f"level outside 0..{MAX_GROUP_LEVEL}"
            group_store.put(group_store.new_group(item_id, created_at=stamp, updated_at=stamp, **values))
        else:
            return _import_app(item_id, values, stamp)
    except org.ReferenceGone as gone:
        if gone.labels == {"put"}:
            return "skipped", f"{kind} {item_id} created meanwhile"
        return "rejected", f"unknown {', '.join(sorted(gone.labels))}"
    except PutError:
        return "skipped", f"{kind} {item_id} created meanwhile"
    return "created", ""


def _existing(kind: str, item_id: int) -> object | None:
    if kind == "organization":
        return org.get_organization(item_id)
    if kind == "department":
        return org.get_department(item_id)
    if kind == "position":
        return org.get_position(item_id)
    if kind == "group":
        return group_store.get(item_id)
    return app_store.get(item_id)


def _import_app(app_id: int, values: dict[str, Any], stamp: str) -> tuple[str, str]:
    """A Goncord resource, keeping its id and its token (stored only as the SHA-256, like every app's)."""
    roles = [str(name) for name in values.get("roles") or []]
    app_service.ensure_roles(roles)
    app = app_store.new_app(
        app_id,
        token_hash=app_store.token_digest(str(values["token"])),
        name=values["name"],
        url=values["url"],
        is_super=bool(values.get("is_super")),
        roles=roles,
        created_at=stamp,
        updated_at=stamp,
    )
    try:
        app_store.create(app, app_service.MAX_APPS)
    except app_store.UrlTaken:
        return "rejected", f"another app has the url {values['url']}"
    except app_store.AppLimitReached:
        return "rejected", f"the stack has {app_service.MAX_APPS} apps already"
    return "created", ""


def ensure_app_roles(rows: Sequence[ImportRow]) -> None:
    """E's role names the imported users hold exist as roles (one BatchGetItem per call)."""
    names = list(dict.fromkeys(name for row in rows for name in row.attributes.get("app_roles") or []))
    for start in range(0, len(names), imports.BATCH_SIZE):
        app_service.ensure_roles(names[start : start + imports.BATCH_SIZE])


# ---- A's records that belong to users: user_meta and demands keep their `_id`s ----

USER_RECORD_KINDS = ("user_meta", "demand")


def import_user_records(
    source: str,
    kind: str,
    records: Sequence[tuple[str, Mapping[str, Any], Mapping[str, str]]],
    *,
    dry_run: bool,
) -> list[tuple[str, str, int | None]]:
    """(record `_id`, fields, {field: the original id of a user}) → (outcome, note, first user id)
    for each. The users are found through their rows' import markers (one BatchGetItem per
    100), so the records follow the users wherever their ids went; an existing `_id` is skipped."""
    originals = [original for _, _, refs in records for original in refs.values()]
    done = {oid: marker.user_id for oid, marker in imports.markers(source, originals).items()}
    # Which of those users keep their `_id` on A (a meta shows its owner's as `user__id`).
    keepers = (
        imports.owners(object_ids.KEPT_ID_CLAIM, [o.lower() for o in done]) if kind == "user_meta" else {}
    )
    results: list[tuple[str, str, int | None]] = []
    for record_id, fields, refs in records:
        if not object_ids.is_object_id(record_id):
            results.append(("rejected", f"_id {record_id!r} is not 24 hex digits", None))
            continue
        unknown = sorted(original for original in refs.values() if original not in done)
        if unknown:
            results.append(("rejected", f"unknown user {', '.join(unknown)} (import its users first)", None))
            continue
        resolved = {name: done[original] for name, original in refs.items()}
        first = next(iter(resolved.values()), None)
        existing = meta_store.get(record_id) if kind == "user_meta" else demand_store.get(record_id)
        if existing is not None:
            results.append(("skipped", f"{kind} {record_id} exists", first))
            continue
        if dry_run:
            results.append(("would create", "", first))
            continue
        values = {**fields, **resolved}
        stamp = str(values.pop("created_at", None) or iso(now()))
        values["created_at"] = stamp
        values["updated_at"] = str(values.get("updated_at") or stamp)
        try:
            if kind == "user_meta":
                user_id = values.pop("user_id")
                original = refs["user_id"].lower()
                owner_object_id = original if keepers.get(original) == user_id else None
                meta_store.put(meta_store.new(record_id, user_id, owner_object_id=owner_object_id, **values))
            else:
                demand_store.put(demand_store.new(record_id, **values))
        except PutError:
            results.append(("skipped", f"{kind} {record_id} created meanwhile", first))
            continue
        results.append(("created", "", first))
    return results
