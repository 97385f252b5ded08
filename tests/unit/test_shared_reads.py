"""`data.reads`: one item by key, a few items by key in one BatchGetItem (keys left unprocessed asked again), and
the first items of an index partition as PynamoDB's index query answers them."""

from __future__ import annotations

from typing import Any

import pytest

from gatehouse.data import groups, reads
from gatehouse.data.groups import GroupItem
from gatehouse.data.models import CounterItem, Item


def put_counters(count: int) -> list[tuple[str, str]]:
    keys = []
    for n in range(count):
        pk, sk = CounterItem.key(f"reads-{n}")
        CounterItem(pk, sk, value=n).save()
        keys.append((pk, sk))
    return keys


def test_found_items_are_read_once_each_as_their_models(embedded_aws: Any) -> None:
    keys = put_counters(3)
    found = reads.items([*keys, keys[0], ("COUNTER#absent", "COUNTER")])
    assert sorted((item.PK, item.value) for item in found if isinstance(item, CounterItem)) == sorted(
        (pk, n) for n, (pk, _) in enumerate(keys)
    )
    assert len(found) == 3


def test_one_item_by_key_is_what_the_model_reads_or_none(embedded_aws: Any) -> None:
    (key,) = put_counters(1)
    CounterItem(*CounterItem.key("reads-0"), value=7).save()
    read = reads.item(*key, CounterItem)
    assert isinstance(read, CounterItem)
    assert read.attribute_values == CounterItem.get(*key).attribute_values
    assert reads.raw_item(*key) == CounterItem.get(*key).serialize()
    assert reads.item("COUNTER#absent", "COUNTER", CounterItem) is None
    assert reads.raw_item("COUNTER#absent", "COUNTER") is None
    # An item of another kind at the key reads as nothing of the asked kind.
    assert reads.item(*key, GroupItem) is None


def test_keys_left_unprocessed_are_asked_again(embedded_aws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    keys = put_counters(2)
    connection = Item._get_connection().connection
    make_api_call = connection._make_api_call
    asked: list[int] = []

    def first_answer_leaves_one_key(operation: str, request: dict[str, Any]) -> Any:
        table, wanted = next(iter(request["RequestItems"].items()))
        asked.append(len(wanted["Keys"]))
        if len(asked) > 1:
            return make_api_call(operation, request)
        answer = make_api_call(operation, {"RequestItems": {table: {"Keys": wanted["Keys"][:1]}}})
        answer["UnprocessedKeys"] = {table: {"Keys": wanted["Keys"][1:]}}
        return answer

    monkeypatch.setattr(connection, "_make_api_call", first_answer_leaves_one_key)
    assert len(reads.raw_items(keys)) == 2
    assert asked == [2, 1]


def test_more_keys_than_one_batch_reads_are_refused(embedded_aws: Any) -> None:
    keys = [(f"COUNTER#{n}", "COUNTER") for n in range(reads.BATCH_GET_KEYS + 1)]
    with pytest.raises(ValueError, match="at most 100"):
        reads.raw_items(keys)


def put_groups(count: int) -> None:
    for n in range(1, count + 1):
        groups.put(
            groups.new_group(n, name=f"group {n:02d}", created_at="2026-01-01", updated_at="2026-01-01")
        )


def test_a_partition_window_answers_what_pynamodb_answers_page_by_page(embedded_aws: Any) -> None:
    put_groups(7)
    index_name, partition = "GSI1", groups.GROUPS_PARTITION
    for limit, page_size in [(0, 1), (3, 2), (7, 3), (10, 4), (7, 7)]:
        ours = reads.partition_window(
            partition, index_name=index_name, limit=limit, page_size=page_size
        ).items
        theirs = list(Item.gsi1.query(partition, limit=limit, page_size=page_size))
        assert [(item.PK, type(item)) for item in ours] == [(item.PK, type(item)) for item in theirs]
        assert [item.attribute_values for item in ours] == [item.attribute_values for item in theirs]


def test_a_partition_window_drops_items_of_no_registered_entity(embedded_aws: Any) -> None:
    put_groups(2)
    client = embedded_aws.client("dynamodb")
    table = Item.Meta.table_name
    for pk, entity in (("STRAY#1", None), ("STRAY#2", {"S": "no_such_entity"})):
        item = {
            "PK": {"S": pk},
            "SK": {"S": "X"},
            "GSI1PK": {"S": groups.GROUPS_PARTITION},
            "GSI1SK": {"S": "0"},
        }
        client.put_item(TableName=table, Item=item if entity is None else {**item, "entity": entity})
    ours = reads.partition_window(groups.GROUPS_PARTITION, index_name="GSI1", limit=10, page_size=1).items
    theirs = list(Item.gsi1.query(groups.GROUPS_PARTITION, limit=10, page_size=1))
    assert [item.PK for item in ours] == [item.PK for item in theirs]
    assert len(ours) == 2


def test_a_window_from_a_sort_key_or_of_the_table_answers_what_pynamodb_answers(embedded_aws: Any) -> None:
    put_groups(6)
    start = "GROUP#000000000003"
    ours = reads.partition_window(
        groups.GROUPS_PARTITION, index_name="GSI1", sort_from=start, limit=3, page_size=2
    ).items
    sort_key = Item.GSI1SK
    theirs = Item.gsi1.query(groups.GROUPS_PARTITION, sort_key >= start, limit=3, page_size=2)
    assert [item.attribute_values for item in ours] == [item.attribute_values for item in theirs]
    assert [item.GSI1SK for item in ours] == [f"GROUP#00000000000{n}" for n in (3, 4, 5)]
    pk = groups.group_key(2)[0]
    assert [item.attribute_values for item in reads.partition_window(pk, limit=5, page_size=5).items] == [
        item.attribute_values for item in Item.query(pk, limit=5, page_size=5)
    ]


def test_a_page_of_one_kind_after_a_key_answers_what_pynamodb_answers_and_says_when_more_may_follow(
    embedded_aws: Any,
) -> None:
    put_groups(5)
    client = embedded_aws.client("dynamodb")
    stray = {"PK": {"S": "STRAY"}, "SK": {"S": "X"}, "entity": {"S": "counter"}, "value": {"N": "1"}}
    stray |= {"GSI1PK": {"S": groups.GROUPS_PARTITION}, "GSI1SK": {"S": "GROUP#000000000002~"}}
    client.put_item(TableName=Item.Meta.table_name, Item=stray)  # another entity amid the groups
    sort_key = Item.GSI1SK
    for after in (None, "GROUP#000000000001", "GROUP#000000000004", "GROUP#000000000005"):
        for limit in (1, 2, 3, 5, 6, 9):
            ours = reads.partition_window(
                groups.GROUPS_PARTITION, index_name="GSI1", after=after, kind=GroupItem, limit=limit
            )
            condition = sort_key > after if after is not None else None
            theirs = GroupItem.gsi1.query(groups.GROUPS_PARTITION, range_key_condition=condition, limit=limit)
            assert [item.attribute_values for item in ours.items] == [
                item.attribute_values for item in theirs
            ]
            assert ours.more == (theirs.last_evaluated_key is not None), (after, limit)
