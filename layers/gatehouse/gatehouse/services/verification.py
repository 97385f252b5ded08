"""Email verification: every registration mails a single-use link; following it verifies the address.

The same link confirms an email change (ASVS 7.5.1): a user's own new address takes effect
only when the link mailed to it is followed (see `gatehouse.services.email_change`).
"""

from __future__ import annotations

from gatehouse.clock import iso, now
from gatehouse.data import users
from gatehouse.data.models import Item, UserItem
from gatehouse.errors import NotFound
from gatehouse.services import audit, lockouts, mail, one_time_links
from gatehouse.services.mail import MailContext

PURPOSE = "verify"
LIFETIME_SECONDS = 7 * 86_400


def verification_mail(user: UserItem, context: MailContext) -> list[Item]:
    """The token and the mail carrying its link, to write in the transaction that creates the
    user (or gives them a new address): a mail exists exactly when its change does."""
    token, item = one_time_links.issue(PURPOSE, user, LIFETIME_SECONDS)
    return [item, mail.message("verify", context, user.email, link=context.verify_link(token))]


def verify_email(token: str) -> UserItem:
    """Mark the token's user verified, or apply the email change the token confirms; audited
    as `user.verify`. A used, unknown, expired or superseded token is NotFound, and counts
    against the caller's lockout (`gatehouse.services.lockouts`)."""
    with lockouts.guarded(PURPOSE, NotFound):
        user = _redeem(token)
    audit.record_own("user.verify", user)
    return user


def _redeem(token: str) -> UserItem:
    redeemed = one_time_links.redeem(PURPOSE, token)
    if redeemed is None:
        raise NotFound("verification token")
    user = redeemed.user
    if redeemed.token.new_email is not None:
        from gatehouse.services import email_change  # only this path needs it

        email_change.apply(user, redeemed.token.new_email)
        return user
    users.update(user, is_verified=True, updated_at=iso(now()))
    return user
