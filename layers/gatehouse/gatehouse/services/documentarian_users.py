"""Surface A's user resource (`/api/v1/user`): who may list, create, read, change and remove users."""

from __future__ import annotations

from typing import Any

from gatehouse import object_ids
from gatehouse.contracts.documentarian import Registration, UserChanges
from gatehouse.data import users
from gatehouse.data.models import UserItem
from gatehouse.errors import NotFound, PermissionDenied
from gatehouse.services import accounts, audit, permissions, user_meta
from gatehouse.services.mail import MailContext

A_FIELD_NAMES = {"email": "email", "login": "login"}
# A's names of the user's name fields, and the canonical attributes they are.
NAME_FIELDS = {"name": "first_name", "surname": "last_name", "middlename": "middle_name"}


def profile_attributes(request: Registration | UserChanges) -> dict[str, Any]:
    """The canonical name attributes among the fields the request sent."""
    return {NAME_FIELDS[name]: value for name, value in request.given().items() if name in NAME_FIELDS}


def user_id_for(object_id: str) -> int | None:
    """The user id an A user id names, None when it is not 24 hex digits. A `_id` kept from an
    import resolves through its claim (one GetItem); any other reads as the hex of an integer
    id (an unknown one names nobody, and a lookup of it finds nothing)."""
    value = object_ids.normalized(object_id)
    if value is None:
        return None
    if object_ids.is_kept_object_id(value):
        owner = users.owner_of(object_ids.KEPT_ID_CLAIM, value)
        if owner is not None:
            return owner
    return int(value, 16)


def visible_page(actor: UserItem, limit: int, after_id: int | None) -> tuple[list[UserItem], int | None]:
    """One page of users in id order, keeping those the actor may read (everyone, for super)."""
    found, next_after = users.page(limit, after_id)
    return [user for user in found if permissions.can_read(actor, user)], next_after


def create(actor: UserItem, request: Registration, mail_context: MailContext) -> UserItem:
    """Admins and super add users; the new user is a plain user who still has to verify their address."""
    permissions.require_role(actor, "admin")
    user = accounts.register(
        email=request.email,
        password=request.password,
        attributes=profile_attributes(request),
        field_names=A_FIELD_NAMES,
        mail_context=mail_context,
    )
    audit.record("user.create", actor=actor, target_type="user", target_id=user.id)
    return user


def find(actor: UserItem, user_id: int | None) -> UserItem:
    target = users.get(user_id) if user_id is not None else None
    if target is None:
        raise NotFound("user")
    permissions.require(permissions.can_read(actor, target))
    return target


def update(actor: UserItem, target: UserItem, request: UserChanges, mail_context: MailContext) -> None:
    """Profile fields only (no role, no password), under A's names (`NAME_FIELDS` and email).
    A user's own new email waits for the link mailed to it; an admin's change to someone
    else's applies at once (services/email_change)."""
    permissions.require(permissions.can_manage(actor, target))
    changes = profile_attributes(request) | ({"email": request.email} if request.sent("email") else {})
    accounts.update(
        target, changes, field_names=A_FIELD_NAMES, mail_context=mail_context, by_owner=actor.id == target.id
    )
    audit.record(
        "user.update",
        actor=actor,
        target_type="user",
        target_id=target.id,
        details={"fields": ",".join(sorted(request.given()))},
    )


def remove(actor: UserItem, target: UserItem) -> None:
    """Not oneself (an admin cannot lock themselves out by accident), never the super; metas go too."""
    if actor.id == target.id or not permissions.can_manage(actor, target):
        raise PermissionDenied()
    accounts.remove(target)
    user_meta.remove_all_of(target.id)
    audit.record("user.delete", actor=actor, target_type="user", target_id=target.id)
