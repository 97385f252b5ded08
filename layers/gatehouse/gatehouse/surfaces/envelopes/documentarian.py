"""Surface A's error envelope: `{"success": false, "error": {"code", "message"}}`, in the original's wording."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gatehouse import errors as error_types
from gatehouse.surfaces import laravel as laravel_messages
from gatehouse.surfaces.envelope import Surface, TokenRule

if TYPE_CHECKING:
    from gatehouse.contracts import documentarian as contracts

TOKEN_NOT_PROVIDED = "Token not provided"

# The original's refusals (its statuses were 404 or 200; ours are 401/403/404, SPEC).
# AuthController::login, for an unknown account, a wrong password or an unverified address alike:
NO_SUCH_ACCOUNT = (
    "We cant find an account with this credentials. Please make sure you entered the right "
    "information and you have verified your email address."
)
# AuthController::verifyUser:
VERIFICATION_CODE_INVALID = "Verification code is invalid."
# DemandController (develop), for a demand id that names nothing:
DEMAND_NOT_FOUND = "Указанный ID требования не найден"
# _BaseApiController::destroy (user_meta and position; UserController had its own, empty, destroy):
NOTHING_TO_REMOVE = "Удаляемый объект не найден"
NOT_FOUND = "Not found"
_NOT_FOUND_WORDING = {"demand": DEMAND_NOT_FOUND, "verification token": VERIFICATION_CODE_INVALID}


class NothingToRemove(error_types.NotFound):
    """The object a DELETE names does not exist (worded as the original's destroy did)."""


def failure(
    code: int, message: str, errors: dict[str, list[str]] | None = None, request_id: str | None = None
) -> contracts.Refusal:
    error: contracts.RefusalError = {"code": code, "message": message}
    if errors is not None:
        error["errors"] = errors
    if request_id is not None:
        error["request_id"] = request_id
    return {"success": False, "error": error}


class DocumentarianEnvelope:
    def render(self, error: error_types.GatehouseError) -> tuple[int, contracts.Refusal]:
        match error:
            case error_types.ValidationFailed():
                return 422, failure(422, laravel_messages.INVALID_DATA, errors=laravel_messages.errors(error))
            case error_types.MalformedRequest():
                return 400, failure(400, "The request body is not valid JSON.")
            case error_types.TokenMissing():
                return 401, failure(0, TOKEN_NOT_PROVIDED)
            case error_types.NotAuthenticated():
                return 401, failure(0, "Token is invalid")
            case error_types.InvalidCredentials() | error_types.AccountDisabled():
                return 401, failure(401, NO_SUCH_ACCOUNT)
            case error_types.EmailNotVerified():
                return 403, failure(403, NO_SUCH_ACCOUNT)
            case error_types.PermissionDenied():
                return 403, failure(403, "Permission denied")
            case NothingToRemove():
                return 404, failure(404, NOTHING_TO_REMOVE)
            case error_types.NotFound(entity=entity):
                return 404, failure(404, _NOT_FOUND_WORDING.get(entity, NOT_FOUND))
            case error_types.MethodNotAllowed():
                return 405, failure(405, "Method not allowed")
            case error_types.TooManyRequests():
                return 429, failure(429, laravel_messages.TOO_MANY_ATTEMPTS)
            case error_types.Conflict():
                return 409, failure(409, str(error) or "Conflict")
            case _:
                return 400, failure(400, "Bad request")

    def unexpected(self, request_id: str) -> tuple[int, contracts.Refusal]:
        return 500, failure(500, "Server error", request_id=request_id)


ENVELOPE = DocumentarianEnvelope()
SURFACE = Surface(ENVELOPE, TokenRule.JWT_AUTH, rate_limited=True)
