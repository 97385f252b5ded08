"""Permission groups (surface D) and the fixed catalogue of permissions the services check.

What a user holds:
- super: the whole catalogue;
- a user in no group: their role's defaults (ROLE_DEFAULTS), which are D's document's role rules:
  an admin adds, reads, edits and removes lower roles, resets plain users' passwords and reads
  the log; a plain user (and C's manager) holds nothing and acts only on themselves;
- a group member: exactly their group's permissions, which replace the defaults (the document:
  "these are not one user's permissions but those of the group the user is in"), so a group can
  both narrow an admin and widen a plain user;
- a member of a deleted group: nothing until someone moves them (ids are never reused, so the
  dangling `group_id` is unambiguous; the user struct shows `group: false`). Deleting a group must
  not widen its members: falling back to the defaults would hand a narrowed admin the whole admin
  set, which whoever deleted the group may not hold themselves.
A permission takes effect only for roles at or above its minimum role (the role's ceiling): a
plain user's group may grant `users.read`, never `users.remove`. Groups are ranked by `level`: an
admin assigns, creates and edits only groups below their own group's level (an admin in no group
has no level, so assigns none).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gatehouse.clock import iso, now
from gatehouse.contracts.users_admin import GroupChanges, NewGroup
from gatehouse.data import counters
from gatehouse.data import groups as group_store
from gatehouse.data.groups import GroupItem
from gatehouse.data.models import UserItem
from gatehouse.errors import NotFound, PermissionDenied, ValidationFailed
from gatehouse.services import audit, permissions

USERS_READ = "users.read"
USERS_CREATE = "users.create"
USERS_UPDATE = "users.update"
USERS_REMOVE = "users.remove"
USERS_RESET_PASSWORD = "users.reset_password"
LOGS_READ = "logs.read"
GROUPS_MANAGE = "groups.manage"

# Permission → the lowest role it takes effect for.
CATALOGUE: Mapping[str, str] = {
    USERS_READ: "user",
    USERS_CREATE: "admin",
    USERS_UPDATE: "admin",
    USERS_REMOVE: "admin",
    USERS_RESET_PASSWORD: "admin",
    LOGS_READ: "admin",
    GROUPS_MANAGE: "admin",
}
# What a role holds while its user is in no group: D's role rules. `groups.manage` (groups are
# not in the document) comes only through a group.
ROLE_DEFAULTS: Mapping[str, frozenset[str]] = {
    "admin": frozenset(
        {USERS_READ, USERS_CREATE, USERS_UPDATE, USERS_REMOVE, USERS_RESET_PASSWORD, LOGS_READ}
    ),
}
GROUP_ENTITY = "group"


def get(group_id: int) -> GroupItem:
    group = group_store.get(group_id)
    if group is None:
        raise NotFound(GROUP_ENTITY)
    return group


def group_of(user: UserItem) -> GroupItem | None:
    """The user's group, or None (no group, or one that has since been deleted)."""
    return None if user.group_id is None else group_store.get(user.group_id)


def groups_of(members: list[UserItem]) -> dict[int, GroupItem]:
    return group_store.get_many(user.group_id for user in members if user.group_id is not None)


def takes_effect(user: UserItem, permission: str) -> bool:
    return permissions.rank(user.role) >= permissions.rank(CATALOGUE[permission])


def permissions_of(user: UserItem, group: GroupItem | None) -> list[str]:
    """What the user holds (catalogue order), given their group as `group_of` found it."""
    if user.role == "super":
        return list(CATALOGUE)
    if group is not None:
        granted: frozenset[str] = frozenset(group_store.granted(group))
    elif user.group_id is None:
        granted = ROLE_DEFAULTS.get(user.role, frozenset())
    else:
        granted = frozenset()  # their group was deleted: nothing until they are moved
    return [name for name in CATALOGUE if name in granted and takes_effect(user, name)]


def held_by(user: UserItem) -> list[str]:
    """What the user holds, reading their group (at most one GetItem)."""
    return permissions_of(user, group_of(user))


def has_permission(actor: UserItem, permission: str) -> bool:
    if actor.role == "super":
        return True
    if not takes_effect(actor, permission):
        return False  # no group lifts a role above its ceiling: skip the group's read
    return permission in held_by(actor)


def require_permission(actor: UserItem, permission: str) -> None:
    permissions.require(has_permission(actor, permission))


def level_of(group: GroupItem | None) -> int:
    return group.level if group is not None else -1


def require_assignable(actor: UserItem, group_id: int | None) -> GroupItem | None:
    """The group `actor` may put someone in: super any, others only groups below their own."""
    if group_id is None:
        return None
    target = group_store.get(group_id)
    if target is None:
        raise ValidationFailed.single("group_id", "exists")
    if actor.role != "super" and target.level >= level_of(group_of(actor)):
        raise PermissionDenied()
    return target


def _require_manageable(actor: UserItem, level: int, granted: list[str]) -> None:
    """Admins shape only groups below their own, granting nothing they do not hold themselves."""
    require_permission(actor, GROUPS_MANAGE)
    if actor.role == "super":
        return
    own = group_of(actor)
    if level >= level_of(own) or not set(granted) <= set(permissions_of(actor, own)):
        raise PermissionDenied()


def validate_permissions(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise ValidationFailed.single("permissions", "array")
    unknown = [name for name in value if name not in CATALOGUE]
    if unknown:
        raise ValidationFailed.single("permissions", "in", values=tuple(CATALOGUE))
    return [name for name in CATALOGUE if name in value]


def create(actor: UserItem, request: NewGroup) -> GroupItem:
    # Sent, even as null, it must be a list.
    granted = validate_permissions(request.permissions if request.sent("permissions") else [])
    # Absent or null (cleared) both mean the lowest level.
    level = request.level or 0
    _require_manageable(actor, level, granted)
    stamp = iso(now())
    group = group_store.new_group(
        counters.next_id(GROUP_ENTITY),
        name=request.name,
        description=request.description,
        level=level,
        permissions=granted,
        created_at=stamp,
        updated_at=stamp,
    )
    group_store.put(group)
    _record("group.create", actor, group)
    return group


def update(actor: UserItem, group: GroupItem, request: GroupChanges) -> GroupItem:
    """Apply the fields the request sent; the admin must manage the group before and after."""
    _require_manageable(actor, group.level, group_store.granted(group))
    given = request.given()
    changes: dict[str, Any] = {
        name: given[name] for name in ("name", "description", "level") if name in given
    }
    if "name" in changes and changes["name"] is None:
        raise ValidationFailed.single("name", "required")
    if "level" in changes and changes["level"] is None:
        changes["level"] = 0
    if request.sent("permissions"):
        changes["permissions"] = validate_permissions(request.permissions)
    _require_manageable(
        actor, changes.get("level", group.level), changes.get("permissions", group_store.granted(group))
    )
    if changes:
        changes["updated_at"] = iso(now())
        if not group_store.update(group, **changes):
            raise NotFound(GROUP_ENTITY)
    _record("group.update", actor, group)  # a request that changes nothing is recorded too
    return group


def delete(actor: UserItem, group: GroupItem) -> None:
    """Members keep their `group_id`, which then names nothing: they show `group: false` and hold
    no permissions until they are moved (see the module's docstring)."""
    _require_manageable(actor, group.level, group_store.granted(group))
    if not group_store.delete(group):
        raise NotFound(GROUP_ENTITY)
    _record("group.delete", actor, group)


def _record(action: str, actor: UserItem, group: GroupItem) -> None:
    audit.record(action, actor=actor, target_type=GROUP_ENTITY, target_id=group.id)


def page(actor: UserItem, limit: int, after_id: int | None) -> tuple[list[GroupItem], int | None]:
    require_permission(actor, GROUPS_MANAGE)
    return group_store.page(limit, after_id)


def read(actor: UserItem, group_id: int) -> GroupItem:
    require_permission(actor, GROUPS_MANAGE)
    return get(group_id)
