"""OrgStructureUsers function. Surface C: /api/users (+ password, activate, deactivate), /api/login, /api/logout (Sanctum)."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from gatehouse.services import accounts, org_structure_users, paging, sessions
from gatehouse.services.mail import MailContext
from gatehouse.surfaces import org_structure
from gatehouse.validation import optional, required, validate
from gatehouse.web.app import Routes, create_app, lambda_handler
from gatehouse.web.deps import CurrentPrincipal, CurrentUser, PublicBaseUrl, RequestBody

routes = Routes(prefix="/api")

CREDENTIALS = {
    "email": required(max=255),
    "password": required("password"),
    "device_name": optional(max=255),
}
USERS_QUERY = {
    "page": optional("any"),  # anything but an integer >= 1 is page 1, as Laravel's paginator reads it
    "per_page": optional("integer", min=1, max=1000),
    "search": optional(max=255),
    "organization_id": optional("integer", min=1),
    "department_id": optional("integer", min=1),
    "position_id": optional("integer", min=1),
    "role": optional(max=20),
    "is_active": optional("boolean"),
}
PROFILE = {
    "phone": optional(max=20),
    "position": optional(max=255),
    "department_id": optional("integer", min=1),
    "position_id": optional("integer", min=1),
    "role": optional(choices=org_structure_users.ASSIGNABLE_ROLES, nullable=False),
}
NEW_USER = {
    "name": required(max=255),
    "email": required("email", max=255),
    "password": required("new_password", min=8, confirmed=True),
    "password_confirmation": required("password"),
    "organization_id": required("integer", min=1),
    **PROFILE,
}
USER_CHANGES = {
    "name": optional(max=255, nullable=False),
    "organization_id": optional("integer", min=1, nullable=False),
    **PROFILE,
}
NEW_PASSWORD = {
    "password": required("new_password", min=8, confirmed=True),
    "password_confirmation": required("password"),
}
DEFAULT_DEVICE_NAME = "api"


@routes.post("/login")
async def login(body: RequestBody) -> dict[str, Any]:
    data = validate(body, CREDENTIALS)
    user = accounts.sign_in(data["email"], data["password"])
    issued = sessions.start_personal_access_token(user, data.get("device_name") or DEFAULT_DEVICE_NAME)
    view = org_structure.token_view(issued, user, org_structure_users.user_relations([user]))
    return org_structure.success("Login successful", view)


@routes.post("/logout")
async def logout(principal: CurrentPrincipal) -> dict[str, Any]:
    sessions.sign_out(principal)
    return org_structure.success("Logout successful")  # the original AuthApiController@logout


@routes.get("/users")
async def list_users(request: Request, actor: CurrentUser) -> dict[str, Any]:
    query = validate(dict(request.query_params), USERS_QUERY)
    requested = paging.requested(query.get("page"), query.get("per_page"), query.get("search"))
    filters = org_structure_users.UserFilters(
        organization_id=query.get("organization_id"),
        department_id=query.get("department_id"),
        position_id=query.get("position_id"),
        role=query.get("role"),
        is_active=query.get("is_active"),
    )
    page = org_structure_users.list_users(actor, requested, filters)
    views = [org_structure.user_view(user, page.related) for user in page.items]
    return org_structure.listing("Users retrieved successfully", "users", views, page)


@routes.post("/users", status_code=201)
async def create_user(actor: CurrentUser, body: RequestBody, base_url: PublicBaseUrl) -> dict[str, Any]:
    created = org_structure_users.create_user(actor, validate(body, NEW_USER), MailContext("c", base_url))
    view = org_structure.user_view(created, org_structure_users.user_relations([created]))
    view.pop("last_login_at")
    return org_structure.success("User created successfully", {"user": view})


@routes.get("/users/{user_id}")
async def show_user(user_id: int, actor: CurrentUser) -> dict[str, Any]:
    found = org_structure_users.get_user(actor, user_id)
    view = org_structure.user_view(found, org_structure_users.user_relations([found]), detail=True)
    return org_structure.success("User retrieved successfully", {"user": view})


@routes.put("/users/{user_id}")
async def update_user(user_id: int, actor: CurrentUser, body: RequestBody) -> dict[str, Any]:
    updated = org_structure_users.update_user(actor, user_id, validate(body, USER_CHANGES))
    view = org_structure.user_view(updated, org_structure_users.user_relations([updated]))
    return org_structure.success("User updated successfully", {"user": view})


@routes.delete("/users/{user_id}")
async def delete_user(user_id: int, actor: CurrentUser) -> dict[str, Any]:
    org_structure_users.delete_user(actor, user_id)
    return org_structure.success("User deleted successfully")


@routes.put("/users/{user_id}/password")
async def change_password(user_id: int, principal: CurrentPrincipal, body: RequestBody) -> dict[str, Any]:
    data = validate(body, NEW_PASSWORD)
    org_structure_users.change_password(principal.user, user_id, data["password"], principal.session)
    return org_structure.success("Password changed successfully")


@routes.put("/users/{user_id}/activate")
async def activate_user(user_id: int, actor: CurrentUser) -> dict[str, Any]:
    target = org_structure_users.set_active(actor, user_id, True)
    return org_structure.success("User activated successfully", org_structure.activation_view(target))


@routes.put("/users/{user_id}/deactivate")
async def deactivate_user(user_id: int, actor: CurrentUser) -> dict[str, Any]:
    target = org_structure_users.set_active(actor, user_id, False)
    return org_structure.success("User deactivated successfully", org_structure.activation_view(target))


app = create_app(
    routes,
    surfaces=[
        ("/api/users", org_structure.SURFACE),
        ("/api/login", org_structure.SURFACE),
        ("/api/logout", org_structure.SURFACE),
    ],
)
handler = lambda_handler(app, service="org-structure-users")
