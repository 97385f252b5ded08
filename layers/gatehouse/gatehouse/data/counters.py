"""Atomic integer ids: one UpdateItem ADD per id, exact under any concurrency."""

from __future__ import annotations

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


def add(name: str, delta: int) -> None:
    """Move a count (not an id) by `delta` with one atomic ADD."""
    counter = CounterItem(*CounterItem.key(name))
    counter.update(actions=[CounterItem.value.add(delta), CounterItem.entity.set(CounterItem)])


def current(name: str) -> int:
    """A count's value (0 before its first change): one GetItem."""
    try:
        return max(CounterItem.get(*CounterItem.key(name)).value, 0)
    except CounterItem.DoesNotExist:
        return 0
