"""What the HTTP edge needs to know of a surface: its error envelope, where its clients put
their token, and whether it is rate limited. `gatehouse.web` picks one per request path."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from gatehouse import errors as error_types


class ErrorEnvelope(Protocol):
    def render(self, error: error_types.GatehouseError) -> tuple[int, Any]: ...

    def unexpected(self, request_id: str) -> tuple[int, Any]: ...


class TokenRule(enum.Enum):
    """Where a surface's clients send their token."""

    # tymon/jwt-auth 1.0's parser chain: `Authorization: Bearer`, then the `token` query
    # parameter, the `token` body field, the `token` cookie; the first one present wins.
    JWT_AUTH = "jwt-auth"
    # Sanctum and D: the `Authorization: Bearer` header only.
    BEARER = "bearer"
    # Goncord: the `Authorization` header when it is present at all, else the `jwt` cookie.
    GONCORD = "goncord"


@dataclass(frozen=True)
class Surface:
    envelope: ErrorEnvelope
    token_rule: TokenRule = TokenRule.BEARER
    # Laravel's `throttle:60,1` on the originals' API routes (A, B, C).
    rate_limited: bool = False


class PlainEnvelope:
    """`{"message": ...}`: for paths no surface claims."""

    _STATUS: ClassVar[dict[type[error_types.GatehouseError], tuple[int, str]]] = {
        error_types.ValidationFailed: (422, "The given data was invalid."),
        error_types.MalformedRequest: (400, "The request body could not be read."),
        error_types.InvalidCredentials: (401, "Invalid credentials."),
        error_types.AccountDisabled: (401, "Invalid credentials."),
        error_types.EmailNotVerified: (403, "The email address is not verified."),
        error_types.PermissionDenied: (403, "Forbidden."),
        error_types.Conflict: (409, "Conflict."),
        error_types.TooManyRequests: (429, "Too Many Requests."),
    }

    def render(self, error: error_types.GatehouseError) -> tuple[int, Any]:
        match error:
            case error_types.MethodNotAllowed():
                return 405, {"message": "Method not allowed."}
            case error_types.NotFound():
                return 404, {"message": "Not found."}
            case error_types.NotAuthenticated():
                return 401, {"message": "Unauthenticated."}
        status, text = self._STATUS.get(type(error), (400, "Bad request."))
        return status, {"message": text}

    def unexpected(self, request_id: str) -> tuple[int, Any]:
        return 500, {"message": "Internal server error", "request_id": request_id}


PLAIN = Surface(PlainEnvelope())
