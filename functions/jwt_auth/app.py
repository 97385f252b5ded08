"""JwtAuth function. Surface B (tymon/jwt-auth): /api/auth/register, login, logout, refresh, me."""

from gatehouse.contracts.jwt_auth import Credentials, IssuedToken, Message, Registration, UserView, answers
from gatehouse.security.tokens import JWT_AUTH
from gatehouse.services import accounts, sessions
from gatehouse.services.mail import MailContext
from gatehouse.surfaces import jwt_auth
from gatehouse.web.app import Routes, create_app, lambda_handler
from gatehouse.web.deps import (
    Body,
    CurrentPrincipal,
    CurrentUser,
    RefreshingPrincipal,
)
from gatehouse.web.request_info import PublicBaseUrl

jwt_auth_routes = Routes(prefix="/api/auth")


@jwt_auth_routes.post("/register", responses=answers(400, 422))
async def register(body: Body[Registration], base_url: PublicBaseUrl) -> Message:
    accounts.sign_up(
        email=body.email,
        password=body.password,
        login=body.username,
        attributes={"sex": body.sex, "age": body.age},
        field_names={"email": "email", "login": "username"},
        mail_context=MailContext("b", base_url),
    )
    return {"message": jwt_auth.REGISTERED}


@jwt_auth_routes.post("/login", responses=answers(400, 401, 403, 422))
async def login(body: Body[Credentials]) -> IssuedToken:
    user = accounts.sign_in(body.email, body.password)
    issued = sessions.start(user, JWT_AUTH, extra_claims=jwt_auth.custom_claims(user))
    return jwt_auth.token_response(issued)


@jwt_auth_routes.post("/logout", responses=answers(401))
async def logout(principal: CurrentPrincipal) -> Message:
    sessions.sign_out(principal)
    return {"message": jwt_auth.SIGNED_OUT}


@jwt_auth_routes.post("/refresh", responses=answers(401))
async def refresh(principal: RefreshingPrincipal) -> IssuedToken:
    issued = sessions.rotate(principal, JWT_AUTH, extra_claims=jwt_auth.custom_claims(principal.user))
    return jwt_auth.token_response(issued)


@jwt_auth_routes.api_route("/me", methods=["GET", "POST"], responses=answers(401))
async def me(user: CurrentUser) -> UserView:
    return jwt_auth.user_view(user)


app = create_app(jwt_auth_routes, surfaces=[("/api/auth/", jwt_auth.SURFACE)])
handler = lambda_handler(app, service="jwt-auth")
