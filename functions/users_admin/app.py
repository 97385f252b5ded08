"""UsersAdmin function. Surface D (users-and-logs admin): /api/v1/users/*."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse

from gatehouse.contracts.users_admin import (
    DEFAULT_USERS_PER_PAGE,
    NewPasswordIssued,
    NewUser,
    OneUser,
    Page,
    PasswordChange,
    RoleChange,
    UserChanges,
    UserPermissions,
    UserpicUpload,
    Users,
    answers,
)
from gatehouse.data.models import UserItem
from gatehouse.services import groups, userpics, users_admin_users
from gatehouse.services.mail import MailContext
from gatehouse.surfaces import users_admin
from gatehouse.web.app import Routes, create_app, lambda_handler
from gatehouse.web.deps import (
    Body,
    Credential,
    CurrentPrincipal,
    CurrentUser,
    Query,
    bearer_token,
    current_principal,
    needs,
)
from gatehouse.web.request_info import PublicBaseUrl

users_routes = Routes(prefix="/api/v1/users")


async def user_id_of(user_id: str) -> int:
    return users_admin.path_id(user_id, users_admin_users.USER_ENTITY)


UserId = Annotated[int, Depends(user_id_of)]


@needs(Credential.OPTIONAL_TOKEN)
async def optional_user(request: Request) -> UserItem | None:
    """The caller when a token is sent; None without one (only the very first user may sign up so)."""
    if bearer_token(request) is None:
        return None
    return (await current_principal(request)).user


def user_answer(user: UserItem) -> OneUser:
    return {"status": "ok", "user": users_admin.user_view(user, groups.group_of(user))}


@users_routes.post("/new_user", responses=answers(400, 401, 403, 422))
async def new_user(actor: Annotated[UserItem | None, Depends(optional_user)], body: Body[NewUser]) -> OneUser:
    return user_answer(users_admin_users.create_user(actor, body))


@users_routes.get("/list", responses=answers(401, 403, 422))
async def list_users(actor: CurrentUser, query: Query[Page]) -> Users:
    listed = users_admin_users.list_users(actor, query.per_page or DEFAULT_USERS_PER_PAGE, query.cursor)
    return {
        "status": "ok",
        "users": users_admin.users_view(listed.users, listed.groups),
        "total": listed.total,
        "next_cursor": listed.next_cursor,
    }


# API Gateway matches `/current/` (the document's spelling) to the `/current` resource.
@users_routes.get("/current", responses=answers(401))
@users_routes.get("/current/", responses=answers(401))
async def current(actor: CurrentUser) -> OneUser:
    return user_answer(actor)


@users_routes.get("/id/{user_id}", responses=answers(401, 403, 404))
async def read_user(user_id: UserId, actor: CurrentUser) -> OneUser:
    return user_answer(users_admin_users.read_user(actor, user_id))


@users_routes.post("/id/{user_id}/update", responses=answers(400, 401, 403, 404, 422))
async def update_user(
    user_id: UserId, actor: CurrentUser, body: Body[UserChanges], base_url: PublicBaseUrl
) -> OneUser:
    user, _ = users_admin_users.update_user(actor, user_id, body, MailContext("d", base_url))
    return user_answer(user)


@users_routes.post("/id/{user_id}/update/userpic", responses=answers(400, 401, 403, 404, 422))
async def update_userpic(
    user_id: UserId, actor: CurrentUser, body: Body[UserpicUpload], base_url: PublicBaseUrl
) -> OneUser:
    return user_answer(userpics.replace(actor, user_id, body.upload, base_url))


@users_routes.get("/id/{user_id}/userpic/{file_name}", status_code=302, responses=answers(404))
async def userpic(user_id: UserId, file_name: str) -> RedirectResponse:
    return RedirectResponse(userpics.presigned_url(user_id, file_name), status_code=302)


@users_routes.post("/id/{user_id}/update/role", responses=answers(400, 401, 403, 404, 422))
async def update_role(user_id: UserId, actor: CurrentUser, body: Body[RoleChange]) -> OneUser:
    return user_answer(users_admin_users.change_role(actor, user_id, body.role))


@users_routes.post("/id/{user_id}/update/password", responses=answers(400, 401, 403, 404, 422))
async def update_password(
    user_id: UserId, principal: CurrentPrincipal, body: Body[PasswordChange]
) -> OneUser:
    user = users_admin_users.change_password(
        principal.user, user_id, body.password, body.new_password, principal.session
    )
    return user_answer(user)


@users_routes.get("/id/{user_id}/reset_password", responses=answers(401, 403, 404))
async def reset_password(user_id: UserId, actor: CurrentUser) -> NewPasswordIssued:
    _, password = users_admin_users.reset_password(actor, user_id)
    return {"status": "ok", "new_password": password}


@users_routes.get("/id/{user_id}/permissions", responses=answers(401, 403, 404))
async def user_permissions(user_id: UserId, actor: CurrentUser) -> UserPermissions:
    return {"status": "ok", "permissions": users_admin_users.permissions_of(actor, user_id)}


@users_routes.get("/id/{user_id}/remove", responses=answers(401, 403, 404))
async def remove(user_id: UserId, actor: CurrentUser) -> OneUser:
    return user_answer(users_admin_users.remove_user(actor, user_id))


app = create_app(users_routes, surfaces=[("/api/v1/users/", users_admin.SURFACE)])
handler = lambda_handler(app, service="users-admin")
