"""What A's ObjectId-keyed records (demands, user metas) share: paging (their ids: `gatehouse.object_ids`)."""

from __future__ import annotations

from typing import TypeVar

from gatehouse.data import reads
from gatehouse.data.models import Item

ItemT = TypeVar("ItemT", bound=Item)


def page(
    index_name: str, partition: str, kind: type[ItemT], limit: int, after: str | None
) -> tuple[list[ItemT], str | None]:
    """One Query of at most `limit` items of one index partition, in sort-key order, after `after`.

    Returns the page and the sort key to continue after (None on the last page).
    """
    window = reads.partition_window(partition, index_name=index_name, after=after, limit=limit)
    found = [item for item in window.items if isinstance(item, kind)]
    next_after = None
    if found and window.more:
        next_after = str(getattr(found[-1], f"{index_name}SK"))
    return found, next_after
