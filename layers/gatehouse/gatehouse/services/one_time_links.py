"""Single-use links mailed to a user (email verification, password reset).

A link is bound to the address it was mailed to: once the user's email changes, older
links stop working, so a link can never vouch for an address it was not sent to.
"""

from __future__ import annotations

import secrets
import time

from gatehouse.data import one_time_tokens, users
from gatehouse.data.models import UserItem
from gatehouse.services.identity import canonical


def issue(purpose: str, user: UserItem, lifetime_seconds: int) -> str:
    token = secrets.token_urlsafe(32)
    one_time_tokens.put(purpose, token, user.id, canonical(user.email), int(time.time()) + lifetime_seconds)
    return token


def redeem(purpose: str, token: str) -> UserItem | None:
    """The token's user, if the token is known, unused, unexpired and still for their address."""
    used = one_time_tokens.consume(purpose, token, int(time.time()))
    user = users.get(used.user_id) if used is not None else None
    if user is None or used is None or used.email != canonical(user.email):
        return None
    return user
