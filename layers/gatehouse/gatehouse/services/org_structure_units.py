"""Organization structure: organizations, departments, positions and who belongs where.

Who may do what: `gatehouse.services.org_permissions`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from gatehouse.clock import iso, now
from gatehouse.contracts import documentarian
from gatehouse.contracts.org_structure import (
    DepartmentChanges,
    NewDepartment,
    NewOrganization,
    NewPosition,
    OrganizationChanges,
    PositionChanges,
)
from gatehouse.data import counters, org
from gatehouse.data.models import Item, UserItem
from gatehouse.data.org import DepartmentItem, OrganizationItem, PositionItem, Related
from gatehouse.errors import Conflict, NotFound, ValidationFailed
from gatehouse.services import audit, permissions
from gatehouse.services.org_permissions import (
    can_manage_department,
    can_manage_organization,
    can_read_organization,
    home_organization,
    is_global,
    require_manage_position,
)
from gatehouse.services.paging import Page, Paging, empty_page, page_of

# How many departments/users a single organization, department or position shows inline.
INLINE_MEMBERS = 100
# A's seeded positions (`_id` 1000-1004), written once when the store has none yet.
SEEDED_POSITIONS = (
    (1000, "teacher", "Воспитатель"),
    (1001, "doctor", "Медицинский работник"),
    (1002, "supplier", "МТО"),
    (1003, "clerk", "Делопроизводитель"),
    (1004, "administrator", "Управляющий"),
)

_T = TypeVar("_T", bound=Item)
# A's /api/v1/position creates and changes C's positions with A's fields (no department, no salary).
NewPositionRequest = NewPosition | documentarian.NewPosition
PositionChangesRequest = PositionChanges | documentarian.PositionChanges


# ---- organizations ----


def list_organizations(actor: UserItem, paging: Paging) -> Page[OrganizationItem]:
    if is_global(actor):
        return page_of(
            OrganizationItem,
            org.organizations_partition(),
            paging,
            lambda: org.total(org.ORGANIZATIONS_TOTAL),
        )
    own = org.get_organization(home_organization(actor))
    found = [own] if own is not None and paging.matches(own.name) and paging.page == 1 else []
    return Page(found, 1 if own is not None and paging.matches(own.name) else 0, paging.page, paging.per_page)


def create_organization(actor: UserItem, request: NewOrganization) -> OrganizationItem:
    permissions.require(is_global(actor))
    created = org.create_organization(counters.next_id("organization"), iso(now()), request.given())
    audit.record("org.create", actor=actor, target_type="organization", target_id=created.id)
    return created


def get_organization(actor: UserItem, organization_id: int) -> OrganizationItem:
    found = org.get_organization(organization_id)
    if found is None:
        raise NotFound("organization")
    permissions.require(can_read_organization(actor, found.id))
    return found


@dataclass
class OrganizationDetail:
    organization: OrganizationItem
    departments: list[DepartmentItem]
    users: list[UserItem]


def organization_detail(actor: UserItem, organization_id: int) -> OrganizationDetail:
    found = get_organization(actor, organization_id)
    departments = [
        item
        for item in org.window(*org.departments_partition(found.id), limit=INLINE_MEMBERS)
        if isinstance(item, DepartmentItem)
    ]
    members = org.first_members(*org.users_partition(found.id, None, None), limit=INLINE_MEMBERS)
    return OrganizationDetail(found, departments, members)


def update_organization(
    actor: UserItem, organization_id: int, request: OrganizationChanges
) -> OrganizationItem:
    found = get_organization(actor, organization_id)
    permissions.require(can_manage_organization(actor, found.id))
    updated = _apply(found, request.given(), org.update_organization)
    audit.record("org.update", actor=actor, target_type="organization", target_id=updated.id)
    return updated


def delete_organization(actor: UserItem, organization_id: int) -> None:
    found = get_organization(actor, organization_id)
    permissions.require(is_global(actor))
    try:
        org.delete_organization(found)
    except org.StillReferenced:
        raise Conflict("The organization still has departments, positions or users.") from None
    audit.record("org.delete", actor=actor, target_type="organization", target_id=found.id)


def _apply(item: _T, attributes: Mapping[str, Any], write: Callable[[_T, dict[str, Any]], None]) -> _T:
    """Write the `attributes` (the item's, by name) that differ from the item's."""
    changes = {name: value for name, value in attributes.items() if getattr(item, name) != value}
    if not changes:
        return item
    changes["updated_at"] = iso(now())
    entity = type(item).__name__.removesuffix("Item").lower()
    try:
        write(item, changes)
    except org.ReferenceGone as gone:
        if entity not in gone.labels:
            raise  # something the change refers to is gone: the caller names the field
        raise NotFound(entity) from None
    except org.ChangedMeanwhile:
        raise Conflict(f"The {entity} was changed meanwhile; try again.") from None
    for name, value in changes.items():
        setattr(item, name, value)
    return item


# ---- departments ----


def list_departments(actor: UserItem, paging: Paging, organization_id: int | None) -> Page[DepartmentItem]:
    if not is_global(actor):
        home = home_organization(actor)
        permissions.require(organization_id in (None, home))
        organization_id = home
    if organization_id is None:
        found = page_of(
            DepartmentItem,
            org.departments_partition(None),
            paging,
            lambda: org.total(org.DEPARTMENTS_TOTAL),
        )
    else:
        parent = org.get_organization(organization_id)
        if parent is None:
            return empty_page(paging)
        found = page_of(
            DepartmentItem,
            org.departments_partition(organization_id),
            paging,
            lambda: max(parent.departments_count, 0),
        )
    found.related = org.related(organization_ids=[d.organization_id for d in found.items])
    return found


def _organization_reference(organization_id: int, field_name: str = "organization_id") -> OrganizationItem:
    found = org.get_organization(organization_id)
    if found is None:
        raise ValidationFailed.single(field_name, "exists")
    return found


def create_department(actor: UserItem, request: NewDepartment) -> tuple[DepartmentItem, Related]:
    parent = _organization_reference(request.organization_id)
    permissions.require(can_manage_organization(actor, parent.id))
    attributes = {name: value for name, value in request.given().items() if name != "organization_id"}
    try:
        created = org.create_department(counters.next_id("department"), iso(now()), parent.id, attributes)
    except org.ReferenceGone:
        raise ValidationFailed.single("organization_id", "exists") from None
    audit.record("department.create", actor=actor, target_type="department", target_id=created.id)
    return created, Related({parent.id: parent}, {}, {})


def get_department(actor: UserItem, department_id: int) -> DepartmentItem:
    found = org.get_department(department_id)
    if found is None:
        raise NotFound("department")
    permissions.require(can_read_organization(actor, found.organization_id))
    return found


def department_detail(actor: UserItem, department_id: int) -> tuple[DepartmentItem, list[UserItem], Related]:
    found = get_department(actor, department_id)
    members = org.first_members(*org.users_partition(None, found.id, None), limit=INLINE_MEMBERS)
    return found, members, org.related(organization_ids=[found.organization_id])


def update_department(
    actor: UserItem, department_id: int, request: DepartmentChanges
) -> tuple[DepartmentItem, Related]:
    found = get_department(actor, department_id)
    permissions.require(can_manage_department(actor, found))
    target = request.organization_id if request.organization_id is not None else found.organization_id
    if target != found.organization_id:
        _organization_reference(target)
        permissions.require(can_manage_organization(actor, found.organization_id))
        permissions.require(can_manage_organization(actor, target))
    try:
        _apply(found, request.given(), org.update_department)
    except org.ReferenceGone:
        raise ValidationFailed.single("organization_id", "exists") from None
    except org.StillReferenced:
        raise Conflict("A department with users or positions cannot move to another organization.") from None
    audit.record("department.update", actor=actor, target_type="department", target_id=found.id)
    return found, org.related(organization_ids=[found.organization_id])


def delete_department(actor: UserItem, department_id: int) -> DepartmentItem:
    found = get_department(actor, department_id)
    permissions.require(can_manage_organization(actor, found.organization_id))
    try:
        org.delete_department(found)
    except org.StillReferenced:
        raise Conflict("The department still has users or positions.") from None
    audit.record("department.delete", actor=actor, target_type="department", target_id=found.id)
    return found


# ---- positions (C's and A's) ----


def ensure_positions_seeded() -> None:
    """A's seeded positions exist from the first use of positions on (one GetItem per request:
    a per-container flag would outlive a table that is emptied, as the tests do)."""
    if org.positions_seeded():
        return
    stamp = iso(now())
    org.seed_positions(
        [
            org.new_position(position_id, stamp, {"name": name, "description": description})
            for position_id, name, description in SEEDED_POSITIONS
        ]
    )


def list_positions(actor: UserItem, paging: Paging, department_id: int | None) -> Page[PositionItem]:
    ensure_positions_seeded()
    if department_id is not None:
        parent = org.get_department(department_id)
        if parent is None:
            return empty_page(paging)
        permissions.require(can_read_organization(actor, parent.organization_id))
        found = page_of(
            PositionItem,
            org.positions_partition(parent.id, None),
            paging,
            lambda: max(parent.positions_count, 0),
        )
    elif is_global(actor):
        found = page_of(
            PositionItem, org.positions_partition(None, None), paging, lambda: org.total(org.POSITIONS_TOTAL)
        )
    else:
        home = org.get_organization(home_organization(actor))
        if home is None:
            return empty_page(paging)
        found = page_of(
            PositionItem,
            org.positions_partition(None, home.id),
            paging,
            lambda: max(home.positions_count, 0),
        )
    found.related = _position_relations(found.items)
    return found


def all_positions(actor: UserItem) -> list[PositionItem]:
    """A's bare list: the first `org.WINDOW` positions in id order that the caller may see
    (global actors: all; others: the shared ones and their own organization's)."""
    ensure_positions_seeded()
    visible = (None, actor.organization_id)
    return [
        item
        for item in org.window(*org.positions_by_id_partition())
        if isinstance(item, PositionItem) and (is_global(actor) or item.organization_id in visible)
    ]


def _position_relations(positions: Sequence[PositionItem]) -> Related:
    return org.related(
        organization_ids=[p.organization_id for p in positions],
        department_ids=[p.department_id for p in positions],
    )


def _department_reference(department_id: int | None) -> DepartmentItem | None:
    if department_id is None:
        return None
    found = org.get_department(department_id)
    if found is None:
        raise ValidationFailed.single("department_id", "exists")
    return found


def _check_salary(low: int | None, high: int | None) -> None:
    if low is not None and high is not None and high < low:
        raise ValidationFailed.single("salary_max", "gte", value="salary min")


def create_position(actor: UserItem, request: NewPositionRequest) -> tuple[PositionItem, Related]:
    ensure_positions_seeded()
    attributes = request.given()
    _check_salary(attributes.get("salary_min"), attributes.get("salary_max"))
    department = _department_reference(attributes.pop("department_id", None))
    require_manage_position(actor, department)
    position = org.new_position(
        counters.next_id("position"),
        iso(now()),
        {
            **attributes,
            "department_id": department.id if department else None,
            "organization_id": department.organization_id if department else None,
        },
    )
    try:
        org.create_position(position)
    except org.ReferenceGone:
        raise ValidationFailed.single("department_id", "exists") from None
    audit.record("position.create", actor=actor, target_type="position", target_id=position.id)
    return position, _position_relations([position])


def get_position(actor: UserItem, position_id: int) -> PositionItem:
    ensure_positions_seeded()
    found = org.get_position(position_id)
    if found is None:
        raise NotFound("position")
    # Positions without a department (A's) are everyone's; others belong to an organization's directory.
    permissions.require(found.organization_id is None or can_read_organization(actor, found.organization_id))
    return found


def position_detail(actor: UserItem, position_id: int) -> tuple[PositionItem, list[UserItem], Related]:
    found = get_position(actor, position_id)
    members = org.first_members(*org.users_partition(None, None, found.id), limit=INLINE_MEMBERS)
    return found, members, _position_relations([found])


def update_position(
    actor: UserItem, position_id: int, request: PositionChangesRequest
) -> tuple[PositionItem, Related]:
    found = get_position(actor, position_id)
    current = _department_reference(found.department_id) if found.department_id is not None else None
    require_manage_position(actor, current)
    attributes = request.given()
    _check_salary(
        attributes.get("salary_min", found.salary_min), attributes.get("salary_max", found.salary_max)
    )
    if "department_id" in attributes and attributes["department_id"] != found.department_id:
        target = _department_reference(attributes["department_id"])
        require_manage_position(actor, target)
        attributes["organization_id"] = target.organization_id if target else None
        if found.users_count > 0 and (target.organization_id if target else None) != found.organization_id:
            raise Conflict("A position with users cannot move to another organization.")
    try:
        _apply(found, attributes, org.update_position)
    except org.ReferenceGone:
        raise ValidationFailed.single("department_id", "exists") from None
    audit.record("position.update", actor=actor, target_type="position", target_id=found.id)
    return found, _position_relations([found])


def delete_position(actor: UserItem, position_id: int) -> PositionItem:
    found = get_position(actor, position_id)
    department = org.get_department(found.department_id) if found.department_id is not None else None
    require_manage_position(actor, department)
    try:
        org.delete_position(found)
    except org.StillReferenced:
        raise Conflict("The position still has users.") from None
    audit.record("position.delete", actor=actor, target_type="position", target_id=found.id)
    return found
