"""OrgStructure function. Surface C: /api/organizations, /api/departments, /api/positions, /api/roles;
surface A: /api/v1/position (the same positions, A's view)."""

from gatehouse.contracts import documentarian as documentarian_contracts
from gatehouse.contracts.org_structure import (
    DepartmentChanges,
    DepartmentDetail,
    DepartmentListing,
    Departments,
    DepartmentShown,
    Listing,
    NewDepartment,
    NewOrganization,
    NewPosition,
    OneDepartment,
    OneOrganization,
    OnePosition,
    OrganizationChanges,
    Organizations,
    OrganizationShown,
    PositionChanges,
    PositionDetail,
    PositionListing,
    Positions,
    PositionShown,
    Roles,
    Success,
    answers,
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


@routes.get("/organizations", responses=answers(401, 422))
async def list_organizations(query: Query[Listing], actor: CurrentUser) -> Success[Organizations]:
    page = org_structure_units.list_organizations(actor, _requested(query))
    views = [org_structure.organization_view(o, counts=True) for o in page.items]
    listed: Organizations = {"organizations": views, "pagination": org_structure.pagination(page)}
    return org_structure.success("Organizations retrieved successfully", listed)


@routes.post("/organizations", status_code=201, responses=answers(400, 401, 403, 422))
async def create_organization(actor: CurrentUser, body: Body[NewOrganization]) -> Success[OneOrganization]:
    created = org_structure_units.create_organization(actor, body)
    return org_structure.success(
        "Organization created successfully", {"organization": org_structure.organization_view(created)}
    )


@routes.get("/organizations/{organization_id}", responses=answers(401, 403, 404))
async def show_organization(organization_id: int, actor: CurrentUser) -> Success[OrganizationShown]:
    detail = org_structure_units.organization_detail(actor, organization_id)
    view = org_structure.organization_detail_view(detail.organization, detail.departments, detail.users)
    return org_structure.success("Organization retrieved successfully", {"organization": view})


@routes.put("/organizations/{organization_id}", responses=answers(400, 401, 403, 404, 422))
async def update_organization(
    organization_id: int, actor: CurrentUser, body: Body[OrganizationChanges]
) -> Success[OneOrganization]:
    updated = org_structure_units.update_organization(actor, organization_id, body)
    return org_structure.success(
        "Organization updated successfully", {"organization": org_structure.organization_view(updated)}
    )


@routes.delete("/organizations/{organization_id}", responses=answers(401, 403, 404, 409))
async def delete_organization(organization_id: int, actor: CurrentUser) -> Success[None]:
    org_structure_units.delete_organization(actor, organization_id)
    return org_structure.done("Organization deleted successfully")


# ---- departments ----


@routes.get("/departments", responses=answers(401, 403, 422))
async def list_departments(query: Query[DepartmentListing], actor: CurrentUser) -> Success[Departments]:
    page = org_structure_units.list_departments(actor, _requested(query), query.organization_id)
    views = [org_structure.department_view(d, page.related, counts=True) for d in page.items]
    listed: Departments = {"departments": views, "pagination": org_structure.pagination(page)}
    return org_structure.success("Departments retrieved successfully", listed)


@routes.post("/departments", status_code=201, responses=answers(400, 401, 403, 422))
async def create_department(actor: CurrentUser, body: Body[NewDepartment]) -> Success[OneDepartment]:
    created, related = org_structure_units.create_department(actor, body)
    return org_structure.success(
        "Department created successfully", {"department": org_structure.department_view(created, related)}
    )


@routes.get("/departments/{department_id}", responses=answers(401, 403, 404))
async def show_department(department_id: int, actor: CurrentUser) -> Success[DepartmentShown]:
    department, members, related = org_structure_units.department_detail(actor, department_id)
    view: DepartmentDetail = {
        **org_structure.department_view(department, related),
        "users": [org_structure.member_view(user) for user in members],
    }
    return org_structure.success("Department retrieved successfully", {"department": view})


@routes.put("/departments/{department_id}", responses=answers(400, 401, 403, 404, 422))
async def update_department(
    department_id: int, actor: CurrentUser, body: Body[DepartmentChanges]
) -> Success[OneDepartment]:
    updated, related = org_structure_units.update_department(actor, department_id, body)
    return org_structure.success(
        "Department updated successfully", {"department": org_structure.department_view(updated, related)}
    )


@routes.delete("/departments/{department_id}", responses=answers(401, 403, 404, 409))
async def delete_department(department_id: int, actor: CurrentUser) -> Success[None]:
    org_structure_units.delete_department(actor, department_id)
    return org_structure.done("Department deleted successfully")


# ---- positions ----


@routes.get("/positions", responses=answers(401, 403, 422))
async def list_positions(query: Query[PositionListing], actor: CurrentUser) -> Success[Positions]:
    page = org_structure_units.list_positions(actor, _requested(query), query.department_id)
    views = [org_structure.position_view(p, page.related, counts=True) for p in page.items]
    listed: Positions = {"positions": views, "pagination": org_structure.pagination(page)}
    return org_structure.success("Positions retrieved successfully", listed)


@routes.post("/positions", status_code=201, responses=answers(400, 401, 403, 422))
async def create_position(actor: CurrentUser, body: Body[NewPosition]) -> Success[OnePosition]:
    created, related = org_structure_units.create_position(actor, body)
    return org_structure.success(
        "Position created successfully", {"position": org_structure.position_view(created, related)}
    )


@routes.get("/positions/{position_id}", responses=answers(401, 403, 404))
async def show_position(position_id: int, actor: CurrentUser) -> Success[PositionShown]:
    position, members, related = org_structure_units.position_detail(actor, position_id)
    view: PositionDetail = {
        **org_structure.position_view(position, related),
        "users": [org_structure.position_member_view(user) for user in members],
    }
    return org_structure.success("Position retrieved successfully", {"position": view})


@routes.put("/positions/{position_id}", responses=answers(400, 401, 403, 404, 422))
async def update_position(
    position_id: int, actor: CurrentUser, body: Body[PositionChanges]
) -> Success[OnePosition]:
    updated, related = org_structure_units.update_position(actor, position_id, body)
    return org_structure.success(
        "Position updated successfully", {"position": org_structure.position_view(updated, related)}
    )


@routes.delete("/positions/{position_id}", responses=answers(401, 403, 404, 409))
async def delete_position(position_id: int, actor: CurrentUser) -> Success[None]:
    org_structure_units.delete_position(actor, position_id)
    return org_structure.done("Position deleted successfully")


# ---- roles ----


@routes.get("/roles", responses=answers(401))
async def list_roles(actor: CurrentUser) -> Success[Roles]:
    return org_structure.success("Roles retrieved successfully", {"roles": org_structure.ROLES})


# ---- surface A: /api/v1/position ----


@documentarian_routes.api_route("", methods=["GET", "HEAD"], responses=documentarian_contracts.answers(401))
async def a_list_positions(actor: CurrentUser) -> list[documentarian_contracts.PositionView]:
    return [documentarian_positions.position_view(p) for p in org_structure_units.all_positions(actor)]


@documentarian_routes.post("", responses=documentarian_contracts.answers(400, 401, 403, 422))
async def a_create_position(
    actor: CurrentUser, body: Body[documentarian_contracts.NewPosition]
) -> documentarian_contracts.PositionView:
    created, _ = org_structure_units.create_position(actor, body)
    return documentarian_positions.position_view(created)


@documentarian_routes.api_route(
    "/{position_id}", methods=["GET", "HEAD"], responses=documentarian_contracts.answers(401, 403, 404)
)
async def a_show_position(position_id: int, actor: CurrentUser) -> documentarian_contracts.PositionView:
    return documentarian_positions.position_view(org_structure_units.get_position(actor, position_id))


@documentarian_routes.api_route(
    "/{position_id}",
    methods=["PUT", "PATCH"],
    responses=documentarian_contracts.answers(400, 401, 403, 404, 422),
)
async def a_update_position(
    position_id: int, actor: CurrentUser, body: Body[documentarian_contracts.PositionChanges]
) -> documentarian_contracts.PositionView:
    updated, _ = org_structure_units.update_position(actor, position_id, body)
    return documentarian_positions.position_view(updated)


@documentarian_routes.delete("/{position_id}", responses=documentarian_contracts.answers(401, 403, 404, 409))
async def a_delete_position(position_id: str, actor: CurrentUser) -> documentarian_contracts.Done:
    # Parsed here, not by FastAPI, so that any id naming nothing gets the removal's wording.
    with documentarian.removal():
        org_structure_units.delete_position(actor, documentarian_positions.position_id(position_id))
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
