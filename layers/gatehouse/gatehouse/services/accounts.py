"""Accounts: sign-up and sign-in, shared by every surface."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gatehouse.clock import iso, now
from gatehouse.data import counters, users
from gatehouse.data.models import UserItem
from gatehouse.errors import (
    AccountDisabled,
    EmailNotVerified,
    InvalidCredentials,
    ValidationFailed,
    Violation,
)
from gatehouse.security.passwords import hash_password, verify_password
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


def sign_in(identifier: str, password: str) -> UserItem:
    """Check credentials by email or login; upgrade a legacy hash; record the sign-in."""
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
