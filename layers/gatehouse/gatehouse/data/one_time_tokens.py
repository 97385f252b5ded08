"""Single-use, expiring tokens (email verification, password reset), stored only as a hash."""

from __future__ import annotations

import hashlib

from pynamodb.exceptions import DeleteError, DoesNotExist

from gatehouse.data.models import IntegerAttribute, Item, UnicodeAttribute


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class OneTimeTokenItem(Item, discriminator="one_time_token"):
    purpose = UnicodeAttribute()
    user_id = IntegerAttribute()
    # The canonical address the token was mailed to: it is void once the user's email changes.
    email = UnicodeAttribute(null=True)
    # Epoch seconds; TTL removes the item late, so consume() checks it too.
    expires_at = IntegerAttribute()
    # When it was issued (epoch ms): a reset link older than the user's last sign-out-everywhere
    # (a password change, a reset, a deactivation) is dead.
    issued_at_ms = IntegerAttribute(null=True)
    # An email-change confirmation: the address the user asked for, applied when the link is followed.
    new_email = UnicodeAttribute(null=True)

    @staticmethod
    def key(purpose: str, token: str) -> tuple[str, str]:
        return f"TOKEN#{purpose}#{digest(token)}", "TOKEN"


def build(
    purpose: str,
    token: str,
    user_id: int,
    email: str,
    expires_at: int,
    *,
    issued_at_ms: int,
    new_email: str | None = None,
) -> OneTimeTokenItem:
    """An unsaved token item, to be saved in the transaction that mails its link."""
    return OneTimeTokenItem(
        *OneTimeTokenItem.key(purpose, token),
        purpose=purpose,
        user_id=user_id,
        email=email,
        expires_at=expires_at,
        issued_at_ms=issued_at_ms,
        new_email=new_email,
    )


def consume(purpose: str, token: str, now_epoch: int) -> OneTimeTokenItem | None:
    """Delete the token and return it, or None if unknown, used or expired.

    The delete is conditional on the item still existing, so of two concurrent uses only one wins.
    """
    try:
        item = OneTimeTokenItem.get(*OneTimeTokenItem.key(purpose, token))
        item.delete(condition=OneTimeTokenItem.PK.exists())
    except (DoesNotExist, DeleteError):
        return None
    return item if item.expires_at > now_epoch else None
