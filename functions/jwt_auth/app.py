"""JwtAuth function. Surface B (tymon/jwt-auth): /api/auth/register, login, logout, refresh, me."""

from __future__ import annotations

from typing import Any

from gatehouse.security.tokens import JWT_AUTH
from gatehouse.services import accounts, sessions
from gatehouse.services.mail import MailContext
from gatehouse.surfaces import jwt_auth
from gatehouse.validation import required, validate
from gatehouse.web.app import Routes, create_app, lambda_handler
from gatehouse.web.deps import (
    CurrentPrincipal,
    CurrentUser,
    PublicBaseUrl,
    RefreshingPrincipal,
    RequestBody,
)

jwt_auth_routes = Routes(prefix="/api/auth")

REGISTRATION = {
    "username": required(min=3, max=16),  # the original's `required|min:3|max:16`
    "password": required("new_password", min=8),
    "email": required("email", max=255),
    "sex": required("integer", min=0, max=2),
    "age": required("integer", min=0, max=150),
}
CREDENTIALS = {
    # The original's `required|email`, widened to SPEC's sign-in by login name: a value with "@"
    # must be a valid email (422 otherwise), one without is the login name.
    "email": required("identifier", max=255),
    "password": required("password"),
}


@jwt_auth_routes.post("/register")
async def register(body: RequestBody, base_url: PublicBaseUrl) -> dict[str, Any]:
    data = validate(body, REGISTRATION)
    accounts.sign_up(
        email=data["email"],
        password=data["password"],
        login=data["username"],
        attributes={"sex": data["sex"], "age": data["age"]},
        field_names={"email": "email", "login": "username"},
        mail_context=MailContext("b", base_url),
    )
    return {"message": jwt_auth.REGISTERED}


@jwt_auth_routes.post("/login")
async def login(body: RequestBody) -> dict[str, Any]:
    data = validate(body, CREDENTIALS)
    user = accounts.sign_in(data["email"], data["password"])
    issued = sessions.start(user, JWT_AUTH, extra_claims=jwt_auth.custom_claims(user))
    return jwt_auth.token_response(issued)


@jwt_auth_routes.post("/logout")
async def logout(principal: CurrentPrincipal) -> dict[str, Any]:
    sessions.sign_out(principal)
    return {"message": jwt_auth.SIGNED_OUT}


@jwt_auth_routes.post("/refresh")
async def refresh(principal: RefreshingPrincipal) -> dict[str, Any]:
    issued = sessions.rotate(principal, JWT_AUTH, extra_claims=jwt_auth.custom_claims(principal.user))
    return jwt_auth.token_response(issued)


@jwt_auth_routes.api_route("/me", methods=["GET", "POST"])
async def me(user: CurrentUser) -> dict[str, Any]:
    return jwt_auth.user_view(user)


app = create_app(jwt_auth_routes, surfaces=[("/api/auth/", jwt_auth.SURFACE)])
handler = lambda_handler(app, service="jwt-auth")
