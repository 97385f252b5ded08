"""Surface B (tymon/jwt-auth on Laravel): `/api/auth/*`."""

from __future__ import annotations

from typing import Any

from gatehouse.clock import laravel
from gatehouse.contracts import jwt_auth as contracts
from gatehouse.data.models import UserItem
from gatehouse.errors import (
    AccountDisabled,
    EmailNotVerified,
    GatehouseError,
    InvalidCredentials,
    MalformedRequest,
    MethodNotAllowed,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    RouteNotFound,
    TooManyRequests,
    ValidationFailed,
)
from gatehouse.services.sessions import IssuedToken
from gatehouse.surfaces import laravel as laravel_messages
from gatehouse.surfaces.envelope import Surface, TokenRule

REGISTERED = "注册成功"
SIGN_IN_FAILED = "登录验证失败"
SIGNED_OUT = "登出成功"
# The original's catch-all route (`Route::any('/{any}')` in routes/api.php).
ROUTE_NOT_FOUND = "404 Not Found. 不存在的路径"


# The original's column default (`$user->type = 0`, a doctor); nothing in Gatehouse sets another.
DEFAULT_USER_TYPE = 0


def user_type(user: UserItem) -> int:
    """The original's `users.type` (0 doctor, 1 patient, 2 expert, 3 other), kept in the profile map."""
    profile: dict[str, Any] = user.profile or {}
    value = profile.get("type", DEFAULT_USER_TYPE)
    return value if isinstance(value, int) else DEFAULT_USER_TYPE


def custom_claims(user: UserItem) -> dict[str, Any]:
    """`User::getJWTCustomClaims()` of the original: `type` and `username` in every token B issues."""
    return {"type": user_type(user), "username": user.login}


def token_response(issued: IssuedToken) -> contracts.IssuedToken:
    return {"access_token": issued.token, "token_type": "bearer", "expires_in": issued.expires_in}


def user_view(user: UserItem) -> contracts.UserView:
    profile: dict[str, Any] = user.profile or {}
    return {
        "id": user.id,
        "created_at": laravel(user.created_at),
        "updated_at": laravel(user.updated_at),
        "type": user_type(user),
        "username": user.login,
        "sex": user.sex,
        "age": user.age,
        "head_portrait": user.userpic,
        "clinic": profile.get("clinic"),
        "mobile": user.phone,
        "email": user.email,
        "fixphonenumber": profile.get("fixphonenumber"),
        "certificat": profile.get("certificat"),
        "certificat_checked": profile.get("certificat_checked"),
        "wechat": profile.get("wechat"),
        "intro": profile.get("intro"),
        "school": profile.get("school"),
        "major": profile.get("major"),
    }


class JwtAuthEnvelope:
    """Laravel's JSON error shapes: `{"message"}`, plus `errors` on 422."""

    def render(self, error: GatehouseError) -> tuple[int, contracts.Refusal]:
        match error:
            case ValidationFailed():
                return 422, {
                    "message": laravel_messages.INVALID_DATA,
                    "errors": laravel_messages.errors(error),
                }
            case MalformedRequest():
                return 400, {"message": "The request body is not valid JSON."}
            case InvalidCredentials() | AccountDisabled():
                return 401, {"message": SIGN_IN_FAILED}
            case EmailNotVerified():
                return 403, {"message": "Your email address is not verified."}
            case NotAuthenticated():
                return 401, {"message": "Unauthenticated."}
            case PermissionDenied():
                return 403, {"message": "This action is unauthorized."}
            case RouteNotFound():
                return 404, {"message": ROUTE_NOT_FOUND}
            case NotFound():
                return 404, {"message": "Not Found"}
            case MethodNotAllowed():
                # Laravel 7's wording.
                supported = ", ".join(error.allowed)
                return 405, {
                    "message": f"The {error.method} method is not supported for this route. Supported methods: {supported}."
                }
            case TooManyRequests():
                return 429, {"message": laravel_messages.TOO_MANY_ATTEMPTS}
            case _:
                return 409, {"message": "The request conflicts with the current state."}

    def unexpected(self, request_id: str) -> tuple[int, contracts.Refusal]:
        return 500, {"message": "Server Error", "request_id": request_id}


ENVELOPE = JwtAuthEnvelope()
SURFACE = Surface(ENVELOPE, TokenRule.JWT_AUTH, rate_limited=True)
