"""Audit events: one item per recorded action, indexed for D's filtered log."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any

from pynamodb.exceptions import UpdateError

from gatehouse.data.models import IntegerAttribute, Item, JSONAttribute, UnicodeAttribute

# GSI1 ("all events") spreads the whole log over this many partition keys, `AUDIT#SHARD#{nn}`,
# the shard taken from the event id's CRC-32: no single key takes every audited write, so the
# write rate is not capped by one partition. Each shard sorts by time, so a page of the whole
# log is one Query per shard (in parallel) merged by sort key, whatever the time range.
AUDIT_SHARDS = 16
SHARD_PREFIX = "AUDIT#SHARD#"


def shard_of(event_id: str) -> int:
    return zlib.crc32(event_id.encode()) % AUDIT_SHARDS


def shard_partition(shard: int) -> str:
    """3 → `AUDIT#SHARD#03`."""
    return f"{SHARD_PREFIX}{shard:02d}"


def legacy_month_partition(at_iso: str) -> str:
    """The GSI1 key events written before sharding carry (`AUDIT#2025-07`): `gatehouse audit
    reshard` moves them to their shard key; the request path never reads it."""
    return f"AUDIT#{at_iso[:7]}"


class AuditEventItem(Item, discriminator="audit"):
    """Indexes: GSI1 all events (sharded), GSI2 by actor, GSI3 by actor's group, GSI4 by
    device.

    Every index sorts by `{at}#{event_id}`, so a time range is a key condition.
    """

    event_id = UnicodeAttribute()
    at = UnicodeAttribute()
    action = UnicodeAttribute()
    outcome = UnicodeAttribute(default="success")
    actor_id = IntegerAttribute(null=True)
    group_id = IntegerAttribute(null=True)
    target_type = UnicodeAttribute(null=True)
    target_id = UnicodeAttribute(null=True)
    ip = UnicodeAttribute(null=True)
    user_agent = UnicodeAttribute(null=True)
    device_id = UnicodeAttribute(null=True)
    details = JSONAttribute(null=True)


def new_event(event_id: str, at: str, **attributes: Any) -> AuditEventItem:
    sort_key = f"{at}#{event_id}"
    event = AuditEventItem(f"AUDIT#{event_id}", "EVENT", event_id=event_id, at=at, **attributes)
    event.GSI1PK, event.GSI1SK = shard_partition(shard_of(event_id)), sort_key
    if event.actor_id is not None:
        event.GSI2PK, event.GSI2SK = f"AUDIT#USER#{event.actor_id}", sort_key
    if event.group_id is not None:
        event.GSI3PK, event.GSI3SK = f"AUDIT#GROUP#{event.group_id}", sort_key
    if event.device_id:
        event.GSI4PK, event.GSI4SK = f"AUDIT#DEVICE#{event.device_id}", sort_key
    return event


def put(event: AuditEventItem) -> None:
    event.save(condition=AuditEventItem.PK.does_not_exist())


def is_sharded(partition: str | None) -> bool:
    return partition is not None and partition.startswith(SHARD_PREFIX)


def legacy_events(page_size: int = 100) -> Iterator[AuditEventItem]:
    """Audit events whose GSI1 key is not a shard key (written before sharding): a Scan of the
    table, operator tooling only (`gatehouse audit reshard`), never a request path."""
    condition = AuditEventItem.GSI1PK.startswith("AUDIT#") & ~AuditEventItem.GSI1PK.startswith(SHARD_PREFIX)
    for item in AuditEventItem.scan(filter_condition=condition, page_size=page_size):
        if isinstance(item, AuditEventItem) and not is_sharded(item.GSI1PK):
            yield item


def reshard(event: AuditEventItem) -> bool:
    """Move one event's GSI1 key to its shard key, on condition it still holds the key it was
    read with: True when moved, False when it no longer did (already moved, or gone)."""
    old = event.GSI1PK
    if old is None or is_sharded(old):
        return False
    try:
        event.update(
            actions=[AuditEventItem.GSI1PK.set(shard_partition(shard_of(event.event_id)))],
            condition=AuditEventItem.GSI1PK == old,  # noqa: SIM300 (an attribute, not a constant)
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True
