"""Password recovery (surface A): a single-use, expiring link by mail; the answer never says who exists.

The mail is an outbox item written with the token in one transaction; nothing waits for SES.
A successful reset kills every other outstanding reset link of the user (ASVS 6.4.3): a link
issued before the user's last sign-out everywhere is refused.
"""

from __future__ import annotations

import secrets
import time

from gatehouse.clock import epoch_ms
from gatehouse.data import one_time_tokens, outbox, users
from gatehouse.data.models import Item, UserItem
from gatehouse.errors import ValidationFailed
from gatehouse.services import accounts, audit, lockouts, mail, one_time_links
from gatehouse.services.identity import canonical
from gatehouse.services.mail import MailContext

PURPOSE = "reset"
# Laravel's default for password reset tokens.
LIFETIME_SECONDS = 60 * 60


def recover(email: str, context: MailContext) -> None:
    """Someone asking for a reset link (`send_reset_link`), audited as `user.password_recover`
    (whether the address is known shows only in the audit log)."""
    user = send_reset_link(email, context)
    audit.record(
        "user.password_recover",
        actor=user,
        target_type="user",
        target_id=user.id if user else None,
        outcome="success" if user else "unknown_address",
    )


def send_reset_link(email: str, context: MailContext) -> UserItem | None:
    """Queue a reset link to the account with this address, if there is one; return that user.

    Known or not, the request does the same DynamoDB work (two reads, one two-item
    transaction), so its timing does not tell who has an account: for an unknown or
    deactivated address the transaction writes a token for no user and a message that is
    born sent, which the mailer's stream filter never delivers; TTL removes both.
    """
    user = users.find_at_constant_cost("email", canonical(email))
    if user is None or not user.is_active:
        outbox.save_all(_decoy())
        return None
    token, item = one_time_links.issue(PURPOSE, user, LIFETIME_SECONDS)
    outbox.save_all([item, mail.message("reset", context, user.email, link=context.reset_link(token))])
    mail.queued(1)
    return user


# The owner of the decoy token: ids start at 1, so nobody.
NO_USER = 0


def _decoy() -> list[Item]:
    """A token nobody holds (for no user, so useless) and a message that is never sent."""
    token = secrets.token_urlsafe(32)
    expires_at = int(time.time()) + LIFETIME_SECONDS
    ghost = one_time_tokens.build(PURPOSE, token, NO_USER, "", expires_at, issued_at_ms=epoch_ms())
    message = outbox.new("reset", "a", "", {"link": ""})
    message.status = outbox.SENT
    message.expires_at = expires_at
    return [ghost, message]


def reset_password(token: str, password: str) -> UserItem:
    """Use the token (once) and set the password; every session and every other reset link
    of the user ends, and so does the account's sign-in lockout. Audited as `user.password`,
    a refused token too (which counts against the caller's lockout)."""
    try:
        with lockouts.guarded(PURPOSE, ValidationFailed):
            user = _redeem(token, password)
    except ValidationFailed:
        audit.record("user.password", outcome="failure", details={"reason": "invalid token"})
        raise
    accounts.clear_lockouts(user)
    audit.record_own("user.password", user, details={"via": "reset"})
    return user


def _redeem(token: str, password: str) -> UserItem:
    redeemed = one_time_links.redeem(PURPOSE, token, newer_than_sign_out=True)
    if redeemed is None:
        raise ValidationFailed.single("token", "exists")
    accounts.set_password(redeemed.user, password, keep_session=None)
    return redeemed.user
