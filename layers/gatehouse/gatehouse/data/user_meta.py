"""User metas (surface A): ObjectId-keyed key/value pairs attached to a user."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import DoesNotExist

from gatehouse.data import objects, writes
from gatehouse.data.models import IntegerAttribute, Item, UnicodeAttribute

# GSI1: one partition per user; GSI2: every meta. Both sorted by ObjectId (creation time).
ALL_METAS = "USER_METAS"


def owner_partition(user_id: int) -> str:
    return f"USER#{user_id}#META"


class UserMetaItem(Item, discriminator="user_meta"):
    meta_id = UnicodeAttribute()
    user_id = IntegerAttribute()
    # The owner's kept A `_id` (UserItem.a_object_id) when they have one, for `user__id`.
    owner_object_id = UnicodeAttribute(null=True)
    key = UnicodeAttribute()
    value = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    @staticmethod
    def item_key(meta_id: str) -> tuple[str, str]:
        return f"META#{meta_id}", "META"


def new(meta_id: str, user_id: int, **attributes: Any) -> UserMetaItem:
    return UserMetaItem(
        *UserMetaItem.item_key(meta_id),
        meta_id=meta_id,
        user_id=user_id,
        GSI1PK=owner_partition(user_id),
        GSI1SK=meta_id,
        GSI2PK=ALL_METAS,
        GSI2SK=meta_id,
        **attributes,
    )


def put(meta: UserMetaItem) -> None:
    meta.save(condition=UserMetaItem.PK.does_not_exist())


def get(meta_id: str) -> UserMetaItem | None:
    try:
        return UserMetaItem.get(*UserMetaItem.item_key(meta_id))
    except DoesNotExist:
        return None


def update(meta: UserMetaItem, **changes: Any) -> bool:
    if "user_id" in changes:
        changes["GSI1PK"] = owner_partition(changes["user_id"])
    return writes.update_existing(meta, changes)


def delete(meta: UserMetaItem) -> bool:
    return writes.delete_existing(meta)


def delete_many(metas: list[UserMetaItem]) -> None:
    """BatchWriteItem, 25 deletes a call."""
    with UserMetaItem.batch_write() as batch:
        for meta in metas:
            batch.delete(meta)


def page_of_user(user_id: int, limit: int, after: str | None = None) -> tuple[list[UserMetaItem], str | None]:
    return objects.page("GSI1", owner_partition(user_id), UserMetaItem, limit, after)


def page_of_all(limit: int, after: str | None = None) -> tuple[list[UserMetaItem], str | None]:
    return objects.page("GSI2", ALL_METAS, UserMetaItem, limit, after)
