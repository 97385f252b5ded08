"""Reading the audit log: Query on one of the audit indexes, never reading the whole table.

Every index sorts by `{at}#{event id}`, so a time range is a `BETWEEN` on the sort key.
A page of one actor, group or device is one Query call (the caller loops, with a cap, when a
filter thins a page out); a page of the whole log (GSI1, sharded) is one Query on each shard
key, in parallel, merged by sort key: AUDIT_SHARDS calls, whatever the time range.
"""

from __future__ import annotations

import contextvars
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from pynamodb.constants import QUERY
from pynamodb.expressions.condition import Condition

from gatehouse.data.audit import AUDIT_SHARDS, AuditEventItem, shard_partition
from gatehouse.data.models import call

# The highest character an event id or timestamp can hold is below "~": it closes a range.
RANGE_END = "~"


@dataclass(frozen=True)
class AuditIndex:
    """Which index a query walks, and how its partition and sort key are named."""

    name: str
    partition_attribute: str
    sort_attribute: str


BY_SHARD = AuditIndex("GSI1", "GSI1PK", "GSI1SK")
BY_ACTOR = AuditIndex("GSI2", "GSI2PK", "GSI2SK")
BY_GROUP = AuditIndex("GSI3", "GSI3PK", "GSI3SK")
BY_DEVICE = AuditIndex("GSI4", "GSI4PK", "GSI4SK")


def shard_keys() -> list[str]:
    """Every GSI1 key the whole log lives under, one per shard."""
    return [shard_partition(shard) for shard in range(AUDIT_SHARDS)]


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
    high = f"{until_iso}{RANGE_END}"
    request = _query_request(index, since_iso, high, newest_first, limit, event_filter.condition(), start_key)
    return _run(request, partition)


@dataclass(frozen=True)
class MergedPage:
    events: list[AuditEventItem]
    # The sort key of the last event returned when the log may hold more, else None.
    resume_after: str | None


# Every shard at once, below the client's connection pool (`Item.Meta.max_pool_connections`,
# 20), so no thread waits for a connection.
PARALLEL_QUERIES = AUDIT_SHARDS
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=PARALLEL_QUERIES, thread_name_prefix="audit-shard")
        return _pool


def query_shards(
    *,
    since_iso: str,
    until_iso: str,
    newest_first: bool,
    limit: int,
    after: str | None = None,
) -> MergedPage:
    """The first `limit` events of the whole log between the two instants, in time order,
    resuming after sort key `after`: one Query per shard key (AUDIT_SHARDS, in parallel), each
    for `limit + 1` events, merged by sort key.

    The range is inclusive of `after` (a key condition has one bound per side) and the event
    holding it is dropped; it is in one shard only, so `limit + 1` per shard is enough: an
    event a shard did not return sorts after `limit` events it did. A shard that stopped short
    of `limit + 1` with more to read (DynamoDB's 1 MB page) bounds the page at its last event.
    """
    low, high = since_iso, f"{until_iso}{RANGE_END}"
    if after is not None:
        if newest_first:
            high = min(high, after)
        else:
            low = max(low, after)
    if low > high:
        return MergedPage([], None)

    request = _query_request(BY_SHARD, low, high, newest_first, limit + 1, None, None)

    def one(partition: str) -> EventPage:
        return _run(request, partition)

    _ = AuditEventItem._get_connection().connection.client  # built once, before threads share it
    futures = [
        _executor().submit(contextvars.copy_context().run, one, partition) for partition in shard_keys()
    ]
    pages = [future.result() for future in futures]

    def sort_key(event: AuditEventItem) -> str:
        return event.GSI1SK or ""

    merged = sorted(
        (event for page in pages for event in page.events if after != event.GSI1SK),
        key=sort_key,
        reverse=newest_first,
    )
    more = len(merged) > limit
    # A shard cut short: nothing past its last event is known to be in order.
    horizons = [
        sort_key(page.events[-1])
        for page in pages
        if page.last_key is not None and len(page.events) <= limit and page.events
    ]
    if horizons:
        horizon = max(horizons) if newest_first else min(horizons)
        merged = [
            event
            for event in merged
            if (sort_key(event) >= horizon if newest_first else sort_key(event) <= horizon)
        ]
        more = True
    events = merged[:limit]
    return MergedPage(events, events[-1].GSI1SK if more and events else None)


def _query_request(
    index: AuditIndex,
    low: str,
    high: str,
    newest_first: bool,
    limit: int,
    condition: Condition | None,
    start_key: dict[str, Any] | None,
) -> dict[str, Any]:
    """A Query on `index` between `low` and `high`, for any partition (`_run` names it): written
    out once rather than built by PynamoDB's expression classes for each of the 16 shards."""
    names = {"#partition": index.partition_attribute, "#sort": index.sort_attribute}
    values: dict[str, Any] = {":low": {"S": low}, ":high": {"S": high}}
    request: dict[str, Any] = {
        "TableName": AuditEventItem._get_connection().table_name,
        "IndexName": index.name,
        "KeyConditionExpression": "#partition = :partition AND #sort BETWEEN :low AND :high",
        "ScanIndexForward": not newest_first,
        "Limit": limit,
    }
    if condition is not None:
        # PynamoDB's placeholders (#0, :0, …) cannot meet the named ones above.
        placeholders: dict[str, str] = {}
        request["FilterExpression"] = condition.serialize(placeholders, values)
        names.update({placeholder: name for name, placeholder in placeholders.items()})
    if start_key is not None:
        request["ExclusiveStartKey"] = start_key
    request["ExpressionAttributeNames"] = names
    request["ExpressionAttributeValues"] = values
    return request


def _run(request: dict[str, Any], partition: str) -> EventPage:
    """One Query call: `request` on `partition`, through the table's PynamoDB connection."""
    values = {**request["ExpressionAttributeValues"], ":partition": {"S": partition}}
    result = call(QUERY, {**request, "ExpressionAttributeValues": values})
    events = [AuditEventItem.from_raw_data(raw) for raw in result.get("Items", [])]
    last_key: dict[str, Any] | None = result.get("LastEvaluatedKey")
    return EventPage(
        events=[event for event in events if isinstance(event, AuditEventItem)], last_key=last_key
    )
