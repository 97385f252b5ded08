"""The mail outbox: one item per message to send, written in the transaction of the change
that causes it and delivered by the mailer (functions/mailer) from the table's stream.

The item holds what the mailer needs to render the message (a template kind, the
surface whose language it speaks, the address and the parameters, which may include a
one-time link). Delivery is claimed with a conditional update, so a stream record
delivered twice sends one mail; once sent, the parameters are removed and the item
expires through the table's TTL.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from typing import Any

from pynamodb.exceptions import UpdateError

from gatehouse.data.models import IntegerAttribute, Item, JSONAttribute, UnicodeAttribute
from gatehouse.data.writes import Write, transact

ENTITY = "outbox"
PENDING = "pending"
SENDING = "sending"
SENT = "sent"
# Kept for the operator (DLQ records point at it) this long, then TTL removes it.
RETENTION_SECONDS = 7 * 86_400
# A claim older than this belongs to a mailer that died mid-send: another may take it over.
CLAIM_TIMEOUT_SECONDS = 60


class OutboxItem(Item, discriminator=ENTITY):
    message_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    surface = UnicodeAttribute()
    to = UnicodeAttribute()
    # Rendering parameters; removed once the message is sent (they may hold a one-time link).
    params = JSONAttribute(null=True)
    status = UnicodeAttribute(default=PENDING)
    attempts = IntegerAttribute(default=0)
    claimed_at = IntegerAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    created_at = IntegerAttribute()
    expires_at = IntegerAttribute()

    @staticmethod
    def key(message_id: str) -> tuple[str, str]:
        return f"OUTBOX#{message_id}", "OUTBOX"


def new(kind: str, surface: str, to: str, params: dict[str, Any]) -> OutboxItem:
    """An unsaved message; save it in the causing change's transaction (`attribute_not_exists`)."""
    message_id = uuid.uuid4().hex
    stamp = int(time.time())
    return OutboxItem(
        *OutboxItem.key(message_id),
        message_id=message_id,
        kind=kind,
        surface=surface,
        to=to,
        params=params,
        status=PENDING,
        attempts=0,
        created_at=stamp,
        expires_at=stamp + RETENTION_SECONDS,
    )


def save_all(items: Sequence[Item]) -> None:
    """New items (a one-time token and the messages carrying its link) in one transaction."""
    transact([Write("put", item, type(item).PK.does_not_exist()) for item in items], attempts=1)


def claim(message_id: str, now_epoch: int) -> bool:
    """Take the message for sending: True for exactly one caller while it is pending (or its
    previous claim timed out); False once it is sent or someone else is sending it."""
    item = OutboxItem(*OutboxItem.key(message_id))
    stale = now_epoch - CLAIM_TIMEOUT_SECONDS
    condition = OutboxItem.PK.exists() & (
        (OutboxItem.status == PENDING) | ((OutboxItem.status == SENDING) & (OutboxItem.claimed_at < stale))
    )
    try:
        item.update(
            actions=[
                OutboxItem.status.set(SENDING),
                OutboxItem.claimed_at.set(now_epoch),
                OutboxItem.attempts.add(1),
            ],
            condition=condition,
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def mark_sent(message_id: str, now_epoch: int) -> None:
    """Sent: drop the parameters (and any link in them); TTL removes the item a day later."""
    OutboxItem(*OutboxItem.key(message_id)).update(
        actions=[
            OutboxItem.status.set(SENT),
            OutboxItem.params.remove(),
            OutboxItem.last_error.remove(),
            OutboxItem.expires_at.set(now_epoch + 86_400),
        ],
        condition=OutboxItem.status == SENDING,
    )


def release(message_id: str, error: str) -> None:
    """Sending failed: pending again, for the stream's retry (or the operator, after the DLQ)."""
    try:
        OutboxItem(*OutboxItem.key(message_id)).update(
            actions=[OutboxItem.status.set(PENDING), OutboxItem.last_error.set(error[:500])],
            condition=OutboxItem.status == SENDING,
        )
    except UpdateError as failure:
        if failure.cause_response_code != "ConditionalCheckFailedException":
            raise


def get(message_id: str) -> OutboxItem | None:
    try:
        return OutboxItem.get(*OutboxItem.key(message_id), consistent_read=True)
    except OutboxItem.DoesNotExist:
        return None
