"""Surface D's user administration rules, on top of the shared accounts service.

What each role may do without a group, and how groups narrow or widen it, is in
`gatehouse.services.groups` (ROLE_DEFAULTS, the catalogue's role ceilings). On top of that:
- The first user ever created is the single super; only that first sign-up may be anonymous.
- Admins (with `users.create`) add users only with a lower role than their own, and only into
  groups below their own group's level; super adds admins, managers and users into any group.
- Only super changes roles; the super's own role never changes.
- Admins (with `users.reset_password`) reset lower roles' passwords; super resets admins' too.
- `/update/password` is the user's own, with their current password.
- Removing needs admin or above (with `users.remove`) and a lower role; nobody removes the super.
- Everyone reads themselves; reading others needs `users.read`.

Every change is recorded in the audit log once it succeeded; a refused own-password change is
recorded too.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gatehouse.contracts.users_admin import NewUser, UserChanges
from gatehouse.data import users
from gatehouse.data.groups import GroupItem
from gatehouse.data.models import SessionItem, UserItem
from gatehouse.errors import GatehouseError, NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from gatehouse.security.passwords import verify_password
from gatehouse.services import accounts, audit, permissions
from gatehouse.services import groups as group_rules
from gatehouse.services.mail import MailContext

USER_ENTITY = "user"
# D's names for the canonical handle, so a taken value is reported on the field the client sent.
FIELD_NAMES = {"email": "email", "login": "nickname"}
# D's field → the canonical user's attribute.
PROFILE_ATTRIBUTES = {
    "first_name": "first_name",
    "mid_name": "middle_name",
    "last_name": "last_name",
    "phone": "phone",
    "telegram": "telegram",
    "viber": "viber",
    "userpic": "userpic",
}
GENERATED_PASSWORD_LENGTH = 16
_PASSWORD_CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits, "-_!@#%^*+=")


def get_user(user_id: int) -> UserItem:
    user = users.get(user_id)
    if user is None:
        raise NotFound(USER_ENTITY)
    return user


def _manages(actor: UserItem, target: UserItem, permission: str) -> bool:
    """Super manages everyone but the super; others need the permission on top of the rules
    every surface applies (a higher role, and the target in their organization or department)."""
    if target.role == "super":
        return False
    if actor.role == "super":
        return True
    # The role checks first: they need no read, the permission may need the actor's group.
    return (
        permissions.outranks(actor, target)
        and permissions.can_manage(actor, target)
        and group_rules.has_permission(actor, permission)
    )


def create_user(actor: UserItem | None, request: NewUser) -> UserItem:
    """The first user, created anonymously, is recorded as their own creator."""
    user = _create_first_user(request) if actor is None else _create_by(actor, request)
    _record("user.create", actor or user, user.id, {"role": user.role, "group_id": user.group_id})
    return user


def _create_by(actor: UserItem, request: NewUser) -> UserItem:
    role = request.role or "user"
    if role == "super":
        raise PermissionDenied()  # the super exists: it is the first user ever created
    group_rules.require_permission(actor, group_rules.USERS_CREATE)
    permissions.require(permissions.rank(role) < permissions.rank(actor.role))
    group = group_rules.require_assignable(actor, request.group_id)
    user = _register(request, group_id=group.id if group else None)
    if role != user.role:
        accounts.set_role(user, role)
    return user


def _create_first_user(request: NewUser) -> UserItem:
    """Without a token only the very first user may be created, and it becomes the super."""
    if users.super_exists():
        raise NotAuthenticated("no token")
    user = _register(request, group_id=None)
    if user.role != "super":
        # A concurrent first sign-up won the super claim: this anonymous one must not stay.
        accounts.remove(user)
        raise NotAuthenticated("no token")
    return user


def _register(request: NewUser, group_id: int | None) -> UserItem:
    given = request.given()
    attributes = {PROFILE_ATTRIBUTES[name]: given[name] for name in PROFILE_ATTRIBUTES if given.get(name)}
    if group_id is not None:
        attributes["group_id"] = group_id
    return accounts.register(
        email=request.email,
        password=request.password,
        login=request.nickname,
        attributes=attributes,
        field_names=FIELD_NAMES,
    )


def _in_directory(actor: UserItem, target: UserItem) -> bool:
    """Whom a holder of `users.read` sees: their organization, or everyone when they belong to
    none (a D-only deployment has no organizations; a group's grant must mean something there)."""
    return actor.organization_id is None or permissions.can_read(actor, target)


def read_user(actor: UserItem, target_id: int) -> UserItem:
    """Oneself; others with `users.read`, within the caller's directory."""
    target = get_user(target_id)
    if actor.id != target.id:
        permissions.require(
            group_rules.has_permission(actor, group_rules.USERS_READ) and _in_directory(actor, target)
        )
    return target


@dataclass(frozen=True)
class UserPage:
    users: list[UserItem]
    groups: dict[int, GroupItem]
    next_cursor: int | None
    total: int


def list_users(actor: UserItem, limit: int, after_id: int | None) -> UserPage:
    """One page in id order, their SEEN timestamps and groups (a BatchGetItem each) and how many
    users exist.

    The caller's permission is read once (at most one GetItem), not once per listed user."""
    group_rules.require_permission(actor, group_rules.USERS_READ)
    page, next_cursor = users.page(limit, after_id)
    # Only whom the caller may read: a page can come back shorter than `limit` (follow the cursor).
    found = [user for user in page if _in_directory(actor, user)]
    users.with_seen(found)  # `last_activity_at` lives on each user's SEEN item
    member_groups = group_rules.groups_of(found)
    return UserPage(found, member_groups, next_cursor, users.population())


def update_user(
    actor: UserItem, target_id: int, request: UserChanges, mail_context: MailContext
) -> tuple[UserItem, set[str]]:
    """Apply D's profile fields the request sent (role is never among them); returns the changed fields.

    Users edit their own profile; editing someone else needs `users.update` and a higher role
    (super: anyone). Moving someone to another group also follows the group-level rule.
    """
    target = get_user(target_id)
    if actor.id != target.id:
        permissions.require(actor.role == "super" or _manages(actor, target, group_rules.USERS_UPDATE))
    given = request.given()
    changes: dict[str, Any] = {
        attribute: given[name] for name, attribute in PROFILE_ATTRIBUTES.items() if name in given
    }
    for kind, handle in (("email", request.email), ("nickname", request.nickname)):
        if request.sent(kind):
            if handle is None:
                raise ValidationFailed.single(kind, "required")
            changes["login" if kind == "nickname" else kind] = handle
    if request.sent("group_id") and request.group_id != target.group_id:
        permissions.require(actor.id != target.id or actor.role == "super")
        group = group_rules.require_assignable(actor, request.group_id)
        changes["group_id"] = group.id if group else None
    before = {name: getattr(target, name) for name in changes}
    accounts.update(
        target, changes, field_names=FIELD_NAMES, mail_context=mail_context, by_owner=actor.id == target.id
    )
    changed = {name for name, value in before.items() if getattr(target, name) != value}
    # A move to another group is its own event, apart from the profile's fields.
    profile_fields = changed - {"group_id"}
    if profile_fields:
        _record("user.update", actor, target.id, {"fields": ",".join(sorted(profile_fields))})
    if "group_id" in changed:
        _record("user.group", actor, target.id, {"group_id": target.group_id})
    return target, changed


def change_role(actor: UserItem, target_id: int, role: str) -> UserItem:
    permissions.require_role(actor, "super")
    target = get_user(target_id)
    accounts.set_role(target, role)  # refuses to make or unmake the super
    _record("user.role", actor, target.id, {"role": target.role})
    return target


def change_password(
    actor: UserItem, target_id: int, current: str, new: str, session: SessionItem
) -> UserItem:
    """Only the user themselves, proving the current password; their other sessions end.
    A refused change is recorded with the reason's name."""
    try:
        target = _change_own_password(actor, target_id, current, new, session)
    except GatehouseError as refused:
        _record("user.password", actor, target_id, {"reason": type(refused).__name__}, outcome="failure")
        raise
    _record("user.password", actor, target.id)
    return target


def _change_own_password(
    actor: UserItem, target_id: int, current: str, new: str, session: SessionItem
) -> UserItem:
    permissions.require(actor.id == target_id)
    target = get_user(target_id)
    if not verify_password(current, target.password_hash).ok:
        raise ValidationFailed.single("password", "current_password")
    accounts.set_password(target, new, keep_session=session)
    return target


def reset_password(actor: UserItem, target_id: int) -> tuple[UserItem, str]:
    """A generated password, answered once; every session of the user ends."""
    target = get_user(target_id)
    permissions.require(actor.id != target.id and _manages(actor, target, group_rules.USERS_RESET_PASSWORD))
    password = generate_password()
    accounts.set_password(target, password, keep_session=None)
    _record("user.password", actor, target.id, {"reset": True})
    return target, password


def permissions_of(actor: UserItem, target_id: int) -> list[str]:
    """What the target really holds: their group's permissions, or their role's defaults in no
    group, within their role's ceiling (super: the whole catalogue)."""
    return group_rules.held_by(read_user(actor, target_id))


def remove_user(actor: UserItem, target_id: int) -> UserItem:
    permissions.require_role(actor, "admin")
    target = get_user(target_id)
    permissions.require(_manages(actor, target, group_rules.USERS_REMOVE))
    accounts.remove(target)
    _record("user.delete", actor, target.id)
    return target


def userpic_target(actor: UserItem, target_id: int) -> UserItem:
    """The user whose userpic `actor` may replace: themselves, or someone they may update."""
    target = get_user(target_id)
    if actor.id != target.id:
        permissions.require(_manages(actor, target, group_rules.USERS_UPDATE))
    return target


def _record(
    action: str,
    actor: UserItem,
    target_id: int,
    details: Mapping[str, audit.DetailValue] | None = None,
    *,
    outcome: str = "success",
) -> None:
    audit.record(
        action, actor=actor, target_type=USER_ENTITY, target_id=target_id, outcome=outcome, details=details
    )


def generate_password() -> str:
    """16 characters with every class present: strong by any policy, typed once by an admin."""
    alphabet = "".join(_PASSWORD_CLASSES)
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(GENERATED_PASSWORD_LENGTH))
        if all(any(char in chars for char in candidate) for chars in _PASSWORD_CLASSES):
            return candidate
