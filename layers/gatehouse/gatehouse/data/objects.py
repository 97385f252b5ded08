"""What A's ObjectId-keyed records (demands, user metas) share: paging (their ids: `gatehouse.object_ids`)."""

from __future__ import annotations

from typing import Any, TypeVar

from pynamodb.indexes import GlobalSecondaryIndex

from gatehouse.data.models import Item, UnicodeAttribute

ItemT = TypeVar("ItemT", bound=Item)


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
