"""Accounts: sign-up and sign-in, shared by every surface."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gatehouse.clock import epoch_ms, iso, now
from gatehouse.data import counters, users
from gatehouse.data import sessions as session_store
from gatehouse.data.models import SessionItem, UserItem
from gatehouse.errors import (
    AccountDisabled,
    EmailNotVerified,
    GatehouseError,
    InvalidCredentials,
    PermissionDenied,
    ValidationFailed,
    Violation,
)
from gatehouse.security.passwords import hash_password, verify_password
from gatehouse.services import audit
from gatehouse.services.audit import ClientInfo
from gatehouse.services.identity import canonical, identifier_kind
from gatehouse.settings import get_settings

_settings = get_settings()
CANONICAL_FIELDS: Mapping[str, str] = {"email": "email", "login": "login"}


def register(
    *,
    email: str,
    password: str,
    login: str | None = None,
    attributes: Mapping[str, Any] | None = None,
    field_names: Mapping[str, str] = CANONICAL_FIELDS,
) -> UserItem:
    """Create the canonical user. The first user ever created becomes the single super.

    `field_names` maps "email"/"login" to the surface's own field names, so a taken
    value is reported on the field the client sent.
    """
    if login is not None and "@" in login:
        raise ValidationFailed.single(field_names["login"], "format")
    claims = [("email", canonical(email))]
    if login is not None:
        claims.append(("login", canonical(login)))
    stamp = iso(now())
    user = UserItem.new(
        counters.next_id("user"),
        email=email,
        login=login,
        password_hash=hash_password(password),
        created_at=stamp,
        updated_at=stamp,
        **(attributes or {}),
    )
    # Try for super only while none exists; the claim item, not this read, makes it single.
    claim_super = not users.super_exists()
    while True:
        user.role = "super" if claim_super else "user"
        try:
            users.create(user, [*claims, users.SUPER_ROLE_CLAIM] if claim_super else claims)
            return user
        except users.ValuesTaken as taken:
            fields = taken.kinds - {users.SUPER_ROLE_CLAIM[0]}
            if fields:
                raise ValidationFailed(
                    [Violation(field_names[kind], "unique") for kind in sorted(fields)]
                ) from None
            claim_super = False  # someone else became super first; try again as a plain user


def sign_in(identifier: str, password: str, *, client: ClientInfo) -> UserItem:
    """Check credentials by email or login; upgrade a legacy hash; audit the attempt either way."""
    try:
        user = _check_credentials(identifier, password)
    except GatehouseError as refused:
        audit.record(
            "auth.login", client=client, outcome="failure", details={"reason": type(refused).__name__}
        )
        raise
    audit.record("auth.login", client=client, actor=user, target_type="user", target_id=user.id)
    return user


def _check_credentials(identifier: str, password: str) -> UserItem:
    user = users.find_by(identifier_kind(identifier), canonical(identifier))
    verification = verify_password(password, user.password_hash if user else None)
    if user is None or not verification.ok:
        raise InvalidCredentials()
    if not user.is_active:
        raise AccountDisabled()
    if _settings.require_verified_email and not user.is_verified:
        raise EmailNotVerified()
    changes: dict[str, Any] = {"last_login_at": iso(now())}
    if verification.upgraded_hash:
        changes["password_hash"] = verification.upgraded_hash
    users.update(user, **changes)
    return user


def claims_of(user: UserItem) -> list[tuple[str, str]]:
    """The unique values this user owns."""
    owned = [("email", canonical(user.email))]
    if user.login:
        owned.append(("login", canonical(user.login)))
    if user.role == "super":
        owned.append(users.SUPER_ROLE_CLAIM)
    return owned


def update(
    user: UserItem, changes: Mapping[str, Any], field_names: Mapping[str, str] = CANONICAL_FIELDS
) -> UserItem:
    """Apply profile changes; a new email or login moves its uniqueness claim in the same transaction."""
    changes = {name: value for name, value in changes.items() if getattr(user, name) != value}
    if "role" in changes or "password_hash" in changes:
        raise ValueError("use set_role / set_password")  # programming error, not a client's
    if changes.get("login") and "@" in changes["login"]:
        raise ValidationFailed.single(field_names["login"], "format")
    add_claims: list[tuple[str, str]] = []
    drop_claims: list[tuple[str, str]] = []
    for kind in ("email", "login"):
        if kind in changes:
            old, new = getattr(user, kind), changes[kind]
            if old is not None and (new is None or canonical(old) != canonical(new)):
                drop_claims.append((kind, canonical(old)))
            if new is not None and (old is None or canonical(old) != canonical(new)):
                add_claims.append((kind, canonical(new)))
    if not changes:
        return user
    if any(kind == "email" for kind, _ in add_claims):
        changes["is_verified"] = False  # a new address is unproven until its own link is followed
    changes["updated_at"] = iso(now())
    try:
        users.update_with_claims(user, changes, add_claims, drop_claims)
    except users.ValuesTaken as taken:
        raise ValidationFailed(
            [Violation(field_names[kind], "unique") for kind in sorted(taken.kinds)]
        ) from None
    return user


def set_password(user: UserItem, password: str, *, keep_session: SessionItem | None) -> None:
    """Store a new argon2id hash and end the user's sessions on every surface: all of them
    (resets, someone else's change) or all but `keep_session` (the caller's own change)."""
    revoked_before = epoch_ms() + 1
    changes: dict[str, Any] = {
        "password_hash": hash_password(password),
        "updated_at": iso(now()),
        "sessions_valid_after_ms": revoked_before,
    }
    users.update(user, **changes)
    if keep_session is not None:
        session_store.renew(keep_session, revoked_before)


def set_active(user: UserItem, active: bool) -> None:
    """Deactivated users cannot sign in and their tokens stop working at once."""
    changes: dict[str, Any] = {"is_active": active, "updated_at": iso(now())}
    if not active:
        changes["sessions_valid_after_ms"] = epoch_ms() + 1
    users.update(user, **changes)


def set_role(user: UserItem, role: str, *, stamp: str | None = None) -> None:
    """Change a role below super; the single super is neither made nor unmade here.

    `stamp` is the `updated_at` to write (a user given a role as they are created keeps
    `updated_at` equal to `created_at`)."""
    if role == "super" or user.role == "super":
        raise PermissionDenied()
    users.update(user, role=role, updated_at=stamp or iso(now()))


def remove(user: UserItem) -> None:
    """Delete the user and free their email and login; nobody removes the super."""
    if user.role == "super":
        raise PermissionDenied()
    users.delete(user, claims_of(user))
