"""OrgStructure function. Surface C: /api/organizations, /api/departments, /api/positions, /api/roles;
surface A: /api/v1/position (the same positions, A's view)."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from gatehouse.services import org_structure_units, paging
from gatehouse.surfaces import documentarian, documentarian_positions, org_structure
from gatehouse.validation import optional, required, validate
from gatehouse.web.app import Routes, create_app, lambda_handler
from gatehouse.web.deps import CurrentUser, RequestBody

routes = Routes(prefix="/api")
documentarian_routes = Routes(prefix=documentarian_positions.PREFIX)

LIST_QUERY = {
    "page": optional("any"),  # anything but an integer >= 1 is page 1, as Laravel's paginator reads it
    "per_page": optional("integer", min=1, max=1000),
    "search": optional(max=255),
}
# The original's `'is_active' => 'boolean'` on every create and update; null or absent keeps it.
IS_ACTIVE = {"is_active": optional("strict_boolean", nullable=False)}
ORGANIZATION_FIELDS = {
    "description": optional(max=65_535),
    "address": optional(max=500),
    "phone": optional(max=20),
    "email": optional("email", max=255),
    "website": optional("url", max=2048),
    **IS_ACTIVE,
}
NEW_ORGANIZATION = {"name": required(max=255), **ORGANIZATION_FIELDS}
ORGANIZATION_CHANGES = {"name": optional(max=255, nullable=False), **ORGANIZATION_FIELDS}
NEW_DEPARTMENT = {
    "name": required(max=255),
    "description": optional(max=65_535),
    "organization_id": required("integer", min=1),
    **IS_ACTIVE,
}
DEPARTMENT_CHANGES = {
    "name": optional(max=255, nullable=False),
    "description": optional(max=65_535),
    "organization_id": optional("integer", min=1, nullable=False),
    **IS_ACTIVE,
}
SALARY = {"salary_min": optional("integer", min=0), "salary_max": optional("integer", min=0)}
NEW_POSITION = {
    "name": required(max=255),
    "description": optional(max=65_535),
    "department_id": required("integer", min=1),
    **SALARY,
    **IS_ACTIVE,
}
POSITION_CHANGES = {
    "name": optional(max=255, nullable=False),
    "description": optional(max=65_535),
    "department_id": optional("integer", min=1, nullable=False),
    **SALARY,
    **IS_ACTIVE,
}
A_NEW_POSITION = {"name": required(max=255), "description": optional(max=65_535)}
A_POSITION_CHANGES = {"name": optional(max=255, nullable=False), "description": optional(max=65_535)}


def _list_query(request: Request, **filters: Any) -> tuple[paging.Paging, dict[str, Any]]:
    query = validate(dict(request.query_params), {**LIST_QUERY, **filters})
    return paging.requested(query.get("page"), query.get("per_page"), query.get("search")), query


# ---- organizations ----


@routes.get("/organizations")
async def list_organizations(request: Request, actor: CurrentUser) -> dict[str, Any]:
    requested, _ = _list_query(request)
    page = org_structure_units.list_organizations(actor, requested)
    views = [org_structure.organization_view(o, counts=True) for o in page.items]
    return org_structure.listing("Organizations retrieved successfully", "organizations", views, page)


@routes.post("/organizations", status_code=201)
async def create_organization(actor: CurrentUser, body: RequestBody) -> dict[str, Any]:
    created = org_structure_units.create_organization(actor, validate(body, NEW_ORGANIZATION))
    return org_structure.success(
        "Organization created successfully", {"organization": org_structure.organization_view(created)}
    )


@routes.get("/organizations/{organization_id}")
async def show_organization(organization_id: int, actor: CurrentUser) -> dict[str, Any]:
    detail = org_structure_units.organization_detail(actor, organization_id)
    view = org_structure.organization_detail_view(detail.organization, detail.departments, detail.users)
    return org_structure.success("Organization retrieved successfully", {"organization": view})


@routes.put("/organizations/{organization_id}")
async def update_organization(organization_id: int, actor: CurrentUser, body: RequestBody) -> dict[str, Any]:
    changes = validate(body, ORGANIZATION_CHANGES)
    updated = org_structure_units.update_organization(actor, organization_id, changes)
    return org_structure.success(
        "Organization updated successfully", {"organization": org_structure.organization_view(updated)}
    )


@routes.delete("/organizations/{organization_id}")
async def delete_organization(organization_id: int, actor: CurrentUser) -> dict[str, Any]:
    org_structure_units.delete_organization(actor, organization_id)
    return org_structure.success("Organization deleted successfully")


# ---- departments ----


@routes.get("/departments")
async def list_departments(request: Request, actor: CurrentUser) -> dict[str, Any]:
    requested, query = _list_query(request, organization_id=optional("integer", min=1))
    page = org_structure_units.list_departments(actor, requested, query.get("organization_id"))
    views = [org_structure.department_view(d, page.related, counts=True) for d in page.items]
    return org_structure.listing("Departments retrieved successfully", "departments", views, page)


@routes.post("/departments", status_code=201)
async def create_department(actor: CurrentUser, body: RequestBody) -> dict[str, Any]:
    created, related = org_structure_units.create_department(actor, validate(body, NEW_DEPARTMENT))
    return org_structure.success(
        "Department created successfully", {"department": org_structure.department_view(created, related)}
    )


@routes.get("/departments/{department_id}")
async def show_department(department_id: int, actor: CurrentUser) -> dict[str, Any]:
    department, members, related = org_structure_units.department_detail(actor, department_id)
    view = {
        **org_structure.department_view(department, related),
        "users": [org_structure.member_view(user) for user in members],
    }
    return org_structure.success("Department retrieved successfully", {"department": view})


@routes.put("/departments/{department_id}")
async def update_department(department_id: int, actor: CurrentUser, body: RequestBody) -> dict[str, Any]:
    changes = validate(body, DEPARTMENT_CHANGES)
    updated, related = org_structure_units.update_department(actor, department_id, changes)
    return org_structure.success(
        "Department updated successfully", {"department": org_structure.department_view(updated, related)}
    )


@routes.delete("/departments/{department_id}")
async def delete_department(department_id: int, actor: CurrentUser) -> dict[str, Any]:
    org_structure_units.delete_department(actor, department_id)
    return org_structure.success("Department deleted successfully")


# ---- positions ----


@routes.get("/positions")
async def list_positions(request: Request, actor: CurrentUser) -> dict[str, Any]:
    requested, query = _list_query(request, department_id=optional("integer", min=1))
    page = org_structure_units.list_positions(actor, requested, query.get("department_id"))
    views = [org_structure.position_view(p, page.related, counts=True) for p in page.items]
    return org_structure.listing("Positions retrieved successfully", "positions", views, page)


@routes.post("/positions", status_code=201)
async def create_position(actor: CurrentUser, body: RequestBody) -> dict[str, Any]:
    created, related = org_structure_units.create_position(actor, validate(body, NEW_POSITION))
    return org_structure.success(
        "Position created successfully", {"position": org_structure.position_view(created, related)}
    )


@routes.get("/positions/{position_id}")
async def show_position(position_id: int, actor: CurrentUser) -> dict[str, Any]:
    position, members, related = org_structure_units.position_detail(actor, position_id)
    view = {
        **org_structure.position_view(position, related),
        "users": [org_structure.position_member_view(user) for user in members],
    }
    return org_structure.success("Position retrieved successfully", {"position": view})


@routes.put("/positions/{position_id}")
async def update_position(position_id: int, actor: CurrentUser, body: RequestBody) -> dict[str, Any]:
    changes = validate(body, POSITION_CHANGES)
    updated, related = org_structure_units.update_position(actor, position_id, changes)
    return org_structure.success(
        "Position updated successfully", {"position": org_structure.position_view(updated, related)}
    )


@routes.delete("/positions/{position_id}")
async def delete_position(position_id: int, actor: CurrentUser) -> dict[str, Any]:
    org_structure_units.delete_position(actor, position_id)
    return org_structure.success("Position deleted successfully")


# ---- roles ----


@routes.get("/roles")
async def list_roles(actor: CurrentUser) -> dict[str, Any]:
    return org_structure.success("Roles retrieved successfully", {"roles": org_structure.ROLES})


# ---- surface A: /api/v1/position ----


@documentarian_routes.api_route("", methods=["GET", "HEAD"])
async def a_list_positions(actor: CurrentUser) -> list[dict[str, Any]]:
    return [documentarian_positions.position_view(p) for p in org_structure_units.all_positions(actor)]


@documentarian_routes.post("")
async def a_create_position(actor: CurrentUser, body: RequestBody) -> dict[str, Any]:
    created, _ = org_structure_units.create_position(actor, validate(body, A_NEW_POSITION))
    return documentarian_positions.position_view(created)


@documentarian_routes.api_route("/{position_id}", methods=["GET", "HEAD"])
async def a_show_position(position_id: int, actor: CurrentUser) -> dict[str, Any]:
    return documentarian_positions.position_view(org_structure_units.get_position(actor, position_id))


@documentarian_routes.api_route("/{position_id}", methods=["PUT", "PATCH"])
async def a_update_position(position_id: int, actor: CurrentUser, body: RequestBody) -> dict[str, Any]:
    changes = validate(body, A_POSITION_CHANGES)
    updated, _ = org_structure_units.update_position(actor, position_id, changes)
    return documentarian_positions.position_view(updated)


@documentarian_routes.delete("/{position}")
async def a_delete_position(position: str, actor: CurrentUser) -> bool:
    # Parsed here, not by FastAPI, so that any id naming nothing gets the removal's wording.
    with documentarian.removal():
        org_structure_units.delete_position(actor, documentarian_positions.position_id(position))
    return True


app = create_app(
    routes,
    documentarian_routes,
    surfaces=[
        ("/api/organizations", org_structure.SURFACE),
        ("/api/departments", org_structure.SURFACE),
        ("/api/positions", org_structure.SURFACE),
        ("/api/roles", org_structure.SURFACE),
        (documentarian_positions.PREFIX, documentarian.SURFACE),
    ],
)
handler = lambda_handler(app, service="org-structure")
