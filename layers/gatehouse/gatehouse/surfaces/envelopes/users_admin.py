"""Surface D's error envelope: `{"status": "error", "field"?, "message"}` with the document's messages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gatehouse import errors as error_types
from gatehouse.surfaces.envelope import Surface, TokenRule

if TYPE_CHECKING:
    from gatehouse.contracts import users_admin as contracts

PERMISSIONS_ERROR = "Permissions error"
WRONG_PASSWORD = "Wrong password"
WEAK_PASSWORD = "Password must be strongest"
INVALID_IMAGE = "Invalid image"
_TAKEN = {"nickname": "Alias already exists", "email": "Email already exists"}
_NOT_FOUND = {"user": "User not found", "group": "Group not found", "userpic": "Userpic not found"}


def _label(field_name: str) -> str:
    words = field_name.replace("_", " ")
    return words[:1].upper() + words[1:]


def message(violation: error_types.Violation) -> str:
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
    def render(self, error: error_types.GatehouseError) -> tuple[int, contracts.Refusal]:
        match error:
            case error_types.ValidationFailed():
                first = error.violations[0]
                return 422, failure(message(first), first.field)
            case error_types.MalformedRequest():
                return 400, failure("Invalid request body")
            case error_types.InvalidCredentials() | error_types.AccountDisabled():
                return 401, failure(WRONG_PASSWORD)
            case error_types.NotAuthenticated():
                return 401, failure("Unauthorized")
            case error_types.PermissionDenied() | error_types.EmailNotVerified():
                return 403, failure(PERMISSIONS_ERROR)
            case error_types.NotFound():
                return 404, failure(_NOT_FOUND.get(error.entity, "Not found"))
            case error_types.MethodNotAllowed():
                return 405, failure("Method not allowed")
            case error_types.TooManyRequests():
                return 429, failure("Too many requests")
            case error_types.Conflict():
                return 409, failure(str(error) or "Conflict")
            case _:
                return 400, failure("Bad request")

    def unexpected(self, request_id: str) -> tuple[int, contracts.Refusal]:
        return 500, {"status": "error", "message": "Server error", "request_id": request_id}


ENVELOPE = UsersAdminEnvelope()
SURFACE = Surface(ENVELOPE, TokenRule.BEARER)
