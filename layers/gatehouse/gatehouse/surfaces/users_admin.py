"""Surface D (users-and-logs admin): `/api/v1/users/*`, `/api/v1/logs/*`, `/api/v1/groups`.

Success is `{"status": "ok", ...}`; failure `{"status": "error", "field"?, "message"}` with
the document's messages. Timestamps show as `2025-07-28 18:35`.
"""

from __future__ import annotations

from gatehouse.clock import parse_iso
from gatehouse.contracts import users_admin as contracts
from gatehouse.data.audit import AuditEventItem
from gatehouse.data.groups import GroupItem, granted
from gatehouse.data.models import UserItem
from gatehouse.errors import (
    AccountDisabled,
    Conflict,
    EmailNotVerified,
    GatehouseError,
    InvalidCredentials,
    MalformedRequest,
    MethodNotAllowed,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    TooManyRequests,
    ValidationFailed,
    Violation,
)
from gatehouse.surfaces.envelope import Surface, TokenRule

MAX_ID_DIGITS = 15

PERMISSIONS_ERROR = "Permissions error"
WRONG_PASSWORD = "Wrong password"
WEAK_PASSWORD = "Password must be strongest"
INVALID_IMAGE = "Invalid image"
_TAKEN = {"nickname": "Alias already exists", "email": "Email already exists"}
_NOT_FOUND = {"user": "User not found", "group": "Group not found", "userpic": "Userpic not found"}


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


def _label(field_name: str) -> str:
    words = field_name.replace("_", " ")
    return words[:1].upper() + words[1:]


def message(violation: Violation) -> str:
    match violation.rule:
        case "required":
            return f"{_label(violation.field)} can`t be empty"
        case "unique":
            return _TAKEN.get(violation.field, f"{_label(violation.field)} already exists")
        case "min.string" | "common" if violation.field in ("password", "new_password"):
            return WEAK_PASSWORD
        case "max.bytes" | "max.depth":
            return f"{_label(violation.field)} is too long"
        case "max.string" if violation.field in ("password", "new_password"):
            return f"{_label(violation.field)} is too long"
        case "current_password":
            return WRONG_PASSWORD
        case "image":
            return INVALID_IMAGE
        case _:
            return f"{_label(violation.field)} is invalid"


def failure(text: str, field: str | None = None) -> contracts.Refusal:
    return (
        {"status": "error", "field": field, "message": text}
        if field
        else {"status": "error", "message": text}
    )


class UsersAdminEnvelope:
    def render(self, error: GatehouseError) -> tuple[int, contracts.Refusal]:
        match error:
            case ValidationFailed():
                first = error.violations[0]
                return 422, failure(message(first), first.field)
            case MalformedRequest():
                return 400, failure("Invalid request body")
            case InvalidCredentials() | AccountDisabled():
                return 401, failure(WRONG_PASSWORD)
            case NotAuthenticated():
                return 401, failure("Unauthorized")
            case PermissionDenied() | EmailNotVerified():
                return 403, failure(PERMISSIONS_ERROR)
            case NotFound():
                return 404, failure(_NOT_FOUND.get(error.entity, "Not found"))
            case MethodNotAllowed():
                return 405, failure("Method not allowed")
            case TooManyRequests():
                return 429, failure("Too many requests")
            case Conflict():
                return 409, failure(str(error) or "Conflict")
            case _:
                return 400, failure("Bad request")

    def unexpected(self, request_id: str) -> tuple[int, contracts.Refusal]:
        return 500, {"status": "error", "message": "Server error", "request_id": request_id}


ENVELOPE = UsersAdminEnvelope()
SURFACE = Surface(ENVELOPE, TokenRule.BEARER)
