"""Goncord function. Surface E (Goncord, Phoenix): /api/v0/users, tokens, menu, apps, roles
and an app's own payload (resource/self_update).

Every route but registration and sign-in reads the token from `Authorization: Bearer`, or,
only when that header is absent, from the `jwt` cookie.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Response

from gatehouse.data.apps import AppTokenItem
from gatehouse.data.models import UserItem
from gatehouse.errors import NotFound, ValidationFailed, Violation
from gatehouse.security.tokens import GONCORD
from gatehouse.services import accounts, audit, goncord, sessions
from gatehouse.services import apps as app_service
from gatehouse.services.caller import ClientInfo
from gatehouse.services.mail import MailContext
from gatehouse.surfaces import goncord as views
from gatehouse.validation import optional, required, validate
from gatehouse.web.app import Routes, create_app, lambda_handler
from gatehouse.web.deps import Client, CurrentPrincipal, CurrentUser, PublicBaseUrl, RequestBody

goncord_routes = Routes(prefix="/api/v0")

NAME_FIELDS = {
    "first_name": optional(max=255),
    "last_name": optional(max=255),
    "second_name": optional(max=255),
    "birthday": optional("date"),
}
REGISTRATION = {
    "login": required(min=3, max=255),
    "password": required("new_password", min=6),
    "email": required("email", max=255),
    **NAME_FIELDS,
}
CREDENTIALS = {
    # Either one names the account (both may be sent; `login` wins, as in the original).
    "login": optional(max=255),
    "email": optional(max=255),
    "password": required("password"),
}
PROFILE = {**NAME_FIELDS, "roles": optional("json"), "apps": optional("json")}
APP = {
    "name": required(max=255),
    "url": required(max=2048),
    "is_super": optional("boolean"),
    "roles": optional("json"),
}
APP_CHANGES = {
    "name": optional(max=255),
    "url": optional(max=2048),
    "is_super": optional("boolean"),
    "roles": optional("json"),
}


def _profile(data: dict[str, Any]) -> dict[str, Any]:
    """Goncord's names for the canonical user's fields (second_name is the middle name)."""
    renamed = {"second_name": "middle_name"}
    return {renamed.get(name, name): data[name] for name in NAME_FIELDS if name in data}


async def profile_editor_app(
    client: Client, x_app_token: Annotated[str | None, Header()] = None
) -> AppTokenItem:
    """The super app behind `PATCH /users`. The seed's UserController.update answered no or an
    unknown `x-app-token` like a missing user: 404 "Пользователь или ресурс не существуют."."""
    try:
        return app_service.authorize_super_app(x_app_token, client)
    except app_service.AppTokenUnknown:
        raise NotFound("user or app") from None


async def own_app(client: Client, x_app_token: Annotated[str | None, Header()] = None) -> AppTokenItem:
    """Any app, by its `x-app-token` (no or an unknown one: 404 "Ресурс не найден.")."""
    return app_service.require_app(x_app_token, client)


async def super_app(client: Client, x_app_token: Annotated[str | None, Header()] = None) -> AppTokenItem:
    """A super app, as the later original's IsSuperResource plug required (403 otherwise).
    Too many unknown tokens from one client: 429 for a while (brute-force lockout)."""
    return app_service.authorize_super_app(x_app_token, client)


@goncord_routes.post("/users", status_code=201)
async def register(body: RequestBody, client: Client, base_url: PublicBaseUrl) -> dict[str, Any]:
    data = validate(body, REGISTRATION)
    user = accounts.register(
        email=data["email"],
        password=data["password"],
        login=data["login"],
        attributes=_profile(data),
        field_names={"email": "email", "login": "login"},
        mail_context=MailContext("e", base_url),
    )
    audit.record("user.register", client=client, actor=user, target_type="user", target_id=user.id)
    return views.user_view(user)


@goncord_routes.patch("/users")
async def update_user(
    user: CurrentUser,
    calling_app: Annotated[AppTokenItem, Depends(profile_editor_app)],
    body: RequestBody,
    client: Client,
) -> dict[str, Any]:
    data = validate(body, PROFILE)
    user, changed = goncord.update_profile(user, _profile(data), data.get("roles"), data.get("apps"))
    _audit_update(client, user, calling_app, changed)
    return views.user_view(user)


@goncord_routes.patch("/resource/self_update")
async def update_own_payload(
    user: CurrentUser,
    calling_app: Annotated[AppTokenItem, Depends(own_app)],
    body: RequestBody,
    client: Client,
) -> dict[str, Any]:
    user = goncord.set_own_payload(user, calling_app, body)
    _audit_update(client, user, calling_app, ["app_data"])
    return views.user_view(user)


@goncord_routes.post("/roles")
async def set_roles(
    user: CurrentUser,
    calling_app: Annotated[AppTokenItem, Depends(super_app)],
    body: RequestBody,
    client: Client,
) -> list[dict[str, Any]]:
    (roles,) = goncord.required_parameters(body, "roles")
    user, changed = goncord.set_roles(user, roles)
    _audit_update(client, user, calling_app, changed)
    return views.roles_view(user.app_roles)


@goncord_routes.delete("/roles", status_code=204)
async def remove_roles(
    user: CurrentUser,
    calling_app: Annotated[AppTokenItem, Depends(super_app)],
    body: RequestBody,
    client: Client,
) -> Response:
    (roles,) = goncord.required_parameters(body, "roles")
    user, changed = goncord.remove_roles(user, roles)
    _audit_update(client, user, calling_app, changed)
    return Response(status_code=204)


def _audit_update(client: ClientInfo, user: UserItem, calling_app: AppTokenItem, changed: list[str]) -> None:
    audit.record(
        "user.update",
        client=client,
        actor=user,
        target_type="user",
        target_id=user.id,
        details={"app_id": calling_app.app_id, "fields": ",".join(changed)},
    )


@goncord_routes.post("/users/change_password")
async def change_password(principal: CurrentPrincipal, body: RequestBody, client: Client) -> Response:
    user = principal.user
    try:
        goncord.change_password(user, body, principal.session)
    except goncord.PasswordNotChanged:
        audit.record(
            "user.password",
            client=client,
            actor=user,
            target_type="user",
            target_id=user.id,
            outcome="failure",
        )
        raise
    audit.record("user.password", client=client, actor=user, target_type="user", target_id=user.id)
    return Response(status_code=200)


@goncord_routes.post("/tokens", status_code=201)
async def sign_in(body: RequestBody, client: Client) -> dict[str, Any]:
    data = validate(body, CREDENTIALS)
    identifier = data.get("login") or data.get("email")
    if identifier is None:
        raise ValidationFailed([Violation("login", "required"), Violation("email", "required")])
    user = accounts.sign_in(identifier, data["password"])
    issued = sessions.start(user, GONCORD)
    return views.signed_in(user, issued)


@goncord_routes.delete("/tokens", status_code=204)
async def sign_out(principal: CurrentPrincipal, client: Client) -> Response:
    sessions.end(principal)
    audit.record(
        "auth.logout", client=client, actor=principal.user, target_type="user", target_id=principal.user.id
    )
    return Response(status_code=204)


@goncord_routes.get("/tokens/validate")
async def validate_token(user: CurrentUser) -> dict[str, Any]:
    return views.user_view(user)


@goncord_routes.get("/menu")
async def menu(user: CurrentUser) -> list[dict[str, Any]]:
    return views.menu_view(app_service.menu(user))


@goncord_routes.get("/apps")
async def list_apps(user: CurrentUser) -> list[dict[str, Any]]:
    return [views.app_view(app) for app in app_service.listing(user)]


@goncord_routes.post("/apps", status_code=201)
async def add_app(user: CurrentUser, body: RequestBody, client: Client) -> dict[str, Any]:
    app, token = app_service.create(user, validate(body, APP))
    audit.record("app.create", client=client, actor=user, target_type="app", target_id=app.id)
    return views.app_view(app, token)


@goncord_routes.get("/apps/{app_id}")
async def show_app(app_id: int, user: CurrentUser) -> dict[str, Any]:
    return views.app_view(app_service.get(user, app_id))


@goncord_routes.patch("/apps/{app_id}")
async def update_app(app_id: int, user: CurrentUser, body: RequestBody, client: Client) -> dict[str, Any]:
    app = app_service.update(user, app_id, validate(body, APP_CHANGES))
    audit.record("app.update", client=client, actor=user, target_type="app", target_id=app.id)
    return views.app_view(app)


@goncord_routes.post("/apps/{app_id}/token", status_code=201)
async def rotate_app_token(app_id: int, user: CurrentUser, client: Client) -> dict[str, Any]:
    app, token = app_service.rotate_token(user, app_id)
    audit.record("app.token", client=client, actor=user, target_type="app", target_id=app.id)
    return views.app_view(app, token)


@goncord_routes.delete("/apps/{app_id}", status_code=204)
async def delete_app(app_id: int, user: CurrentUser, client: Client) -> Response:
    app = app_service.delete(user, app_id)
    audit.record("app.delete", client=client, actor=user, target_type="app", target_id=app.id)
    return Response(status_code=204)


app = create_app(goncord_routes, surfaces=[("/api/v0/", views.SURFACE)])
handler = lambda_handler(app, service="goncord")
