"""Password recovery (surface A): a single-use, expiring link by mail; the answer never says who exists."""

from __future__ import annotations

from gatehouse.data import users
from gatehouse.data.models import UserItem
from gatehouse.errors import ValidationFailed
from gatehouse.services import accounts, mail, one_time_links
from gatehouse.services.identity import canonical

PURPOSE = "reset"
RESET_PATH = "/api/v1/reset"
# Laravel's default for password reset tokens.
LIFETIME_SECONDS = 60 * 60


def send_reset_link(email: str, base_url: str) -> UserItem | None:
    """Mail a reset link to the account with this address, if there is one; return that user."""
    user = users.find_by("email", canonical(email))
    if user is None or not user.is_active:
        return None
    token = one_time_links.issue(PURPOSE, user, LIFETIME_SECONDS)
    link = f"{base_url.rstrip('/')}{RESET_PATH}?token={token}"
    mail.send(
        user.email,
        "Reset your password",
        f"Hello,\n\nchoose a new password by opening this link (valid for 60 minutes, once):\n{link}\n\n"
        "If you did not ask for this, ignore this message: your password stays as it is.\n",
    )
    return user


def reset_password(token: str, password: str) -> UserItem:
    """Use the token (once) and set the password; every existing session of the user ends."""
    user = one_time_links.redeem(PURPOSE, token)
    if user is None:
        raise ValidationFailed.single("token", "exists")
    accounts.set_password(user, password, keep_session=None)
    return user
