"""Atomic integer ids: one UpdateItem ADD per id, exact under any concurrency."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import UpdateError

from gatehouse.data import reads
from gatehouse.data.models import CounterItem


def next_id(name: str) -> int:
    counter = CounterItem(*CounterItem.key(name))
    counter.update(actions=[CounterItem.value.add(1), CounterItem.entity.set(CounterItem)])
    return counter.value


def next_ids(name: str, count: int) -> range:
    """`count` new ids at once (one atomic ADD): the block below the counter's new value."""
    counter = CounterItem(*CounterItem.key(name))
    counter.update(actions=[CounterItem.value.add(count), CounterItem.entity.set(CounterItem)])
    return range(counter.value - count + 1, counter.value + 1)


def advance(name: str, at_least: int) -> None:
    """Make the counter at least `at_least` (the next id it hands out is above it): one
    conditional SET, which fails harmlessly when the counter is already there or beyond."""
    counter = CounterItem(*CounterItem.key(name))
    try:
        counter.update(
            actions=[CounterItem.value.set(at_least), CounterItem.entity.set(CounterItem)],
            condition=CounterItem.value.does_not_exist() | (CounterItem.value < at_least),
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise


def add(name: str, delta: int) -> None:
    """Move a count (not an id) by `delta` with one atomic ADD."""
    counter = CounterItem(*CounterItem.key(name))
    counter.update(actions=[CounterItem.value.add(delta), CounterItem.entity.set(CounterItem)])


def current(name: str) -> int:
    """A count's value (0 before its first change): one GetItem."""
    return max(value_in(reads.raw_item(*CounterItem.key(name))), 0)


def value_in(raw: dict[str, Any] | None) -> int:
    """The value of a counter read as DynamoDB answers it (0 when absent or never set)."""
    value = raw.get(CounterItem.value.attr_name) if raw else None
    return int(value["N"]) if value else 0
