"""Surface D (users-and-logs admin): `/api/v1/users/*`, `/api/v1/logs/*`, `/api/v1/groups`.

Success is `{"status": "ok", ...}`; failure `{"status": "error", "field"?, "message"}` with
the document's messages (`gatehouse.surfaces.envelopes.users_admin`, where `SURFACE` is defined).
Timestamps show as `2025-07-28 18:35`.
"""

from __future__ import annotations

from gatehouse.clock import parse_iso
from gatehouse.contracts import users_admin as contracts
from gatehouse.data.audit import AuditEventItem
from gatehouse.data.groups import GroupItem, granted
from gatehouse.data.models import UserItem
from gatehouse.errors import NotFound
from gatehouse.surfaces.envelopes.users_admin import SURFACE as SURFACE

MAX_ID_DIGITS = 15


def timestamp(stored_iso: str | None) -> str | None:
    """`2025-07-28 18:35`, as the document shows `last_activity` and `create_at`."""
    return None if stored_iso is None else parse_iso(stored_iso).strftime("%Y-%m-%d %H:%M")


def path_id(segment: str, entity: str) -> int:
    """An `{id}` path segment; one that is not an id names nothing (404 "User not found")."""
    if not segment.isdigit() or len(segment) > MAX_ID_DIGITS:
        raise NotFound(entity)
    return int(segment)


def group_view(group: GroupItem) -> contracts.GroupView:
    return {
        "id": group.id,
        "name": group.name,
        "description": group.description or "",
        "level": group.level,
        "permissions": granted(group),
        "create_at": timestamp(group.created_at),
    }


def user_view(user: UserItem, group: GroupItem | None) -> contracts.UserView:
    """The document's USER STRUCT: absent text is "", `group` is the group object or false."""
    return {
        "id": user.id,
        "first_name": user.first_name or "",
        "mid_name": user.middle_name or "",
        "last_name": user.last_name or "",
        "nickname": user.login or "",
        "userpic": user.userpic or "",
        "contacts": {
            "email": user.email,
            "phone": user.phone or "",
            "telegram": user.telegram or "",
            "viber": user.viber or "",
        },
        "role": user.role,
        "group": group_view(group) if group is not None else False,
        "last_activity": timestamp(user.last_activity_at),
        "create_at": timestamp(user.created_at),
    }


def users_view(users: list[UserItem], groups: dict[int, GroupItem]) -> list[contracts.UserView]:
    return [
        user_view(user, groups.get(user.group_id) if user.group_id is not None else None) for user in users
    ]


def event_view(event: AuditEventItem) -> contracts.EventView:
    return {
        "id": event.event_id,
        "action": event.action,
        "outcome": event.outcome,
        "user": event.actor_id,
        "group": event.group_id,
        "device": event.device_id,
        "target": {"type": event.target_type, "id": event.target_id} if event.target_type else None,
        "ip": event.ip,
        "user_agent": event.user_agent,
        "details": event.details or {},
        "create_at": timestamp(event.at),
        "timestamp": event.at,
    }
