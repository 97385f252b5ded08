"""Surface A (the Documentarian-documented Laravel app): `/api/v1/...` envelopes and id formats.

Views of A's resources live beside their routes' owners; this module holds what every A
route shares: the `{"success": false, "error": {"code", "message"}}` envelope, the
`2018-08-29 13:42:55` timestamp format and the 24-hex id forms.
"""

from __future__ import annotations

from typing import Any

from gatehouse.clock import laravel
from gatehouse.errors import (
    AccountDisabled,
    Conflict,
    EmailNotVerified,
    GatehouseError,
    InvalidCredentials,
    MalformedRequest,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from gatehouse.surfaces import laravel as laravel_messages
from gatehouse.surfaces.envelope import MethodNotAllowed

TOKEN_NOT_PROVIDED = "Token not provided"
OBJECT_ID_LENGTH = 24


def timestamp(stored_iso: str | None) -> str | None:
    """`2018-08-29 13:42:55`, as A's documents show every created_at/updated_at."""
    return laravel(stored_iso)


def user_object_id(user_id: int) -> str:
    """A shows a user's integer id as 24 zero-padded hex digits (user 1 is 000…001)."""
    return f"{user_id:0{OBJECT_ID_LENGTH}x}"


def parse_user_object_id(value: str) -> int | None:
    if len(value) != OBJECT_ID_LENGTH or any(c not in "0123456789abcdefABCDEF" for c in value):
        return None
    return int(value, 16)


def failure(code: int, message: str, **extra: Any) -> dict[str, Any]:
    return {"success": False, "error": {"code": code, "message": message, **extra}}


class DocumentarianEnvelope:
    def render(self, error: GatehouseError) -> tuple[int, Any]:
        match error:
            case ValidationFailed():
                return 422, failure(422, laravel_messages.INVALID_DATA, errors=laravel_messages.errors(error))
            case MalformedRequest():
                return 400, failure(400, "The request body is not valid JSON.")
            case NotAuthenticated() if str(error) == "no token":
                return 401, failure(0, TOKEN_NOT_PROVIDED)
            case NotAuthenticated():
                return 401, failure(0, "Token is invalid")
            case InvalidCredentials() | AccountDisabled():
                return 401, failure(401, "Invalid credentials")
            case EmailNotVerified():
                return 403, failure(403, "Email address is not verified")
            case PermissionDenied():
                return 403, failure(403, "Permission denied")
            case NotFound():
                return 404, failure(404, "Not found")
            case MethodNotAllowed():
                return 405, failure(405, "Method not allowed")
            case Conflict():
                return 409, failure(409, str(error) or "Conflict")
            case _:
                return 400, failure(400, "Bad request")

    def unexpected(self, request_id: str) -> tuple[int, Any]:
        return 500, failure(500, "Server error", request_id=request_id)


ENVELOPE = DocumentarianEnvelope()
