"""`data.reads`: a few items by key in one BatchGetItem, keys left unprocessed asked again."""

from __future__ import annotations

from typing import Any

import pytest

from gatehouse.data import reads
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


def test_keys_left_unprocessed_are_asked_again(embedded_aws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    keys = put_counters(2)
    connection = Item._get_connection().connection
    dispatch = connection.dispatch
    asked: list[int] = []

    def first_answer_leaves_one_key(operation: str, request: dict[str, Any]) -> Any:
        table, wanted = next(iter(request["RequestItems"].items()))
        asked.append(len(wanted["Keys"]))
        if len(asked) > 1:
            return dispatch(operation, request)
        answer = dispatch(operation, {"RequestItems": {table: {"Keys": wanted["Keys"][:1]}}})
        answer["UnprocessedKeys"] = {table: {"Keys": wanted["Keys"][1:]}}
        return answer

    monkeypatch.setattr(connection, "dispatch", first_answer_leaves_one_key)
    assert len(reads.raw_items(keys)) == 2
    assert asked == [2, 1]


def test_more_keys_than_one_batch_reads_are_refused(embedded_aws: Any) -> None:
    keys = [(f"COUNTER#{n}", "COUNTER") for n in range(reads.BATCH_GET_KEYS + 1)]
    with pytest.raises(ValueError, match="at most 100"):
        reads.raw_items(keys)
