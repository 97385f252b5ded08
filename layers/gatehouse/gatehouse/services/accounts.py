"""Accounts: sign-up and sign-in, shared by every surface."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Iterator, Mapping
from typing import Any

from gatehouse import object_ids, observability
from gatehouse.clock import epoch_ms, iso, now
from gatehouse.data import counters, outbox, users
from gatehouse.data import sessions as session_store
from gatehouse.data.models import Item, SessionItem, UserItem
from gatehouse.data.outbox import OutboxItem
from gatehouse.errors import (
    AccountDisabled,
    Conflict,
    EmailNotVerified,
    GatehouseError,
    InvalidCredentials,
    PermissionDenied,
    ValidationFailed,
    Violation,
)
from gatehouse.security.passwords import hash_password, verify_password
from gatehouse.services import audit, email_change, lockouts, mail, verification
from gatehouse.services.identity import canonical, identifier_kind
from gatehouse.services.mail import MailContext
from gatehouse.settings import get_settings

_settings = get_settings()
CANONICAL_FIELDS: Mapping[str, str] = {"email": "email", "login": "login"}


# A login derived from an email: its local part, kept to what every surface's login accepts
# (E's: 3+ characters, no "@"), then suffixed on collision. See `derived_logins`.
DERIVED_LOGIN_MIN_LENGTH = 3
DERIVED_LOGIN_MAX_BASE = 64
_NOT_LOGIN_CHARACTERS = re.compile(r"[^\w.-]+")
# One transaction per candidate: the local part, then `_{id}`, then two random suffixes.
DERIVED_LOGIN_RANDOM_ATTEMPTS = 2


def register(
    *,
    email: str,
    password: str,
    login: str | None = None,
    attributes: Mapping[str, Any] | None = None,
    field_names: Mapping[str, str] = CANONICAL_FIELDS,
    mail_context: MailContext | None = None,
) -> UserItem:
    """Create the canonical user. The first user ever created becomes the single super.

    With `mail_context`, the verification token and its mail are written in the user's
    own transaction (a mail exists exactly when the account does).

    Every user has a login (Goncord's clients key users by it): without one, it is derived
    from the email (`derived_logins`) and claimed like a chosen one, in the user's
    transaction; a taken derived login moves on to the next candidate, never to an error.

    `field_names` maps "email"/"login" to the surface's own field names, so a taken
    value is reported on the field the client sent.
    """
    if login is not None and "@" in login:
        raise ValidationFailed.single(field_names["login"], "format")
    stamp = iso(now())
    user = UserItem.new(
        counters.next_id("user"),
        email=email,
        password_hash=hash_password(password),
        created_at=stamp,
        updated_at=stamp,
        **(attributes or {}),
    )
    mail_items = verification.verification_mail(user, mail_context) if mail_context else []
    logins = iter([login]) if login is not None else derived_logins(email, user.id)
    chosen = user.login = next(logins)
    # Try for super only while none exists; the claim item, not this read, makes it single.
    # (Not at all when the stack says so: `gatehouse bootstrap-super` names the super instead.)
    claim_super = _settings.allow_anonymous_super and not users.super_exists()
    # Bounded: one transaction per login candidate, plus one when a concurrent sign-up took super.
    while True:
        user.role = "super" if claim_super else "user"
        claims = [("email", canonical(email)), ("login", canonical(chosen))]
        try:
            users.create(user, [*claims, users.SUPER_ROLE_CLAIM] if claim_super else claims, also=mail_items)
            _queued(mail_items)
            return user
        except users.ValuesTaken as taken:
            refused = taken.kinds - {users.SUPER_ROLE_CLAIM[0]}
            if login is None:
                refused.discard("login")  # derived: the client never sent it
            if refused:
                raise ValidationFailed(
                    [Violation(field_names[kind], "unique") for kind in sorted(refused)]
                ) from None
            if users.SUPER_ROLE_CLAIM[0] in taken.kinds:
                claim_super = False  # someone else became super first; try again as a plain user
            if "login" in taken.kinds:
                following = next(logins, None)
                if following is None:
                    raise Conflict("no free login could be derived; try again") from None
                chosen = user.login = following


def sign_up(
    *,
    email: str,
    password: str,
    login: str | None = None,
    attributes: Mapping[str, Any] | None = None,
    field_names: Mapping[str, str] = CANONICAL_FIELDS,
    mail_context: MailContext | None = None,
) -> UserItem:
    """Someone registering themselves (`register`), audited as `user.register` by the new user."""
    user = register(
        email=email,
        password=password,
        login=login,
        attributes=attributes,
        field_names=field_names,
        mail_context=mail_context,
    )
    audit.record_own("user.register", user)
    return user


def derived_logins(email: str, user_id: int) -> Iterator[str]:
    """Login candidates for a user who gave none, best first.

    The email's local part (NFKC, lower-cased, without a `+tag`, letters, digits, `_`, `.`
    and `-` only; `user_…` when shorter than 3), then `{base}_{id}` (ids are unique, so
    concurrent sign-ups with one local part get distinct candidates), then random suffixes
    in case someone chose exactly that name. Each is only a candidate: the conditional
    claim in the user's transaction decides.
    """
    local = unicodedata.normalize("NFKC", email).rpartition("@")[0].split("+", 1)[0]
    base = _NOT_LOGIN_CHARACTERS.sub("", local).lower().strip("._-")[:DERIVED_LOGIN_MAX_BASE]
    if len(base) < DERIVED_LOGIN_MIN_LENGTH:
        base = f"user_{base}" if base else "user"
    yield base
    yield f"{base}_{user_id}"
    for _ in range(DERIVED_LOGIN_RANDOM_ATTEMPTS):
        yield f"{base}_{secrets.token_hex(4)}"


def sign_in(identifier: str, password: str) -> UserItem:
    """Check credentials by email or login; upgrade a legacy hash; audit the attempt either way.

    Brute force is locked out per account and caller (`gatehouse.services.lockouts`). A known
    and an unknown account cost the same: two GetItems, the lockout read, one argon2id verify
    and, on failure, the same counter writes (ASVS 6.3.8)."""
    try:
        user = _check_credentials(identifier, password)
    except GatehouseError as refused:
        observability.count(observability.SIGN_IN_FAILED)
        audit.record("auth.login", outcome="failure", details={"reason": type(refused).__name__})
        raise
    observability.count(observability.SIGN_IN_SUCCEEDED)
    audit.record_own("auth.login", user)
    return user


def _check_credentials(identifier: str, password: str) -> UserItem:
    kind, value = identifier_kind(identifier), canonical(identifier)
    user = users.find_at_constant_cost(kind, value)
    attempt = lockouts.Attempt(LOGIN_SCOPE, _lockout_account(user, kind, value), lockouts.current_client())
    counters = lockouts.check(attempt)
    verification = verify_password(password, user.password_hash if user else None)
    if user is None or not verification.ok:
        lockouts.failed(attempt, actor=user)
        raise InvalidCredentials()
    lockouts.succeeded(attempt, counters)
    if not user.is_active:
        raise AccountDisabled()
    if _settings.require_verified_email and not user.is_verified:
        raise EmailNotVerified()
    if verification.upgraded_hash:
        users.update(user, password_hash=verification.upgraded_hash)
    users.record_login(user, iso(now()))
    return user


LOGIN_SCOPE = "login"


def _lockout_account(user: UserItem | None, kind: str, value: str) -> str:
    """A known account by its id (its email and login share one counter), an unknown one by
    what was typed (hashed: it may be long), so guessing at unknown names is locked out too."""
    if user is not None:
        return f"user:{user.id}"
    return f"{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def clear_lockouts(user: UserItem) -> None:
    """After a password reset: the account's sign-in lock and the resetting caller's counter."""
    lockouts.reset_account(LOGIN_SCOPE, f"user:{user.id}", lockouts.current_client())


def claims_of(user: UserItem) -> list[tuple[str, str]]:
    """The unique values this user owns."""
    owned = [("email", canonical(user.email))]
    if user.login:
        owned.append(("login", canonical(user.login)))
    if user.role == "super":
        owned.append(users.SUPER_ROLE_CLAIM)
    if user.a_object_id:
        owned.append((object_ids.KEPT_ID_CLAIM, user.a_object_id))
    return owned


def update(
    user: UserItem,
    changes: Mapping[str, Any],
    field_names: Mapping[str, str] = CANONICAL_FIELDS,
    *,
    mail_context: MailContext | None = None,
    by_owner: bool = False,
) -> UserItem:
    """Apply profile changes; a new login moves its uniqueness claim in the same transaction.

    A new email needs `mail_context` (gatehouse.services.email_change): the owner's own
    change (`by_owner`) only mails a confirmation link to the new address and a notice to
    the current one, and the address stays as it is until the link is followed; anyone
    else's change applies at once, mailing a verification link and the notice.
    """
    applied, mail_items = _new_email_mail(
        user, _differing(user, changes), field_names, mail_context, by_owner
    )
    _refuse_changes_made_elsewhere(applied, field_names)
    if not applied:
        if mail_items:
            outbox.save_all(mail_items)
            _queued(mail_items)
        return user
    add_claims, drop_claims = _claim_moves(user, applied)
    if any(kind == "email" for kind, _ in add_claims):
        applied["is_verified"] = False  # a new address is unproven until its own link is followed
    applied["updated_at"] = iso(now())
    try:
        users.update_with_claims(user, applied, add_claims, drop_claims, also=mail_items)
    except users.ValuesTaken as taken:
        raise ValidationFailed(
            [Violation(field_names[kind], "unique") for kind in sorted(taken.kinds)]
        ) from None
    _queued(mail_items)
    return user


def _differing(user: UserItem, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The changes that change something."""
    return {name: value for name, value in changes.items() if getattr(user, name) != value}


def _new_email_mail(
    user: UserItem,
    changes: dict[str, Any],
    field_names: Mapping[str, str],
    mail_context: MailContext | None,
    by_owner: bool,
) -> tuple[dict[str, Any], list[Item]]:
    """The changes to apply now and the mail items a new address needs. The owner's own new
    address is not among the changes: it waits for the confirmation link."""
    if "email" not in changes or canonical(changes["email"]) == canonical(user.email):
        return changes, []
    if mail_context is None:
        raise ValueError("an email change needs a MailContext")  # programming error
    if by_owner:
        applied = {name: value for name, value in changes.items() if name != "email"}
        return applied, email_change.owner_request(user, changes["email"], mail_context, field_names["email"])
    return changes, email_change.admin_change(user, changes["email"], mail_context)


def _refuse_changes_made_elsewhere(changes: Mapping[str, Any], field_names: Mapping[str, str]) -> None:
    """Roles and passwords have their own steps; a login is never an address."""
    if "role" in changes or "password_hash" in changes:
        raise ValueError("use set_role / set_password")  # programming error, not a client's
    if changes.get("login") and "@" in changes["login"]:
        raise ValidationFailed.single(field_names["login"], "format")


def _claim_moves(
    user: UserItem, changes: Mapping[str, Any]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The uniqueness claims a change of email or login adds, and those it drops."""
    add_claims: list[tuple[str, str]] = []
    drop_claims: list[tuple[str, str]] = []
    for kind in ("email", "login"):
        if kind in changes:
            old, new = getattr(user, kind), changes[kind]
            if old is not None and (new is None or canonical(old) != canonical(new)):
                drop_claims.append((kind, canonical(old)))
            if new is not None and (old is None or canonical(old) != canonical(new)):
                add_claims.append((kind, canonical(new)))
    return add_claims, drop_claims


def _queued(mail_items: list[Item]) -> None:
    """Meter the mail among `mail_items`, once their transaction has committed."""
    mail.queued(sum(isinstance(item, OutboxItem) for item in mail_items))


def set_password(user: UserItem, password: str, *, keep_session: SessionItem | None) -> None:
    """Store a new argon2id hash and end the user's sessions on every surface: all of them
    (resets, someone else's change) or all but `keep_session` (the caller's own change)."""
    revoked_before = epoch_ms() + 1
    changes: dict[str, Any] = {
        "password_hash": hash_password(password),
        "updated_at": iso(now()),
        "sessions_valid_after_ms": revoked_before,
        "needs_password_reset": None,
    }
    users.update(user, **changes)
    if keep_session is not None:
        session_store.renew(keep_session, revoked_before)
    observability.count(observability.TOKEN_REVOKED)  # all of the user's tokens (but the kept one)


def set_active(user: UserItem, active: bool) -> None:
    """Deactivated users cannot sign in and their tokens stop working at once."""
    changes: dict[str, Any] = {"is_active": active, "updated_at": iso(now())}
    if not active:
        changes["sessions_valid_after_ms"] = epoch_ms() + 1
    users.update(user, **changes)
    if not active:
        observability.count(observability.TOKEN_REVOKED)  # all of the user's tokens


def set_role(user: UserItem, role: str, *, stamp: str | None = None) -> None:
    """Change a role below super; the single super is neither made nor unmade here.

    `stamp` is the `updated_at` to write (a user given a role as they are created keeps
    `updated_at` equal to `created_at`)."""
    if role == "super" or user.role == "super":
        raise PermissionDenied()
    users.update(user, role=role, updated_at=stamp or iso(now()))


def make_super(user: UserItem) -> None:
    """Make `user` the single super (the operator's `gatehouse bootstrap-super`). The claim item
    decides: Conflict when another user is super already."""
    if user.role == "super":
        return
    try:
        users.promote_to_super(user, iso(now()))
    except users.ValuesTaken:
        raise Conflict("another user is the super") from None


def remove(user: UserItem) -> None:
    """Delete the user and free their email and login; nobody removes the super."""
    if user.role == "super":
        raise PermissionDenied()
    users.delete(user, claims_of(user))
