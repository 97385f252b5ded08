"""What every surface's error envelope provides; `gatehouse.web.errors` picks one per path."""

from __future__ import annotations

from typing import Any, ClassVar, Protocol

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
    ValidationFailed,
)


class ErrorEnvelope(Protocol):
    def render(self, error: GatehouseError) -> tuple[int, Any]: ...

    def unexpected(self, request_id: str) -> tuple[int, Any]: ...


class PlainEnvelope:
    """`{"message": ...}`: for paths no surface claims."""

    _STATUS: ClassVar[dict[type[GatehouseError], tuple[int, str]]] = {
        ValidationFailed: (422, "The given data was invalid."),
        MalformedRequest: (400, "The request body could not be read."),
        InvalidCredentials: (401, "Invalid credentials."),
        AccountDisabled: (401, "Invalid credentials."),
        EmailNotVerified: (403, "The email address is not verified."),
        NotAuthenticated: (401, "Unauthenticated."),
        PermissionDenied: (403, "Forbidden."),
        NotFound: (404, "Not found."),
        Conflict: (409, "Conflict."),
    }

    def render(self, error: GatehouseError) -> tuple[int, Any]:
        if isinstance(error, MethodNotAllowed):
            return 405, {"message": "Method not allowed."}
        status, text = self._STATUS.get(type(error), (400, "Bad request."))
        return status, {"message": text}

    def unexpected(self, request_id: str) -> tuple[int, Any]:
        return 500, {"message": "Internal server error", "request_id": request_id}
