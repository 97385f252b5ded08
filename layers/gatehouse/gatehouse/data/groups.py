"""Permission groups (surface D): one item per group, listed in id order from GSI1."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pynamodb.exceptions import DoesNotExist

from gatehouse.data import reads, writes
from gatehouse.data.models import IntegerAttribute, Item, ListAttribute, UnicodeAttribute, sortable_id

GROUPS_PARTITION = "GROUPS"


def group_key(group_id: int) -> tuple[str, str]:
    return f"GROUP#{group_id}", "GROUP"


class GroupItem(Item, discriminator="group"):
    """A named set of permissions; `level` ranks groups (an admin assigns only lower levels)."""

    id = IntegerAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    level = IntegerAttribute(default=0)
    permissions = ListAttribute(of=UnicodeAttribute, default=list)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


def granted(group: GroupItem) -> list[str]:
    """The group's permission names (PynamoDB types list elements as attributes)."""
    return [str(name) for name in group.permissions]


def new_group(group_id: int, **attributes: Any) -> GroupItem:
    return GroupItem(
        *group_key(group_id),
        id=group_id,
        GSI1PK=GROUPS_PARTITION,
        GSI1SK=f"GROUP#{sortable_id(group_id)}",
        **attributes,
    )


def put(group: GroupItem) -> None:
    group.save(condition=GroupItem.PK.does_not_exist())


def get(group_id: int) -> GroupItem | None:
    try:
        return GroupItem.get(*group_key(group_id))
    except DoesNotExist:
        return None


def get_many(group_ids: Iterable[int]) -> dict[int, GroupItem]:
    """The groups that exist among `group_ids`, in one BatchGetItem per 100 ids."""
    keys = [group_key(group_id) for group_id in set(group_ids)]
    if not keys:
        return {}
    return {item.id: item for item in GroupItem.batch_get(keys) if isinstance(item, GroupItem)}


def update(group: GroupItem, **changes: Any) -> bool:
    """Set attributes on an existing group; False when it was deleted meanwhile."""
    return writes.update_existing(group, changes)


def delete(group: GroupItem) -> bool:
    """False when the group was already gone."""
    return writes.delete_existing(group)


def page(limit: int, after_id: int | None = None) -> tuple[list[GroupItem], int | None]:
    """Groups in id order: one Query on GSI1 `GROUPS`. Returns the page and the id to continue after."""
    after = f"GROUP#{sortable_id(after_id)}" if after_id is not None else None
    window = reads.partition_window(
        GROUPS_PARTITION, index_name="GSI1", after=after, kind=GroupItem, limit=limit
    )
    found = [item for item in window.items if isinstance(item, GroupItem)]
    return found, (found[-1].id if found and window.more else None)
