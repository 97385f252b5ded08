"""What A's ObjectId-keyed records (demands, user metas) share: ids and paging."""

from __future__ import annotations

import os
import time
from typing import Any, TypeVar

from pynamodb.attributes import UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex

from gatehouse.data.models import Item

ItemT = TypeVar("ItemT", bound=Item)


def new_object_id() -> str:
    """A MongoDB-style ObjectId: 4 bytes of epoch seconds, big-endian, then 8 random bytes.

    Hex strings of equal length sort like their bytes, so sort keys holding them are in creation order.
    """
    return (int(time.time()).to_bytes(4, "big") + os.urandom(8)).hex()


def is_object_id(value: str) -> bool:
    return len(value) == 24 and all(c in "0123456789abcdef" for c in value)


def page(
    index: GlobalSecondaryIndex[Any],
    sort_key: UnicodeAttribute,
    partition: str,
    kind: type[ItemT],
    limit: int,
    after: str | None,
) -> tuple[list[ItemT], str | None]:
    """One Query of at most `limit` items of one index partition, in sort-key order, after `after`.

    Returns the page and the sort key to continue after (None on the last page).
    """
    condition = sort_key > after if after is not None else None
    result = index.query(partition, range_key_condition=condition, limit=limit)
    found = [item for item in result if isinstance(item, kind)]
    last = result.last_evaluated_key
    next_after = None
    if found and last:
        next_after = str(getattr(found[-1], sort_key.attr_name))
    return found, next_after
