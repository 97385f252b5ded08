"""Email verification: every registration mails a single-use link; following it verifies the address."""

from __future__ import annotations

from gatehouse.clock import iso, now
from gatehouse.data import users
from gatehouse.data.models import UserItem
from gatehouse.errors import NotFound
from gatehouse.services import mail, one_time_links

PURPOSE = "verify"
VERIFY_PATH = "/api/v1/verify"
LIFETIME_SECONDS = 7 * 86_400


def send_verification_mail(user: UserItem, base_url: str) -> None:
    token = one_time_links.issue(PURPOSE, user, LIFETIME_SECONDS)
    link = f"{base_url.rstrip('/')}{VERIFY_PATH}?token={token}"
    mail.send(
        user.email,
        "Confirm your email address",
        f"Hello,\n\nconfirm your address by opening this link (valid for 7 days):\n{link}\n\n"
        "If you did not create an account, ignore this message.\n",
    )


def verify_email(token: str) -> UserItem:
    """Mark the token's user verified; a used, unknown, expired or superseded token is NotFound."""
    user = one_time_links.redeem(PURPOSE, token)
    if user is None:
        raise NotFound("verification token")
    users.update(user, is_verified=True, updated_at=iso(now()))
    return user
