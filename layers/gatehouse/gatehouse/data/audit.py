"""Audit events: one item per recorded action, indexed for D's filtered log."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import JSONAttribute, UnicodeAttribute

from gatehouse.data.models import IntegerAttribute, Item


def month_partition(at_iso: str) -> str:
    # One GSI1 partition per month keeps the "all events" index from being a single hot key.
    return f"AUDIT#{at_iso[:7]}"


class AuditEventItem(Item, discriminator="audit"):
    """Indexes: GSI1 all events by month, GSI2 by actor, GSI3 by actor's group, GSI4 by device.

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
    event.GSI1PK, event.GSI1SK = month_partition(at), sort_key
    if event.actor_id is not None:
        event.GSI2PK, event.GSI2SK = f"AUDIT#USER#{event.actor_id}", sort_key
    if event.group_id is not None:
        event.GSI3PK, event.GSI3SK = f"AUDIT#GROUP#{event.group_id}", sort_key
    if event.device_id:
        event.GSI4PK, event.GSI4SK = f"AUDIT#DEVICE#{event.device_id}", sort_key
    return event


def put(event: AuditEventItem) -> None:
    event.save(condition=AuditEventItem.PK.does_not_exist())
