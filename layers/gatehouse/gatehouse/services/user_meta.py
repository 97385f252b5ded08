"""User metas (surface A): a user manages their own; who manages or reads a user does the same for theirs."""

from __future__ import annotations

from gatehouse import object_ids
from gatehouse.clock import iso, now
from gatehouse.data import user_meta, users
from gatehouse.data.models import UserItem
from gatehouse.data.user_meta import UserMetaItem
from gatehouse.errors import NotFound
from gatehouse.services import audit, permissions
from gatehouse.services.references import existing_user

OWNER_FIELD = "user__id"
REMOVAL_PAGE = 100


def reads_everyone(actor: UserItem) -> bool:
    """Super, and admins who belong to no organization, may read every user (see permissions.can_read)."""
    return actor.role == "super" or (
        permissions.rank(actor.role) >= permissions.rank("admin") and actor.organization_id is None
    )


def create(actor: UserItem, *, owner_id: int | None, key: str, value: str) -> UserMetaItem:
    owner = existing_user(owner_id, OWNER_FIELD)
    permissions.require(permissions.can_manage(actor, owner))
    stamp = iso(now())
    meta = user_meta.new(
        object_ids.new_object_id(),
        owner.id,
        owner_object_id=owner.a_object_id,
        key=key,
        value=value,
        created_at=stamp,
        updated_at=stamp,
    )
    user_meta.put(meta)
    _audit("user_meta.create", actor, meta)
    return meta


def find(actor: UserItem, meta_id: str) -> UserMetaItem:
    """A meta the actor may read; one whose user no longer exists is gone too."""
    meta = user_meta.get(meta_id) if object_ids.is_object_id(meta_id) else None
    owner = users.get(meta.user_id) if meta is not None else None
    if meta is None or owner is None:
        raise NotFound("user_meta")
    permissions.require(permissions.can_read(actor, owner))
    return meta


def update(
    actor: UserItem, meta: UserMetaItem, *, owner_id: int | None, key: str, value: str
) -> UserMetaItem:
    """Replace all three fields; moving a meta to another user needs the right to manage both."""
    current_owner = users.get(meta.user_id)
    if current_owner is None:
        raise NotFound("user_meta")
    permissions.require(permissions.can_manage(actor, current_owner))
    new_owner = current_owner if owner_id == current_owner.id else existing_user(owner_id, OWNER_FIELD)
    permissions.require(permissions.can_manage(actor, new_owner))
    changes = {
        name: new
        for name, new in (
            ("user_id", new_owner.id),
            ("owner_object_id", new_owner.a_object_id),
            ("key", key),
            ("value", value),
        )
        if getattr(meta, name) != new
    }
    if changes:
        changes["updated_at"] = iso(now())
        if not user_meta.update(meta, **changes):
            raise NotFound("user_meta")
    _audit("user_meta.update", actor, meta)
    return meta


def remove(actor: UserItem, meta: UserMetaItem) -> None:
    owner = users.get(meta.user_id)
    # A meta left behind by a user removed elsewhere: only those who read everyone may clear it.
    permissions.require(permissions.can_manage(actor, owner) if owner is not None else reads_everyone(actor))
    if not user_meta.delete(meta):
        raise NotFound("user_meta")
    _audit("user_meta.delete", actor, meta)


def _audit(action: str, actor: UserItem, meta: UserMetaItem) -> None:
    audit.record(action, actor=actor, target_type="user_meta", target_id=meta.meta_id)


def page(
    actor: UserItem, limit: int, after: str | None, owner_id: int | None = None
) -> tuple[list[UserMetaItem], str | None]:
    """Without `owner_id`: every meta for those who read everyone, else the actor's own.

    With it: that user's metas, if the actor may read that user (an unknown user has none).
    """
    if owner_id is None:
        if reads_everyone(actor):
            return user_meta.page_of_all(limit, after)
        return user_meta.page_of_user(actor.id, limit, after)
    owner = actor if owner_id == actor.id else users.get(owner_id)
    if owner is None or not permissions.can_read(actor, owner):
        return [], None
    return user_meta.page_of_user(owner.id, limit, after)


def remove_all_of(user_id: int) -> int:
    """Delete every meta of a user, a page at a time: the cost grows with their metas, not the table."""
    removed, after = 0, None
    while True:
        found, after = user_meta.page_of_user(user_id, REMOVAL_PAGE, after)
        user_meta.delete_many(found)
        removed += len(found)
        if after is None:
            return removed
