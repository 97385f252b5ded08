"""OrgStructureUsers function. Surface C: /api/users (+ password, activate, deactivate), /api/login, /api/logout (Sanctum)."""

from gatehouse.contracts.org_structure import (
    Activated,
    Credentials,
    IssuedToken,
    NewUser,
    OneUser,
    PasswordChange,
    Success,
    UserChanges,
    UserListing,
    Users,
    answers,
)
from gatehouse.services import accounts, org_structure_users, paging, sessions
from gatehouse.services.mail import MailContext
from gatehouse.surfaces import org_structure
from gatehouse.web.app import Routes, create_app, lambda_handler
from gatehouse.web.deps import Body, CurrentPrincipal, CurrentUser, Query
from gatehouse.web.request_info import PublicBaseUrl

routes = Routes(prefix="/api")

DEFAULT_DEVICE_NAME = "api"


@routes.post("/login", responses=answers(400, 401, 403, 422))
async def login(body: Body[Credentials]) -> Success[IssuedToken]:
    user = accounts.sign_in(body.email, body.password)
    issued = sessions.start_personal_access_token(user, body.device_name or DEFAULT_DEVICE_NAME)
    view = org_structure.token_view(issued, user, org_structure_users.user_relations([user]))
    return org_structure.success("Login successful", view)


@routes.post("/logout", responses=answers(401))
async def logout(principal: CurrentPrincipal) -> Success[None]:
    sessions.sign_out(principal)
    return org_structure.done("Logout successful")  # the original AuthApiController@logout


@routes.get("/users", responses=answers(401, 403, 422))
async def list_users(query: Query[UserListing], actor: CurrentUser) -> Success[Users]:
    requested = paging.requested(query.page, query.per_page, query.search)
    filters = org_structure_users.UserFilters(
        organization_id=query.organization_id,
        department_id=query.department_id,
        position_id=query.position_id,
        role=query.role,
        is_active=query.is_active,
    )
    page = org_structure_users.list_users(actor, requested, filters)
    views = [org_structure.user_view(user, page.related) for user in page.items]
    listed: Users = {"users": views, "pagination": org_structure.pagination(page)}
    return org_structure.success("Users retrieved successfully", listed)


@routes.post("/users", status_code=201, responses=answers(400, 401, 403, 422))
async def create_user(actor: CurrentUser, body: Body[NewUser], base_url: PublicBaseUrl) -> Success[OneUser]:
    created = org_structure_users.create_user(actor, body, MailContext("c", base_url))
    view = org_structure.user_view(created, org_structure_users.user_relations([created]))
    view.pop("last_login_at")
    return org_structure.success("User created successfully", {"user": view})


@routes.get("/users/{user_id}", responses=answers(401, 403, 404))
async def show_user(user_id: int, actor: CurrentUser) -> Success[OneUser]:
    found = org_structure_users.get_user(actor, user_id)
    view = org_structure.user_view(found, org_structure_users.user_relations([found]), detail=True)
    return org_structure.success("User retrieved successfully", {"user": view})


@routes.put("/users/{user_id}", responses=answers(400, 401, 403, 404, 422))
async def update_user(user_id: int, actor: CurrentUser, body: Body[UserChanges]) -> Success[OneUser]:
    updated = org_structure_users.update_user(actor, user_id, body)
    view = org_structure.user_view(updated, org_structure_users.user_relations([updated]))
    return org_structure.success("User updated successfully", {"user": view})


@routes.delete("/users/{user_id}", responses=answers(401, 403, 404))
async def delete_user(user_id: int, actor: CurrentUser) -> Success[None]:
    org_structure_users.delete_user(actor, user_id)
    return org_structure.done("User deleted successfully")


@routes.put("/users/{user_id}/password", responses=answers(400, 401, 403, 404, 422))
async def change_password(
    user_id: int, principal: CurrentPrincipal, body: Body[PasswordChange]
) -> Success[None]:
    org_structure_users.change_password(principal.user, user_id, body.password, principal.session)
    return org_structure.done("Password changed successfully")


@routes.put("/users/{user_id}/activate", responses=answers(401, 403, 404))
async def activate_user(user_id: int, actor: CurrentUser) -> Success[Activated]:
    target = org_structure_users.set_active(actor, user_id, True)
    return org_structure.success("User activated successfully", org_structure.activation_view(target))


@routes.put("/users/{user_id}/deactivate", responses=answers(401, 403, 404))
async def deactivate_user(user_id: int, actor: CurrentUser) -> Success[Activated]:
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
