"""Surface C's error envelope: errors as the Laravel app answers them, inside `{"status": "error", "message"}`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gatehouse import errors as error_types
from gatehouse.surfaces import laravel as laravel_messages
from gatehouse.surfaces.envelope import Surface, TokenRule

if TYPE_CHECKING:
    from gatehouse.contracts import org_structure as contracts

_NOT_FOUND = {
    "organization": "Organization not found",
    "department": "Department not found",
    "position": "Position not found",
    "user": "User not found",
}


def failure(
    message: str, errors: dict[str, list[str]] | None = None, request_id: str | None = None
) -> contracts.Refusal:
    refusal: contracts.Refusal = {"status": "error", "message": message}
    if errors is not None:
        refusal["errors"] = errors
    if request_id is not None:
        refusal["request_id"] = request_id
    return refusal


class OrgStructureEnvelope:
    """Errors as the Laravel app answers them, inside `{"status": "error", "message"}`."""

    def render(self, error: error_types.GatehouseError) -> tuple[int, contracts.Refusal]:
        match error:
            case error_types.ValidationFailed():
                return 422, failure(laravel_messages.INVALID_DATA, errors=laravel_messages.errors(error))
            case error_types.MalformedRequest():
                return 400, failure("The request body is not valid JSON.")
            case error_types.InvalidCredentials():
                return 401, failure("Invalid credentials")
            case error_types.AccountDisabled():
                return 403, failure("Account is deactivated")
            case error_types.EmailNotVerified():
                return 403, failure("Your email address is not verified.")
            case error_types.NotAuthenticated():
                return 401, failure("Unauthenticated.")
            case error_types.PermissionDenied():
                return 403, failure("This action is unauthorized.")
            case error_types.RouteNotFound():
                return 404, failure(f"The route {error.path.lstrip('/')} could not be found.")
            case error_types.NotFound():
                return 404, failure(_NOT_FOUND.get(error.entity, "Not Found"))
            case error_types.MethodNotAllowed():
                # Laravel 12's wording.
                return 405, failure(
                    f"The {error.method} method is not supported for route {error.path.lstrip('/')}. "
                    f"Supported methods: {', '.join(error.allowed)}."
                )
            case error_types.TooManyRequests():
                return 429, failure(laravel_messages.TOO_MANY_ATTEMPTS)
            case error_types.Conflict():
                return 409, failure(str(error) or "Conflict")
            case _:
                return 400, failure("Bad request")

    def unexpected(self, request_id: str) -> tuple[int, contracts.Refusal]:
        return 500, failure("Server Error", request_id=request_id)


ENVELOPE = OrgStructureEnvelope()
SURFACE = Surface(ENVELOPE, TokenRule.BEARER, rate_limited=True)
