"""Domain exceptions. Services raise these; `gatehouse.web.errors` renders them per surface."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Violation:
    """One failed validation rule: which field, which rule, and the rule's parameters."""

    field: str
    rule: str
    # dataclasses.field, spelled out: the class attribute `field` above shadows the bare name.
    params: Mapping[str, object] = dataclasses.field(default_factory=dict)
    # The request's own wording for this violation (Laravel's FormRequest::messages()), if it has one.
    message: str | None = None


class GatehouseError(Exception):
    """Base of every error a client can cause."""

    def headers(self) -> dict[str, str]:
        """HTTP headers the answer to this error carries, whatever the surface's envelope."""
        return {}


class ValidationFailed(GatehouseError):
    def __init__(self, violations: list[Violation]) -> None:
        super().__init__(", ".join(f"{v.field}:{v.rule}" for v in violations))
        self.violations = violations

    @classmethod
    def single(cls, field_name: str, rule: str, **params: object) -> ValidationFailed:
        return cls([Violation(field_name, rule, params)])


class MalformedRequest(GatehouseError):
    """The body could not be read at all (not JSON, not a form, not an object)."""


class InvalidCredentials(GatehouseError):
    """Sign-in with an unknown identifier or a wrong password (never says which)."""


class PasswordNotChanged(InvalidCredentials):
    """A refused Goncord password change: a wrong current password or a new one the rules refuse
    (the original answered both the same way)."""


class AccountDisabled(GatehouseError):
    """The account exists but has been deactivated."""


class EmailNotVerified(GatehouseError):
    """The deployment requires a verified address and this one is not."""


class NotAuthenticated(GatehouseError):
    """No token, or a token that is malformed, expired, revoked or for a disabled account."""


class TokenMissing(NotAuthenticated):
    """The request carries no token where its surface looks for one."""

    def __init__(self) -> None:
        super().__init__("no token")


class PermissionDenied(GatehouseError):
    pass


class AppTokenUnknown(PermissionDenied):
    """No `x-app-token`, or one no app has, where a Goncord super app is required (the original's
    IsSuperResource plug refused it with 403 "Ресурс не найден.")."""


@dataclass
class NotFound(GatehouseError):
    entity: str = "resource"


class RouteNotFound(NotFound):
    """No route serves this path, whatever the method."""

    def __init__(self, path: str) -> None:
        super().__init__("route")
        self.path = path


class MethodNotAllowed(GatehouseError):
    """The path is served, but not with this method."""

    def __init__(self, method: str, allowed: tuple[str, ...], path: str) -> None:
        super().__init__(method)
        self.method = method
        self.allowed = allowed
        self.path = path

    def headers(self) -> dict[str, str]:
        return {"Allow": ", ".join(self.allowed)}


class TooManyRequests(GatehouseError):
    """The client used up its requests for the current window."""

    def __init__(self, limit: int, retry_after: int) -> None:
        super().__init__(f"limit {limit}")
        self.limit = limit
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {
            "Retry-After": str(self.retry_after),
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": "0",
        }


class Conflict(GatehouseError):
    """A state conflict that is not a field's uniqueness (those are ValidationFailed)."""
