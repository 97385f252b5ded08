"""Email verification: every registration mails a single-use link; following it verifies the address."""

from __future__ import annotations

import secrets
import time

from gatehouse.clock import iso, now
from gatehouse.data import one_time_tokens, users
from gatehouse.data.models import UserItem
from gatehouse.errors import NotFound
from gatehouse.services import mail

PURPOSE = "verify"
VERIFY_PATH = "/api/v1/verify"
LIFETIME_SECONDS = 7 * 86_400


def send_verification_mail(user: UserItem, base_url: str) -> None:
    token = secrets.token_urlsafe(32)
    one_time_tokens.put(PURPOSE, token, user.id, int(time.time()) + LIFETIME_SECONDS)
    link = f"{base_url.rstrip('/')}{VERIFY_PATH}?token={token}"
    mail.send(
        user.email,
        "Confirm your email address",
        f"Hello,\n\nconfirm your address by opening this link (valid for 7 days):\n{link}\n\n"
        "If you did not create an account, ignore this message.\n",
    )


def verify_email(token: str) -> UserItem:
    """Mark the token's user verified; a used, unknown or expired token is NotFound."""
    user_id = one_time_tokens.consume(PURPOSE, token, int(time.time()))
    user = users.get(user_id) if user_id is not None else None
    if user is None:
        raise NotFound("verification token")
    users.update(user, is_verified=True, updated_at=iso(now()))
    return user
