"""Who may do what in surface C's organization structure (SPEC's default where surface C's
document is silent), building on `gatehouse.services.permissions`:
- "global" actors (super, and admins without an organization) manage everything;
- an organization's admin manages that organization, its departments, positions and users;
- a department's manager manages that department, its positions and its plain users;
- everyone reads their own organization's directory and edits themselves.
"""

from __future__ import annotations

from gatehouse.data.models import UserItem
from gatehouse.data.org import DepartmentItem, Membership
from gatehouse.errors import PermissionDenied
from gatehouse.services import permissions


def is_global(actor: UserItem) -> bool:
    return actor.role == "super" or (actor.role == "admin" and actor.organization_id is None)


def can_manage_organization(actor: UserItem, organization_id: int | None) -> bool:
    return is_global(actor) or (
        actor.role == "admin" and organization_id is not None and actor.organization_id == organization_id
    )


def can_manage_department(actor: UserItem, department: DepartmentItem) -> bool:
    return can_manage_organization(actor, department.organization_id) or (
        actor.role == "manager" and actor.department_id == department.id
    )


def can_read_organization(actor: UserItem, organization_id: int | None) -> bool:
    return is_global(actor) or (organization_id is not None and actor.organization_id == organization_id)


def home_organization(actor: UserItem) -> int:
    """The only organization a non-global actor's lists show."""
    if actor.organization_id is None:
        raise PermissionDenied()
    return actor.organization_id


def require_manage_position(actor: UserItem, department: DepartmentItem | None) -> None:
    if department is None:
        permissions.require(is_global(actor))  # positions outside any department are shared by everyone
    else:
        permissions.require(can_manage_department(actor, department))


def require_membership_scope(actor: UserItem, membership: Membership) -> None:
    if is_global(actor):
        return
    if actor.role == "admin":
        permissions.require(membership.organization_id == actor.organization_id)
        return
    permissions.require(
        actor.role == "manager"
        and membership.organization_id == actor.organization_id
        and membership.department_id is not None
        and membership.department_id == actor.department_id
    )


def require_assignable(actor: UserItem, role: str) -> None:
    """Roles below one's own (the super assigns any of C's three)."""
    permissions.require(actor.role == "super" or permissions.rank(role) < permissions.rank(actor.role))
