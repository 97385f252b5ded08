"""The audit log's month index is sharded: writes spread over AUDIT_SHARDS keys a month, reads
merge them (and the unsharded key of events written before sharding) in sort-key order."""

from __future__ import annotations

import random
import uuid
import zlib
from collections.abc import Iterator
from typing import Any

import pytest

from gatehouse.data import audit as audit_store
from gatehouse.data import audit_queries
from gatehouse.data.models import UserItem
from gatehouse.errors import ValidationFailed
from gatehouse.services import admin_users, audit_log
from gatehouse_local.testing import CallCounter

MONTH = "2024-05"


@pytest.fixture
def root(embedded_aws: Any) -> UserItem:
    return admin_users.create_user(
        None, {"nickname": "root", "email": "root@example.com", "password": "secret-pass"}
    )


@pytest.fixture
def counter() -> Iterator[CallCounter]:
    counting = CallCounter()
    with counting.installed():
        yield counting


def plant(at: str, action: str, *, legacy: bool = False) -> str:
    """An event at `at`; `legacy` writes it as events were written before sharding."""
    event_id = uuid.uuid4().hex
    event = audit_store.new_event(event_id, at, action=action)
    if legacy:
        event.GSI1PK = audit_store.month_partition(at)
    audit_store.put(event)
    return action


def planted_month(count: int, legacy: int) -> list[str]:
    """`count` sharded and `legacy` unsharded events at distinct instants of MONTH, in time order."""
    chooser = random.Random(7)
    seconds = sorted(chooser.sample(range(30 * 86400), count + legacy))
    unsharded = set(chooser.sample(range(count + legacy), legacy))
    actions: list[str] = []
    for n, second in enumerate(seconds):
        day, rest = divmod(second, 86400)
        at = f"{MONTH}-{day + 1:02d}T{rest // 3600:02d}:{rest // 60 % 60:02d}:{rest % 60:02d}.000000Z"
        actions.append(plant(at, f"e{n:03d}", legacy=n in unsharded))
    return actions


def read_all(root: UserItem, per_page: int, newest_first: bool) -> tuple[list[str], int]:
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        query = audit_log.LogQuery(
            since=f"{MONTH}-01",
            until=f"{MONTH}-31",
            newest_first=newest_first,
            per_page=per_page,
            cursor=cursor,
        )
        page = audit_log.search(root, query)
        assert len(page.events) <= per_page
        seen += [event.action for event in page.events]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            return seen, pages


def test_audit_events_land_on_their_months_shard_key_by_event_id(embedded_aws: Any) -> None:
    shards = set()
    for _ in range(400):
        event_id = uuid.uuid4().hex
        event = audit_store.new_event(event_id, "2025-07-28T18:35:12.000000Z", action="x")
        shard = zlib.crc32(event_id.encode()) % audit_store.AUDIT_SHARDS
        assert f"AUDIT#2025-07#{shard:02d}" == event.GSI1PK
        assert f"2025-07-28T18:35:12.000000Z#{event_id}" == event.GSI1SK
        shards.add(shard)
    assert shards == set(range(audit_store.AUDIT_SHARDS))  # no month key takes every write


def test_a_months_keys_are_its_shards_then_the_unsharded_key() -> None:
    keys = audit_queries.month_keys("2025-07")
    assert keys == [f"AUDIT#2025-07#{shard:02d}" for shard in range(16)] + ["AUDIT#2025-07"]


def test_the_whole_log_merges_every_shard_and_older_unsharded_events_in_order_across_pages(
    root: UserItem,
) -> None:
    actions = planted_month(60, legacy=5)
    newest, pages = read_all(root, per_page=7, newest_first=True)
    assert newest == actions[::-1]
    assert pages == 10  # 65 events, 7 a page
    oldest, _ = read_all(root, per_page=7, newest_first=False)
    assert oldest == actions
    single, _ = read_all(root, per_page=100, newest_first=True)
    assert single == actions[::-1]


def test_a_month_read_is_one_query_per_shard_and_one_on_the_unsharded_key(
    root: UserItem, counter: CallCounter
) -> None:
    planted_month(30, legacy=1)
    counter.reset()
    page = audit_log.search(root, audit_log.LogQuery(since=f"{MONTH}-01", until=f"{MONTH}-31", per_page=10))
    assert len(page.events) == 10
    assert counter.operations["Query"] == audit_store.AUDIT_SHARDS + 1
    assert counter.operations["Scan"] == 0


def test_a_page_ends_exactly_where_the_next_one_resumes(root: UserItem) -> None:
    actions = planted_month(20, legacy=2)
    query = audit_log.LogQuery(since=f"{MONTH}-01", until=f"{MONTH}-31", newest_first=False, per_page=22)
    page = audit_log.search(root, query)
    assert [event.action for event in page.events] == actions
    # A full page may have more after it: the cursor resumes after its last event, with nothing.
    if page.next_cursor is not None:
        rest = audit_log.search(
            root,
            audit_log.LogQuery(
                since=f"{MONTH}-01",
                until=f"{MONTH}-31",
                newest_first=False,
                per_page=22,
                cursor=page.next_cursor,
            ),
        )
        assert rest.events == []
        assert rest.next_cursor is None


def test_a_month_cursor_for_another_range_is_refused(root: UserItem) -> None:
    planted_month(5, legacy=0)
    first = audit_log.search(root, audit_log.LogQuery(since=f"{MONTH}-01", until=f"{MONTH}-31", per_page=2))
    assert first.next_cursor is not None
    with pytest.raises(ValidationFailed):
        audit_log.search(
            root, audit_log.LogQuery(since="2023-01-01", until="2023-02-28", cursor=first.next_cursor)
        )


def test_the_export_merges_every_shard_and_older_unsharded_events_oldest_first(embedded_aws: Any) -> None:
    actions = planted_month(40, legacy=4)
    plant("2024-06-02T00:00:00.000000Z", "june")
    plant("2024-04-30T23:59:59.000000Z", "april")
    exported = [event.action for event in audit_log.export(f"{MONTH}-01", "2024-06-30")]
    assert exported == [*actions, "june"]
