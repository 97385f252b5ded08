"""gatehouse.data.directory without DynamoDB: tokens, page blocks, the writes a change makes."""

from __future__ import annotations

from gatehouse.data import directory
from gatehouse.data.directory import Blocks, Entry


def test_page_blocks_find_the_block_holding_an_offset_and_what_to_skip_in_it() -> None:
    blocks = Blocks(total=50, counts={0: 10, 3: 30, 7: 10})  # ids 0-31: 10, 96-127: 30, 224-255: 10
    assert blocks.complete
    assert blocks.start_of(0) == (0, 0)
    assert blocks.start_of(9) == (0, 9)
    assert blocks.start_of(10) == (96, 0)
    assert blocks.start_of(45) == (224, 5)
    assert blocks.start_of(50) == (-1, 0)  # past the end
    assert not Blocks(total=51, counts={0: 50}).complete  # users written before the blocks
    raw = {"PK": {"S": "ORG#1"}, "b3": {"N": "2"}, "b4": {"N": "0"}, "entity": {"S": "pages"}}
    assert Blocks.of_raw(raw, 2).counts == {3: 2}


def test_a_change_writes_each_search_head_once_and_only_the_postings_that_change() -> None:
    anna = Entry(5, ("анна", "ким", "a@x.kz"), 1)
    renamed = Entry(5, ("анна", "ли", "a@x.kz"), 1)
    writes = directory.index_changes([anna], [renamed])
    gone = {w.item.PK for w in writes if w.operation == "delete"}
    assert gone == {"SEARCH#ALL#к", "SEARCH#ALL#ки", "SEARCH#ALL#ким"}
    heads = [w.item.PK for w in writes if w.operation == "update"]
    assert len(heads) == len(set(heads))  # one transaction touches an item once
    assert directory.index_changes([anna], [anna]) == []  # nothing searchable changed
    created = directory.index_changes([], [anna, Entry(6, ("анна",), 1)])
    head_pks = [w.item.PK for w in created if w.operation == "update"]
    assert head_pks.count("SEARCH#ALL#анна") == 1  # two users, one merged head write
    assert len(created) <= 2 * 2 * directory.MAX_TOKENS


def test_every_user_has_at_most_max_tokens() -> None:
    found = directory.words("Анна-Мария Ольга Петровна", "Ким", "very.long.address@example.com")
    assert found == ["анна-мария", "ольга", "very.long.address@example.com"]
    assert len(directory.tokens(found)) <= directory.MAX_TOKENS == 15
