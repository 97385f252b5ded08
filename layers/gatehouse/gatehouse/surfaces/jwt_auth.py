"""Surface B (tymon/jwt-auth on Laravel): `/api/auth/*` views (its errors and `SURFACE`:
`gatehouse.surfaces.envelopes.jwt_auth`)."""

from __future__ import annotations

from typing import Any

from gatehouse.clock import laravel
from gatehouse.contracts import jwt_auth as contracts
from gatehouse.data.models import UserItem
from gatehouse.services.sessions import IssuedToken
from gatehouse.surfaces.envelopes.jwt_auth import SURFACE as SURFACE

REGISTERED = "注册成功"
SIGNED_OUT = "登出成功"


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
