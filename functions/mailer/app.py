"""Mailer function: delivers the mail outbox. Triggered by the table's DynamoDB stream,
filtered to new outbox items (template.yaml `MailerFunction`); renders each message in its
surface's language and sends it through SES (locally: into the outbox directory).

A record that fails is reported in `batchItemFailures`: Lambda retries from it (bisecting
the batch), then hands the batch's description to the dead-letter queue. A record seen
twice sends one mail: delivery is claimed with a conditional update (gatehouse.data.outbox).
"""

from __future__ import annotations

import logging
from typing import Any

from gatehouse.data.outbox import ENTITY, OutboxItem
from gatehouse.observability import metrics
from gatehouse.services import mail

logger = logging.getLogger(__name__)
transport = mail.configured_transport()


def outbox_item(record: dict[str, Any]) -> OutboxItem | None:
    """The new outbox item a stream record carries, or None for any other record."""
    image = (record.get("dynamodb") or {}).get("NewImage") or {}
    if record.get("eventName") != "INSERT" or image.get("entity", {}).get("S") != ENTITY:
        return None
    return OutboxItem.from_raw_data(image)


def process(event: dict[str, Any], via: mail.Transport) -> dict[str, Any]:
    failures: list[dict[str, str]] = []
    for record in event.get("Records") or []:
        sequence = str((record.get("dynamodb") or {}).get("SequenceNumber", ""))
        try:
            item = outbox_item(record)
            if item is not None:
                mail.deliver(item, via)
        except Exception:
            logger.exception("outbox record %s failed", sequence)
            failures.append({"itemIdentifier": sequence})
    return {"batchItemFailures": failures}


@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process(event, transport)
