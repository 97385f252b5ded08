"""Surface B's error envelope: Laravel's JSON error shapes, in the original's wording."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gatehouse import errors as error_types
from gatehouse.surfaces import laravel as laravel_messages
from gatehouse.surfaces.envelope import Surface, TokenRule

if TYPE_CHECKING:
    from gatehouse.contracts import jwt_auth as contracts

SIGN_IN_FAILED = "登录验证失败"
# The original's catch-all route (`Route::any('/{any}')` in routes/api.php).
ROUTE_NOT_FOUND = "404 Not Found. 不存在的路径"


class JwtAuthEnvelope:
    """Laravel's JSON error shapes: `{"message"}`, plus `errors` on 422."""

    def render(self, error: error_types.GatehouseError) -> tuple[int, contracts.Refusal]:
        match error:
            case error_types.ValidationFailed():
                return 422, {
                    "message": laravel_messages.INVALID_DATA,
                    "errors": laravel_messages.errors(error),
                }
            case error_types.MalformedRequest():
                return 400, {"message": "The request body is not valid JSON."}
            case error_types.InvalidCredentials() | error_types.AccountDisabled():
                return 401, {"message": SIGN_IN_FAILED}
            case error_types.EmailNotVerified():
                return 403, {"message": "Your email address is not verified."}
            case error_types.NotAuthenticated():
                return 401, {"message": "Unauthenticated."}
            case error_types.PermissionDenied():
                return 403, {"message": "This action is unauthorized."}
            case error_types.RouteNotFound():
                return 404, {"message": ROUTE_NOT_FOUND}
            case error_types.NotFound():
                return 404, {"message": "Not Found"}
            case error_types.MethodNotAllowed():
                # Laravel 7's wording.
                supported = ", ".join(error.allowed)
                return 405, {
                    "message": f"The {error.method} method is not supported for this route. Supported methods: {supported}."
                }
            case error_types.TooManyRequests():
                return 429, {"message": laravel_messages.TOO_MANY_ATTEMPTS}
            case _:
                return 409, {"message": "The request conflicts with the current state."}

    def unexpected(self, request_id: str) -> tuple[int, contracts.Refusal]:
        return 500, {"message": "Server Error", "request_id": request_id}


ENVELOPE = JwtAuthEnvelope()
SURFACE = Surface(ENVELOPE, TokenRule.JWT_AUTH, rate_limited=True)
