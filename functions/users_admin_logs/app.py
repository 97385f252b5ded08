"""UsersAdminLogs function. Surface D (users-and-logs admin): /api/v1/logs/list/filtered and /api/v1/groups."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from gatehouse.services import groups, users_admin_logs
from gatehouse.surfaces import users_admin
from gatehouse.validation import optional, required, validate
from gatehouse.web.app import Routes, create_app, lambda_handler
from gatehouse.web.deps import CurrentUser, RequestBody

logs_routes = Routes(prefix="/api/v1/logs")
groups_routes = Routes(prefix="/api/v1/groups")

LOG_FILTERS = {
    "by_user": optional("integer", min=1),
    "by_group": optional("integer", min=1),
    "by_device": optional(max=256),
    "from": optional(max=40),
    "to": optional(max=40),
    "sort": optional(choices=("asc", "desc")),
    "per_page": optional("integer", min=1, max=users_admin_logs.MAX_PER_PAGE),
    "cursor": optional(max=2048),
}
# Other spellings clients send for the same filters.
LOG_FILTER_ALIASES = {"date_from": "from", "date_to": "to", "order": "sort", "limit": "per_page"}
GROUP_FIELDS = {
    "name": required(max=100),
    "description": optional(max=1000),
    "level": optional("integer", min=0, max=groups.MAX_LEVEL),
}
GROUP_CHANGES = {name: optional(rule.kind, min=rule.min, max=rule.max) for name, rule in GROUP_FIELDS.items()}


async def group_id_of(group_id: str) -> int:
    return users_admin.path_id(group_id, groups.GROUP_ENTITY)


GroupId = Annotated[int, Depends(group_id_of)]


async def log_query(request: Request) -> users_admin_logs.LogQuery:
    """The filters from the query string (aliases folded in), checked like a body."""
    raw = {LOG_FILTER_ALIASES.get(name, name): value for name, value in request.query_params.items()}
    data = validate(raw, LOG_FILTERS)
    return users_admin_logs.LogQuery(
        by_user=data.get("by_user"),
        by_group=data.get("by_group"),
        by_device=data.get("by_device"),
        since=users_admin_logs.moment_prefix("from", data["from"]) if data.get("from") else None,
        until=users_admin_logs.moment_prefix("to", data["to"]) if data.get("to") else None,
        newest_first=data.get("sort", "desc") == "desc",
        per_page=data.get("per_page") or users_admin_logs.DEFAULT_PER_PAGE,
        cursor=data.get("cursor"),
    )


@logs_routes.get("/list/filtered")
async def filtered_logs(
    actor: CurrentUser, query: Annotated[users_admin_logs.LogQuery, Depends(log_query)]
) -> dict[str, Any]:
    page = users_admin_logs.search(actor, query)
    return users_admin.ok(
        logs=[users_admin.event_view(event) for event in page.events],
        per_page=query.per_page,
        sort="desc" if query.newest_first else "asc",
        next_cursor=page.next_cursor,
    )


@groups_routes.get("")
async def list_groups(actor: CurrentUser, request: Request) -> dict[str, Any]:
    paging = validate(dict(request.query_params), users_admin.PAGING)
    found, next_cursor = groups.page(
        actor, paging.get("per_page", users_admin.MAX_PER_PAGE), paging.get("cursor")
    )
    return users_admin.ok(groups=[users_admin.group_view(group) for group in found], next_cursor=next_cursor)


@groups_routes.post("")
async def create_group(actor: CurrentUser, body: RequestBody) -> dict[str, Any]:
    group = groups.create(actor, validate(body, GROUP_FIELDS) | _permissions(body))
    return users_admin.ok(group=users_admin.group_view(group))


@groups_routes.get("/{group_id}")
async def read_group(group_id: GroupId, actor: CurrentUser) -> dict[str, Any]:
    return users_admin.ok(group=users_admin.group_view(groups.read(actor, group_id)))


@groups_routes.api_route("/{group_id}", methods=["PUT", "PATCH"])
async def update_group(group_id: GroupId, actor: CurrentUser, body: RequestBody) -> dict[str, Any]:
    group = groups.update(
        actor, groups.read(actor, group_id), validate(body, GROUP_CHANGES) | _permissions(body)
    )
    return users_admin.ok(group=users_admin.group_view(group))


@groups_routes.delete("/{group_id}")
async def delete_group(group_id: GroupId, actor: CurrentUser) -> dict[str, Any]:
    group = groups.read(actor, group_id)
    groups.delete(actor, group)
    return users_admin.ok(group=users_admin.group_view(group))


def _permissions(body: dict[str, Any]) -> dict[str, Any]:
    # A list, which the string rules cannot describe: groups.validate_permissions checks it.
    return {"permissions": body["permissions"]} if "permissions" in body else {}


app = create_app(
    logs_routes,
    groups_routes,
    surfaces=[("/api/v1/logs/", users_admin.SURFACE), ("/api/v1/groups", users_admin.SURFACE)],
)
handler = lambda_handler(app, service="users-admin-logs")
