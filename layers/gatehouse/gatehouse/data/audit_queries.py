"""Reading the audit log: Query on one of the audit indexes, never reading the whole table.

Every index sorts by `{at}#{event id}`, so a time range is a `BETWEEN` on the sort key.
A page is one Query call; the caller loops (with a cap) when a filter thins a page out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pynamodb.expressions.condition import Condition

from gatehouse.data.audit import AuditEventItem, month_partition

# The highest character an event id or timestamp can hold is below "~": it closes a range.
RANGE_END = "~"


@dataclass(frozen=True)
class AuditIndex:
    """Which index a query walks, and how its partition and sort key are named."""

    name: str
    partition_attribute: str
    sort_attribute: str


BY_MONTH = AuditIndex("GSI1", "GSI1PK", "GSI1SK")
BY_ACTOR = AuditIndex("GSI2", "GSI2PK", "GSI2SK")
BY_GROUP = AuditIndex("GSI3", "GSI3PK", "GSI3SK")
BY_DEVICE = AuditIndex("GSI4", "GSI4PK", "GSI4SK")


def month_key(month: str) -> str:
    """`2025-07` → the GSI1 partition holding that month's events."""
    return month_partition(f"{month}-")


def actor_key(user_id: int) -> str:
    return f"AUDIT#USER#{user_id}"


def group_key(group_id: int) -> str:
    return f"AUDIT#GROUP#{group_id}"


def device_key(device_id: str) -> str:
    return f"AUDIT#DEVICE#{device_id}"


@dataclass(frozen=True)
class EventFilter:
    """Filters applied after the key condition (the index already covers the most selective one)."""

    actor_id: int | None = None
    group_id: int | None = None
    device_id: str | None = None

    def condition(self) -> Condition | None:
        parts: list[Condition] = []
        if self.actor_id is not None:
            parts.append(AuditEventItem.actor_id == self.actor_id)
        if self.group_id is not None:
            parts.append(AuditEventItem.group_id == self.group_id)
        if self.device_id is not None:
            parts.append(AuditEventItem.device_id == self.device_id)
        combined: Condition | None = None
        for part in parts:
            combined = part if combined is None else combined & part
        return combined


@dataclass(frozen=True)
class EventPage:
    events: list[AuditEventItem]
    # DynamoDB's LastEvaluatedKey (attribute-value JSON), None when the partition is exhausted.
    last_key: dict[str, Any] | None


def query_page(
    index: AuditIndex,
    partition: str,
    *,
    since_iso: str,
    until_iso: str,
    newest_first: bool,
    limit: int,
    event_filter: EventFilter,
    start_key: dict[str, Any] | None = None,
) -> EventPage:
    """One Query call on `index`: events of `partition` between the two instants, in time order."""
    sort_key = getattr(AuditEventItem, index.sort_attribute)
    result = AuditEventItem._get_connection().query(
        partition,
        range_key_condition=sort_key.between(since_iso, f"{until_iso}{RANGE_END}"),
        filter_condition=event_filter.condition(),
        index_name=index.name,
        limit=limit,
        scan_index_forward=not newest_first,
        exclusive_start_key=start_key,
    )
    events = [AuditEventItem.from_raw_data(raw) for raw in result.get("Items", [])]
    last_key: dict[str, Any] | None = result.get("LastEvaluatedKey")
    return EventPage(
        events=[event for event in events if isinstance(event, AuditEventItem)], last_key=last_key
    )
