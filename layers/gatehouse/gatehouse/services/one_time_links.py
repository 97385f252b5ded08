"""Single-use links mailed to a user (email verification, email change, password reset).

A link is bound to the address it was mailed to: once the user's email changes, older
links stop working, so a link can never vouch for an address it was not sent to. The
token item is written in the same transaction as the mail that carries the link.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from gatehouse.clock import epoch_ms
from gatehouse.data import one_time_tokens, users
from gatehouse.data.models import UserItem
from gatehouse.data.one_time_tokens import OneTimeTokenItem
from gatehouse.services.identity import canonical


def issue(
    purpose: str, user: UserItem, lifetime_seconds: int, *, new_email: str | None = None
) -> tuple[str, OneTimeTokenItem]:
    """A new token and its (unsaved) item; only the token's hash is stored."""
    token = secrets.token_urlsafe(32)
    item = one_time_tokens.build(
        purpose,
        token,
        user.id,
        canonical(user.email),
        int(time.time()) + lifetime_seconds,
        issued_at_ms=epoch_ms(),
        new_email=new_email,
    )
    return token, item


@dataclass(frozen=True)
class Redeemed:
    user: UserItem
    token: OneTimeTokenItem


def redeem(purpose: str, token: str, *, newer_than_sign_out: bool = False) -> Redeemed | None:
    """The token's user, if the token is known, unused, unexpired and still for their address.

    `newer_than_sign_out`: also refuse a token issued before the user's last sign-out
    everywhere (`sessions_valid_after_ms`: a password reset or change, a deactivation), so one
    successful reset kills every other outstanding reset link of that user.
    """
    used = one_time_tokens.consume(purpose, token, int(time.time()))
    user = users.get(used.user_id) if used is not None else None
    if user is None or used is None or used.email != canonical(user.email):
        return None
    if newer_than_sign_out and (used.issued_at_ms or 0) < user.sessions_valid_after_ms:
        return None
    return Redeemed(user, used)
