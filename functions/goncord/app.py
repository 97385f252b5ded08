"""Goncord function. Surface E (Goncord, Phoenix): /api/v0/users, tokens, menu, apps, roles
and an app's own payload (resource/self_update).

Every route but registration and sign-in reads the token from `Authorization: Bearer`, or,
only when that header is absent, from the `jwt` cookie.
"""

from typing import Annotated

from fastapi import Depends, Header, Response

from gatehouse.contracts.goncord import (
    AppChanges,
    AppView,
    Credentials,
    MenuEntry,
    NewApp,
    PasswordChange,
    ProfileUpdate,
    Registration,
    RoleChange,
    RoleName,
    SignedIn,
    UserView,
    answers,
)
from gatehouse.data.apps import AppTokenItem
from gatehouse.errors import AppTokenUnknown, NotFound, ValidationFailed, Violation
from gatehouse.services import apps, goncord, sessions
from gatehouse.services.mail import MailContext
from gatehouse.surfaces.goncord import SURFACE, app_view, menu_view, roles_view, signed_in, user_view
from gatehouse.web.app import Routes, create_app, lambda_handler
from gatehouse.web.deps import Body, Credential, CurrentPrincipal, CurrentUser, SentBody, needs
from gatehouse.web.request_info import PublicBaseUrl

goncord_routes = Routes(prefix="/api/v0")


@needs(Credential.APP_TOKEN)
async def profile_editor_app(x_app_token: Annotated[str | None, Header()] = None) -> AppTokenItem:
    """The super app behind `PATCH /users`. The seed's UserController.update answered no or an
    unknown `x-app-token` like a missing user: 404 "Пользователь или ресурс не существуют."."""
    try:
        return apps.authorize_super_app(x_app_token)
    except AppTokenUnknown:
        raise NotFound("user or app") from None


@needs(Credential.APP_TOKEN)
async def own_app(x_app_token: Annotated[str | None, Header()] = None) -> AppTokenItem:
    """Any app, by its `x-app-token` (no or an unknown one: 404 "Ресурс не найден.")."""
    return apps.require_app(x_app_token)


@needs(Credential.APP_TOKEN)
async def super_app(x_app_token: Annotated[str | None, Header()] = None) -> AppTokenItem:
    """A super app, as the later original's IsSuperResource plug required (403 otherwise).
    Too many unknown tokens from one client: 429 for a while (brute-force lockout)."""
    return apps.authorize_super_app(x_app_token)


@goncord_routes.post("/users", status_code=201, responses=answers(400, 422))
async def register(body: Body[Registration], base_url: PublicBaseUrl) -> UserView:
    return user_view(goncord.register(body, MailContext("e", base_url)))


@goncord_routes.patch("/users", responses=answers(400, 401, 403, 404, 409, 422, 429))
async def update_user(
    user: CurrentUser,
    calling_app: Annotated[AppTokenItem, Depends(profile_editor_app)],
    body: Body[ProfileUpdate],
) -> UserView:
    return user_view(goncord.update_profile_by(calling_app, user, body))


@goncord_routes.patch("/resource/self_update", responses=answers(400, 401, 404, 422, 429))
async def update_own_payload(
    user: CurrentUser, calling_app: Annotated[AppTokenItem, Depends(own_app)], body: SentBody
) -> UserView:
    # The body is the payload itself: any JSON object, which no model describes.
    return user_view(goncord.set_own_payload(user, calling_app, dict(body)))


@goncord_routes.post("/roles", responses=answers(400, 401, 403, 422, 429))
async def set_roles(
    user: CurrentUser, calling_app: Annotated[AppTokenItem, Depends(super_app)], body: Body[RoleChange]
) -> list[RoleName]:
    return roles_view(goncord.set_roles_by(calling_app, user, body.roles).app_roles)


@goncord_routes.delete("/roles", status_code=204, responses=answers(400, 401, 403, 422, 429))
async def remove_roles(
    user: CurrentUser, calling_app: Annotated[AppTokenItem, Depends(super_app)], body: Body[RoleChange]
) -> Response:
    goncord.remove_roles_by(calling_app, user, body.roles)
    return Response(status_code=204)


@goncord_routes.post("/users/change_password", status_code=200, responses=answers(400, 401, 422))
async def change_password(principal: CurrentPrincipal, body: Body[PasswordChange]) -> Response:
    goncord.change_password(principal.user, body.old_password, body.new_password, principal.session)
    return Response(status_code=200)


@goncord_routes.post("/tokens", status_code=201, responses=answers(400, 403, 422, 429))
async def sign_in(body: Body[Credentials]) -> SignedIn:
    identifier = body.login or body.email
    if identifier is None:
        raise ValidationFailed([Violation("login", "required"), Violation("email", "required")])
    return signed_in(*goncord.sign_in(identifier, body.password))


@goncord_routes.delete("/tokens", status_code=204, responses=answers(401))
async def sign_out(principal: CurrentPrincipal) -> Response:
    sessions.sign_out(principal)
    return Response(status_code=204)


@goncord_routes.get("/tokens/validate", responses=answers(401))
async def validate_token(user: CurrentUser) -> UserView:
    return user_view(user)


@goncord_routes.get("/menu", responses=answers(401))
async def menu(user: CurrentUser) -> list[MenuEntry]:
    return menu_view(apps.menu(user))


@goncord_routes.get("/apps", responses=answers(401, 403))
async def list_apps(user: CurrentUser) -> list[AppView]:
    return [app_view(listed) for listed in apps.listing(user)]


@goncord_routes.post("/apps", status_code=201, responses=answers(400, 401, 403, 422))
async def add_app(user: CurrentUser, body: Body[NewApp]) -> AppView:
    return app_view(*apps.create(user, body))


@goncord_routes.get("/apps/{app_id}", responses=answers(401, 403, 404))
async def show_app(app_id: int, user: CurrentUser) -> AppView:
    return app_view(apps.get(user, app_id))


@goncord_routes.patch("/apps/{app_id}", responses=answers(400, 401, 403, 404, 422))
async def update_app(app_id: int, user: CurrentUser, body: Body[AppChanges]) -> AppView:
    return app_view(apps.update(user, app_id, body))


@goncord_routes.post("/apps/{app_id}/token", status_code=201, responses=answers(401, 403, 404))
async def rotate_app_token(app_id: int, user: CurrentUser) -> AppView:
    return app_view(*apps.rotate_token(user, app_id))


@goncord_routes.delete("/apps/{app_id}", status_code=204, responses=answers(401, 403, 404))
async def delete_app(app_id: int, user: CurrentUser) -> Response:
    apps.delete(user, app_id)
    return Response(status_code=204)


app = create_app(goncord_routes, surfaces=[("/api/v0/", SURFACE)])
handler = lambda_handler(app, service="goncord")
