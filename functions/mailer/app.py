"""Mailer function: delivers the mail outbox. Triggered by the table's DynamoDB stream,
filtered to new outbox items (template.yaml `MailerFunction`); renders each message in its
surface's language and sends it through SES (locally: into the outbox directory).

A record that fails is reported in `batchItemFailures`: Lambda retries from it (bisecting
the batch), then hands the batch's description to the dead-letter queue. A record seen
twice sends one mail: delivery is claimed with a conditional update (gatehouse.data.outbox).

Redrive: invoked with a message from the dead-letter queue (its `DDBStreamBatchInfo`), it
reads that range of the stream again (records live 24 hours) and delivers what is still
pending: `aws lambda invoke --function-name <MailerFunction> --payload file://dlq-message.json`.
"""

import logging
from typing import Any

from gatehouse.data.outbox import ENTITY, OutboxItem
from gatehouse.observability import instrument
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


def redrive(batch: dict[str, Any], via: mail.Transport, streams: Any = None) -> dict[str, Any]:
    """Deliver the stream records a dead-letter message describes (those not yet sent)."""
    if streams is None:
        import botocore.session

        streams = botocore.session.get_session().create_client("dynamodbstreams")
    first, last = int(batch["startSequenceNumber"]), int(batch["endSequenceNumber"])
    iterator = streams.get_shard_iterator(
        StreamArn=batch["streamArn"],
        ShardId=batch["shardId"],
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        SequenceNumber=str(first),
    )["ShardIterator"]
    records: list[dict[str, Any]] = []
    while iterator and (not records or int(records[-1]["dynamodb"]["SequenceNumber"]) < last):
        answer = streams.get_records(ShardIterator=iterator, Limit=100)
        got = answer.get("Records") or []
        if not got:
            break
        records.extend(r for r in got if int(r["dynamodb"]["SequenceNumber"]) <= last)
        iterator = answer.get("NextShardIterator")
    return process({"Records": records}, via)


def deliver_batch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if "DDBStreamBatchInfo" in event:
        return redrive(event["DDBStreamBatchInfo"], transport)
    return process(event, transport)


handler = instrument(deliver_batch, "mailer")
