"""moto's table in key order, each key's value cast once: the counting sections' moto, faster.

moto 5.2.5 answers every Query of an index (and every Scan) by sorting the whole table
(`Table.all_items`) with `DynamoType.__lt__`, which casts both values on each comparison:
~2 n log n casts per Query, most of the write-keys and calls sections' time (D's log alone is
16 index Queries a read). Sorting by each key's cast value, computed once per item, gives the
same order: one table's key attributes have one type (its schema), and DynamoType equality is
then equality of the cast values. Only what moto answers, and how fast, is at stake: no figure
times moto. `tests/unit/test_bench_moto_order.py` compares the two orders; when moto's method
is not the reviewed one, moto's own stays.
"""

from __future__ import annotations

import hashlib
import inspect
from importlib import metadata
from typing import Any

from moto.dynamodb.models.table import Table

MOTO_VERSION = "5.2.5"
REVIEWED_ALL_ITEMS = "c80d2ee3c896acd0cab6ca35aaeae3ab3fb65858933f8a3403d4e027c240f31d"
MOTO_ALL_ITEMS = Table.all_items


def _key_value(item: Any) -> Any:
    hash_value = item.hash_key.cast_value
    return (hash_value, item.range_key.cast_value) if item.range_key else hash_value


def all_items(self: Table) -> list[Any]:
    """`Table.all_items` of moto 5.2.5: every item, in key order."""
    items: list[Any] = []
    for hash_set in self.items.values():
        if self.range_key_attr:
            items.extend(hash_set.values())
        else:
            items.append(hash_set)
    return sorted(items, key=_key_value)


def reviewed() -> bool:
    """Whether the installed moto's `Table.all_items` is the one `all_items` stands for."""
    source = inspect.getsource(MOTO_ALL_ITEMS).encode()
    return (
        metadata.version("moto") == MOTO_VERSION and hashlib.sha256(source).hexdigest() == REVIEWED_ALL_ITEMS
    )


def install() -> bool:
    """Sort moto's tables with `all_items` in this process; False (moto's own stays) when moto changed."""
    if not reviewed():
        return False
    Table.all_items = all_items  # type: ignore[method-assign]
    return True
