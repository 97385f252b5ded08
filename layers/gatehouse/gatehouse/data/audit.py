"""Audit events: one item per recorded action, indexed for D's filtered log."""

from __future__ import annotations

import zlib
from typing import Any

from pynamodb.attributes import JSONAttribute, UnicodeAttribute

from gatehouse.data.models import IntegerAttribute, Item

# GSI1 ("all events") spreads each month over this many partition keys, `AUDIT#{month}#{shard}`,
# the shard taken from the event id's CRC-32: no single key takes every audited write, so the
# write rate is not capped by one partition. A month's read merges AUDIT_SHARDS Queries, plus
# one on the unsharded key events written before sharding carry (`AUDIT#{month}`).
AUDIT_SHARDS = 16


def month_partition(at_iso: str) -> str:
    """The month's unsharded GSI1 key (`AUDIT#2025-07`): the base of its shard keys, and where
    events written before sharding live."""
    return f"AUDIT#{at_iso[:7]}"


def shard_of(event_id: str) -> int:
    return zlib.crc32(event_id.encode()) % AUDIT_SHARDS


def shard_partition(month_key: str, shard: int) -> str:
    """`AUDIT#2025-07`, 3 → `AUDIT#2025-07#03`."""
    return f"{month_key}#{shard:02d}"


class AuditEventItem(Item, discriminator="audit"):
    """Indexes: GSI1 all events by month (sharded), GSI2 by actor, GSI3 by actor's group, GSI4 by
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
    event.GSI1PK, event.GSI1SK = shard_partition(month_partition(at), shard_of(event_id)), sort_key
    if event.actor_id is not None:
        event.GSI2PK, event.GSI2SK = f"AUDIT#USER#{event.actor_id}", sort_key
    if event.group_id is not None:
        event.GSI3PK, event.GSI3SK = f"AUDIT#GROUP#{event.group_id}", sort_key
    if event.device_id:
        event.GSI4PK, event.GSI4SK = f"AUDIT#DEVICE#{event.device_id}", sort_key
    return event


def put(event: AuditEventItem) -> None:
    event.save(condition=AuditEventItem.PK.does_not_exist())
