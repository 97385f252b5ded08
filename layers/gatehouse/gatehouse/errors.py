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


class AccountDisabled(GatehouseError):
    """The account exists but has been deactivated."""


class EmailNotVerified(GatehouseError):
    """The deployment requires a verified address and this one is not."""


class NotAuthenticated(GatehouseError):
    """No token, or a token that is malformed, expired, revoked or for a disabled account."""


class PermissionDenied(GatehouseError):
    pass


@dataclass
class NotFound(GatehouseError):
    entity: str = "resource"


class Conflict(GatehouseError):
    """A state conflict that is not a field's uniqueness (those are ValidationFailed)."""
