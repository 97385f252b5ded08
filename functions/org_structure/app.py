"""OrgStructure function. Surface C: /api/organizations, /api/departments, /api/positions, /api/roles;
surface A: /api/v1/position (the same positions, A's view)."""

from __future__ import annotations

from typing import Any

from gatehouse.contracts import documentarian as documentarian_contracts
from gatehouse.contracts.org_structure import (
    DepartmentChanges,
    DepartmentListing,
    Listing,
    NewDepartment,
    NewOrganization,
    NewPosition,
    OrganizationChanges,
    PositionChanges,
    PositionListing,
)
from gatehouse.services import org_structure_units, paging
from gatehouse.surfaces import documentarian, documentarian_positions, org_structure
from gatehouse.web.app import Routes, create_app, lambda_handler
from gatehouse.web.deps import Body, CurrentUser, Query

routes = Routes(prefix="/api")
documentarian_routes = Routes(prefix=documentarian_positions.PREFIX)


def _requested(query: Listing) -> paging.Paging:
    return paging.requested(query.page, query.per_page, query.search)


# ---- organizations ----


@routes.get("/organizations")
async def list_organizations(query: Query[Listing], actor: CurrentUser) -> dict[str, Any]:
    page = org_structure_units.list_organizations(actor, _requested(query))
    views = [org_structure.organization_view(o, counts=True) for o in page.items]
    return org_structure.listing("Organizations retrieved successfully", "organizations", views, page)


@routes.post("/organizations", status_code=201)
async def create_organization(actor: CurrentUser, body: Body[NewOrganization]) -> dict[str, Any]:
    created = org_structure_units.create_organization(actor, body)
    return org_structure.success(
        "Organization created successfully", {"organization": org_structure.organization_view(created)}
    )


@routes.get("/organizations/{organization_id}")
async def show_organization(organization_id: int, actor: CurrentUser) -> dict[str, Any]:
    detail = org_structure_units.organization_detail(actor, organization_id)
    view = org_structure.organization_detail_view(detail.organization, detail.departments, detail.users)
    return org_structure.success("Organization retrieved successfully", {"organization": view})


@routes.put("/organizations/{organization_id}")
async def update_organization(
    organization_id: int, actor: CurrentUser, body: Body[OrganizationChanges]
) -> dict[str, Any]:
    updated = org_structure_units.update_organization(actor, organization_id, body)
    return org_structure.success(
        "Organization updated successfully", {"organization": org_structure.organization_view(updated)}
    )


@routes.delete("/organizations/{organization_id}")
async def delete_organization(organization_id: int, actor: CurrentUser) -> dict[str, Any]:
    org_structure_units.delete_organization(actor, organization_id)
    return org_structure.success("Organization deleted successfully")


# ---- departments ----


@routes.get("/departments")
async def list_departments(query: Query[DepartmentListing], actor: CurrentUser) -> dict[str, Any]:
    page = org_structure_units.list_departments(actor, _requested(query), query.organization_id)
    views = [org_structure.department_view(d, page.related, counts=True) for d in page.items]
    return org_structure.listing("Departments retrieved successfully", "departments", views, page)


@routes.post("/departments", status_code=201)
async def create_department(actor: CurrentUser, body: Body[NewDepartment]) -> dict[str, Any]:
    created, related = org_structure_units.create_department(actor, body)
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
async def update_department(
    department_id: int, actor: CurrentUser, body: Body[DepartmentChanges]
) -> dict[str, Any]:
    updated, related = org_structure_units.update_department(actor, department_id, body)
    return org_structure.success(
        "Department updated successfully", {"department": org_structure.department_view(updated, related)}
    )


@routes.delete("/departments/{department_id}")
async def delete_department(department_id: int, actor: CurrentUser) -> dict[str, Any]:
    org_structure_units.delete_department(actor, department_id)
    return org_structure.success("Department deleted successfully")


# ---- positions ----


@routes.get("/positions")
async def list_positions(query: Query[PositionListing], actor: CurrentUser) -> dict[str, Any]:
    page = org_structure_units.list_positions(actor, _requested(query), query.department_id)
    views = [org_structure.position_view(p, page.related, counts=True) for p in page.items]
    return org_structure.listing("Positions retrieved successfully", "positions", views, page)


@routes.post("/positions", status_code=201)
async def create_position(actor: CurrentUser, body: Body[NewPosition]) -> dict[str, Any]:
    created, related = org_structure_units.create_position(actor, body)
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
async def update_position(
    position_id: int, actor: CurrentUser, body: Body[PositionChanges]
) -> dict[str, Any]:
    updated, related = org_structure_units.update_position(actor, position_id, body)
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
async def a_create_position(
    actor: CurrentUser, body: Body[documentarian_contracts.NewPosition]
) -> dict[str, Any]:
    created, _ = org_structure_units.create_position(actor, body)
    return documentarian_positions.position_view(created)


@documentarian_routes.api_route("/{position_id}", methods=["GET", "HEAD"])
async def a_show_position(position_id: int, actor: CurrentUser) -> dict[str, Any]:
    return documentarian_positions.position_view(org_structure_units.get_position(actor, position_id))


@documentarian_routes.api_route("/{position_id}", methods=["PUT", "PATCH"])
async def a_update_position(
    position_id: int, actor: CurrentUser, body: Body[documentarian_contracts.PositionChanges]
) -> dict[str, Any]:
    updated, _ = org_structure_units.update_position(actor, position_id, body)
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
