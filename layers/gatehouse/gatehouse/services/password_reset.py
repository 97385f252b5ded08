"""Password recovery (surface A): a single-use, expiring link by mail; the answer never says who exists.

The mail is an outbox item written with the token in one transaction; nothing waits for SES.
A successful reset kills every other outstanding reset link of the user (ASVS 6.4.3): a link
issued before the user's last sign-out everywhere is refused.
"""

from __future__ import annotations

from gatehouse.data import outbox, users
from gatehouse.data.models import UserItem
from gatehouse.errors import ValidationFailed
from gatehouse.services import accounts, mail, one_time_links
from gatehouse.services.identity import canonical
from gatehouse.services.mail import MailContext

PURPOSE = "reset"
# Laravel's default for password reset tokens.
LIFETIME_SECONDS = 60 * 60


def send_reset_link(email: str, context: MailContext) -> UserItem | None:
    """Queue a reset link to the account with this address, if there is one; return that user."""
    user = users.find_by("email", canonical(email))
    if user is None or not user.is_active:
        return None
    token, item = one_time_links.issue(PURPOSE, user, LIFETIME_SECONDS)
    outbox.save_all([item, mail.message("reset", context, user.email, link=context.reset_link(token))])
    mail.queued(1)
    return user


def reset_password(token: str, password: str) -> UserItem:
    """Use the token (once) and set the password; every session and every other reset link
    of the user ends."""
    redeemed = one_time_links.redeem(PURPOSE, token, newer_than_sign_out=True)
    if redeemed is None:
        raise ValidationFailed.single("token", "exists")
    accounts.set_password(redeemed.user, password, keep_session=None)
    return redeemed.user
