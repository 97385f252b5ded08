"""UsersAdminLogs function. Surface D (users-and-logs admin): /api/v1/logs/list/filtered and /api/v1/groups."""

from typing import Annotated

from fastapi import Depends

from gatehouse.contracts.users_admin import (
    MAX_PER_PAGE,
    GroupChanges,
    Groups,
    LogFilters,
    Logs,
    NewGroup,
    OneGroup,
    Page,
    answers,
)
from gatehouse.data.groups import GroupItem
from gatehouse.services import groups, users_admin_logs
from gatehouse.surfaces import users_admin
from gatehouse.web.app import Routes, create_app, lambda_handler
from gatehouse.web.deps import Body, CurrentUser, Query

logs_routes = Routes(prefix="/api/v1/logs")
groups_routes = Routes(prefix="/api/v1/groups")


async def group_id_of(group_id: str) -> int:
    return users_admin.path_id(group_id, groups.GROUP_ENTITY)


GroupId = Annotated[int, Depends(group_id_of)]


async def found_group(group_id: GroupId, actor: CurrentUser) -> GroupItem:
    """The group a path names, read before the body is: an unknown one answers 404 whatever it holds."""
    return groups.read(actor, group_id)


FoundGroup = Annotated[GroupItem, Depends(found_group)]


def log_query(filters: LogFilters) -> users_admin_logs.LogQuery:
    return users_admin_logs.LogQuery(
        by_user=filters.by_user,
        by_group=filters.by_group,
        by_device=filters.by_device,
        since=users_admin_logs.moment_prefix("from", filters.since) if filters.since else None,
        until=users_admin_logs.moment_prefix("to", filters.until) if filters.until else None,
        newest_first=(filters.sort or "desc") == "desc",
        per_page=filters.per_page or users_admin_logs.DEFAULT_PER_PAGE,
        cursor=filters.cursor,
    )


@logs_routes.get("/list/filtered", responses=answers(401, 403, 422))
async def filtered_logs(actor: CurrentUser, filters: Query[LogFilters]) -> Logs:
    query = log_query(filters)
    page = users_admin_logs.search(actor, query)
    return {
        "status": "ok",
        "logs": [users_admin.event_view(event) for event in page.events],
        "per_page": query.per_page,
        "sort": "desc" if query.newest_first else "asc",
        "next_cursor": page.next_cursor,
    }


@groups_routes.get("", responses=answers(401, 403, 422))
async def list_groups(actor: CurrentUser, query: Query[Page]) -> Groups:
    found, next_cursor = groups.page(actor, query.per_page or MAX_PER_PAGE, query.cursor)
    return {
        "status": "ok",
        "groups": [users_admin.group_view(group) for group in found],
        "next_cursor": next_cursor,
    }


@groups_routes.post("", responses=answers(400, 401, 403, 422))
async def create_group(actor: CurrentUser, body: Body[NewGroup]) -> OneGroup:
    group = groups.create(actor, body)
    return {"status": "ok", "group": users_admin.group_view(group)}


@groups_routes.get("/{group_id}", responses=answers(401, 403, 404))
async def read_group(group_id: GroupId, actor: CurrentUser) -> OneGroup:
    return {"status": "ok", "group": users_admin.group_view(groups.read(actor, group_id))}


@groups_routes.api_route("/{group_id}", methods=["PUT", "PATCH"], responses=answers(400, 401, 403, 404, 422))
async def update_group(
    group_id: GroupId, actor: CurrentUser, found: FoundGroup, body: Body[GroupChanges]
) -> OneGroup:
    group = groups.update(actor, found, body)
    return {"status": "ok", "group": users_admin.group_view(group)}


@groups_routes.delete("/{group_id}", responses=answers(401, 403, 404))
async def delete_group(group_id: GroupId, actor: CurrentUser) -> OneGroup:
    group = groups.read(actor, group_id)
    groups.delete(actor, group)
    return {"status": "ok", "group": users_admin.group_view(group)}


app = create_app(
    logs_routes,
    groups_routes,
    surfaces=[("/api/v1/logs/", users_admin.SURFACE), ("/api/v1/groups", users_admin.SURFACE)],
)
handler = lambda_handler(app, service="users-admin-logs")
