"""Reading the audit log (surface D's `/api/v1/logs/list/filtered`): filtered, sorted, paged.

The most selective filter picks the index (actor → GSI2, group → GSI3, device → GSI4; none →
GSI1, whose AUDIT_SHARDS shard keys are read in parallel, one Query each, and merged by sort
key); the time range is a key condition and any other filter a FilterExpression. A request
makes at most MAX_QUERIES Queries on one index, or AUDIT_SHARDS for the whole log (one round,
however sparse the table), and answers an opaque cursor to continue from.
"""

from __future__ import annotations

import base64
import binascii
import heapq
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from gatehouse.clock import iso, now
from gatehouse.data import audit_queries
from gatehouse.data.audit import AuditEventItem
from gatehouse.data.audit_queries import AuditIndex, EventFilter
from gatehouse.data.models import UserItem
from gatehouse.errors import ValidationFailed
from gatehouse.services import groups as group_rules

DEFAULT_PER_PAGE = 50
MAX_QUERIES = 8
DEFAULT_MONTHS_WITHOUT_FILTER = 12
_MOMENT = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2})(:\d{2}(?:\.\d{1,6})?)?)?Z?$")
_BEGINNING = "0000"


@dataclass(frozen=True)
class LogQuery:
    by_user: int | None = None
    by_group: int | None = None
    by_device: str | None = None
    # Prefixes of the stored ISO timestamps (`2025-07-28`, `2025-07-28T18:35`): inclusive bounds.
    since: str | None = None
    until: str | None = None
    newest_first: bool = True
    per_page: int = DEFAULT_PER_PAGE
    cursor: str | None = None


@dataclass(frozen=True)
class LogPage:
    events: list[AuditEventItem]
    next_cursor: str | None


def moment_prefix(field_name: str, value: str) -> str:
    """`2025-07-28`, `2025-07-28 18:35`, `2025-07-28T18:35:12Z` → the matching ISO prefix."""
    match = _MOMENT.match(value.strip())
    if not match:
        raise ValidationFailed.single(field_name, "date")
    day, minute, seconds = match.groups()
    return f"{day}T{minute}{seconds or ''}" if minute else day


def search(actor: UserItem, query: LogQuery) -> LogPage:
    group_rules.require_permission(actor, group_rules.LOGS_READ)
    if query.since and query.until and query.since > f"{query.until}{audit_queries.RANGE_END}":
        raise ValidationFailed.single("to", "after")
    index, partitions, event_filter = _plan(query)
    since = query.since or _BEGINNING
    until = query.until or iso(now())
    if index is audit_queries.BY_SHARD:
        return _search_shards(query, query.since or _default_since(until), until)
    position, start_key = _decode_cursor(query.cursor, partitions, index)
    events: list[AuditEventItem] = []
    for _ in range(MAX_QUERIES):
        page = audit_queries.query_page(
            index,
            partitions[position],
            since_iso=since,
            until_iso=until,
            newest_first=query.newest_first,
            limit=query.per_page - len(events),
            event_filter=event_filter,
            start_key=start_key,
        )
        events.extend(page.events)
        start_key = page.last_key
        if start_key is None:
            position += 1
            if position == len(partitions):
                return LogPage(events, None)
        if len(events) >= query.per_page:
            break
    return LogPage(events, _encode_cursor(partitions[position], start_key))


def _search_shards(query: LogQuery, since: str, until: str) -> LogPage:
    """The whole log: one Query per shard, merged; the cursor is the last sort key answered."""
    after = _decode_shard_cursor(query.cursor, since, until)
    page = audit_queries.query_shards(
        since_iso=since,
        until_iso=until,
        newest_first=query.newest_first,
        limit=query.per_page,
        after=after,
    )
    cursor = None if page.resume_after is None else _encode_shard_cursor(page.resume_after)
    return LogPage(page.events, cursor)


def _plan(query: LogQuery) -> tuple[AuditIndex, list[str], EventFilter]:
    if query.by_user is not None:
        return (
            audit_queries.BY_ACTOR,
            [audit_queries.actor_key(query.by_user)],
            EventFilter(group_id=query.by_group, device_id=query.by_device),
        )
    if query.by_group is not None:
        return (
            audit_queries.BY_GROUP,
            [audit_queries.group_key(query.by_group)],
            EventFilter(device_id=query.by_device),
        )
    if query.by_device is not None:
        return audit_queries.BY_DEVICE, [audit_queries.device_key(query.by_device)], EventFilter()
    return audit_queries.BY_SHARD, audit_queries.shard_keys(), EventFilter()


def _default_since(until: str) -> str:
    """Without `from`, the whole log reaches back DEFAULT_MONTHS_WITHOUT_FILTER months (counting
    the month of `until`): the first of those months, as a sort-key prefix."""
    last = until[:7]
    stamp = now() - timedelta(days=31 * (DEFAULT_MONTHS_WITHOUT_FILTER - 1))
    return min(iso(stamp)[:7], last)


def _encode_cursor(partition: str, start_key: dict[str, Any] | None) -> str:
    payload = json.dumps({"p": partition, "k": start_key}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def _encode_shard_cursor(after: str) -> str:
    payload = json.dumps({"a": after}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def _decode_shard_cursor(cursor: str | None, since: str, until: str) -> str | None:
    """Where to resume the whole log: the sort key last answered (`{at}#{event id}`, unique),
    which must lie in the requested range."""
    if cursor is None:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        after = payload["a"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise ValidationFailed.single("cursor", "format") from None
    if (
        not isinstance(after, str)
        or "#" not in after
        or not since <= after <= f"{until}{audit_queries.RANGE_END}"
    ):
        raise ValidationFailed.single("cursor", "format")
    return after


def _decode_cursor(
    cursor: str | None, partitions: list[str], index: AuditIndex
) -> tuple[int, dict[str, Any] | None]:
    """Where to resume: the partition's position and DynamoDB's start key (checked, not trusted)."""
    if cursor is None:
        return 0, None
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        position = partitions.index(payload["p"])
        start_key = payload["k"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise ValidationFailed.single("cursor", "format") from None
    if start_key is None:
        return position, None
    allowed = {"PK", "SK", index.partition_attribute, index.sort_attribute}
    if (
        not isinstance(start_key, dict)
        or set(start_key) != allowed
        or not all(
            isinstance(v, dict) and set(v) == {"S"} and isinstance(v["S"], str) for v in start_key.values()
        )
        or start_key[index.partition_attribute]["S"] != partitions[position]
    ):
        raise ValidationFailed.single("cursor", "format")
    return position, start_key


EXPORT_PAGE = 500


def export(since: str, until: str) -> Iterator[AuditEventItem]:
    """Every event between two instants (ISO prefixes, inclusive), oldest first: every shard key
    (`audit_queries.shard_keys`) read lazily a page of EXPORT_PAGE at a time and merged by sort
    key (operator tooling: `gatehouse audit export`)."""
    yield from heapq.merge(
        *(_export_partition(partition, since, until) for partition in audit_queries.shard_keys()),
        key=lambda event: event.GSI1SK or "",
    )


def _export_partition(partition: str, since: str, until: str) -> Iterator[AuditEventItem]:
    start_key: dict[str, Any] | None = None
    while True:
        page = audit_queries.query_page(
            audit_queries.BY_SHARD,
            partition,
            since_iso=since,
            until_iso=until,
            newest_first=False,
            limit=EXPORT_PAGE,
            event_filter=EventFilter(),
            start_key=start_key,
        )
        yield from page.events
        if page.last_key is None:
            return
        start_key = page.last_key
