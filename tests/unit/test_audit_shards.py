"""The audit log's index is sharded: writes spread over AUDIT_SHARDS keys (no month in the key),
a page of the whole log merges one Query per shard in sort-key order, whatever the time range;
`reshard` moves events written before sharding to their shard key."""

from __future__ import annotations

import random
import uuid
import zlib
from collections.abc import Iterator
from typing import Any

import pytest

from gatehouse.contracts.users_admin import NewUser
from gatehouse.data import audit as audit_store
from gatehouse.data import audit_queries
from gatehouse.data.models import UserItem
from gatehouse.errors import ValidationFailed
from gatehouse.services import users_admin_logs, users_admin_users
from gatehouse_local.testing import CallCounter

MONTH = "2024-05"


@pytest.fixture
def root(embedded_aws: Any) -> UserItem:
    return users_admin_users.create_user(
        None, NewUser.parse({"nickname": "root", "email": "root@example.com", "password": "secret-pass"})
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
        event.GSI1PK = audit_store.legacy_month_partition(at)
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
        query = users_admin_logs.LogQuery(
            since=f"{MONTH}-01",
            until=f"{MONTH}-31",
            newest_first=newest_first,
            per_page=per_page,
            cursor=cursor,
        )
        page = users_admin_logs.search(root, query)
        assert len(page.events) <= per_page
        seen += [event.action for event in page.events]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            return seen, pages


def test_audit_events_land_on_their_shard_key_by_event_id_whatever_the_month(embedded_aws: Any) -> None:
    shards = set()
    for n in range(400):
        event_id = uuid.uuid4().hex
        at = f"20{20 + n % 7}-{1 + n % 12:02d}-28T18:35:12.000000Z"
        event = audit_store.new_event(event_id, at, action="x")
        shard = zlib.crc32(event_id.encode()) % audit_store.AUDIT_SHARDS
        assert f"AUDIT#SHARD#{shard:02d}" == event.GSI1PK
        assert f"{at}#{event_id}" == event.GSI1SK
        shards.add(shard)
    assert shards == set(range(audit_store.AUDIT_SHARDS))  # no key takes every write


def test_the_logs_keys_are_its_shards() -> None:
    assert audit_queries.shard_keys() == [f"AUDIT#SHARD#{shard:02d}" for shard in range(16)]


def test_the_whole_log_merges_every_shard_in_order_across_pages(root: UserItem) -> None:
    actions = planted_month(65, legacy=0)
    newest, pages = read_all(root, per_page=7, newest_first=True)
    assert newest == actions[::-1]
    assert pages == 10  # 65 events, 7 a page
    oldest, _ = read_all(root, per_page=7, newest_first=False)
    assert oldest == actions
    single, _ = read_all(root, per_page=100, newest_first=True)
    assert single == actions[::-1]


def test_a_page_of_the_whole_log_is_one_query_per_shard(root: UserItem, counter: CallCounter) -> None:
    planted_month(30, legacy=0)
    counter.reset()
    page = users_admin_logs.search(
        root, users_admin_logs.LogQuery(since=f"{MONTH}-01", until=f"{MONTH}-31", per_page=10)
    )
    assert len(page.events) == 10
    assert counter.operations["Query"] == audit_store.AUDIT_SHARDS
    assert counter.operations["Scan"] == 0


def test_a_year_long_range_over_a_sparse_log_is_still_one_query_per_shard(
    root: UserItem, counter: CallCounter
) -> None:
    plant("2023-01-15T00:00:00.000000Z", "january")
    plant("2023-12-15T00:00:00.000000Z", "december")
    counter.reset()
    page = users_admin_logs.search(
        root, users_admin_logs.LogQuery(since="2023-01-01", until="2023-12-31", per_page=10)
    )
    assert [event.action for event in page.events] == ["december", "january"]
    assert page.next_cursor is None
    assert counter.operations["Query"] == audit_store.AUDIT_SHARDS
    assert counter.operations["Scan"] == 0


def test_a_date_range_is_a_key_condition_on_every_shard(root: UserItem) -> None:
    plant("2024-04-30T23:59:59.000000Z", "april")
    plant("2024-05-01T00:00:00.000000Z", "may")
    plant("2024-06-01T00:00:00.000000Z", "june")
    page = users_admin_logs.search(root, users_admin_logs.LogQuery(since="2024-05-01", until="2024-05-31"))
    assert [event.action for event in page.events] == ["may"]


def test_a_page_ends_exactly_where_the_next_one_resumes(root: UserItem) -> None:
    actions = planted_month(22, legacy=0)
    query = users_admin_logs.LogQuery(
        since=f"{MONTH}-01", until=f"{MONTH}-31", newest_first=False, per_page=22
    )
    page = users_admin_logs.search(root, query)
    assert [event.action for event in page.events] == actions
    # A full page may have more after it: the cursor resumes after its last event, with nothing.
    if page.next_cursor is not None:
        rest = users_admin_logs.search(
            root,
            users_admin_logs.LogQuery(
                since=f"{MONTH}-01",
                until=f"{MONTH}-31",
                newest_first=False,
                per_page=22,
                cursor=page.next_cursor,
            ),
        )
        assert rest.events == []
        assert rest.next_cursor is None


def test_a_cursor_for_another_range_is_refused(root: UserItem) -> None:
    planted_month(5, legacy=0)
    first = users_admin_logs.search(
        root, users_admin_logs.LogQuery(since=f"{MONTH}-01", until=f"{MONTH}-31", per_page=2)
    )
    assert first.next_cursor is not None
    with pytest.raises(ValidationFailed):
        users_admin_logs.search(
            root, users_admin_logs.LogQuery(since="2023-01-01", until="2023-02-28", cursor=first.next_cursor)
        )


def test_the_export_merges_every_shard_oldest_first(embedded_aws: Any) -> None:
    actions = planted_month(44, legacy=0)
    plant("2024-06-02T00:00:00.000000Z", "june")
    plant("2024-04-30T23:59:59.000000Z", "april")
    exported = [event.action for event in users_admin_logs.export(f"{MONTH}-01", "2024-06-30")]
    assert exported == [*actions, "june"]


def test_the_request_path_reads_only_shard_keys_until_reshard_moves_older_events(
    root: UserItem, counter: CallCounter
) -> None:
    actions = planted_month(40, legacy=6)
    newest, _ = read_all(root, per_page=100, newest_first=True)
    assert len(newest) == 40  # the 6 unsharded events are not read
    counter.reset()
    moved = [audit_store.reshard(event) for event in audit_store.legacy_events()]
    assert moved == [True] * 6
    assert counter.operations["UpdateItem"] == 6
    newest, _ = read_all(root, per_page=7, newest_first=True)
    assert newest == actions[::-1]
    assert [event.action for event in users_admin_logs.export(f"{MONTH}-01", f"{MONTH}-31")] == actions
    assert list(audit_store.legacy_events()) == []  # a second run finds nothing to move


def test_reshard_moves_an_event_only_if_it_still_holds_the_key_it_was_read_with(embedded_aws: Any) -> None:
    plant("2024-05-02T00:00:00.000000Z", "old", legacy=True)
    [first] = list(audit_store.legacy_events())
    [again] = list(audit_store.legacy_events())
    assert audit_store.reshard(first) is True
    assert audit_store.reshard(again) is False  # moved meanwhile: the conditional update refuses
    stored = audit_store.AuditEventItem.get(f"AUDIT#{first.event_id}", "EVENT")
    assert f"AUDIT#SHARD#{audit_store.shard_of(first.event_id):02d}" == stored.GSI1PK


def test_every_shard_is_queried_at_once_within_the_clients_connection_pool() -> None:
    from gatehouse.data.models import Item

    assert audit_queries.PARALLEL_QUERIES == audit_store.AUDIT_SHARDS
    assert Item.Meta.max_pool_connections > audit_queries.PARALLEL_QUERIES
