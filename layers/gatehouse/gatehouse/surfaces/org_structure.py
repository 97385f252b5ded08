"""Surface C (organization structure, Laravel Sanctum): `{"status", "message", "data"}` envelopes
(its errors and `SURFACE`: `gatehouse.surfaces.envelopes.org_structure`)."""

from __future__ import annotations

import math
from typing import Any

from gatehouse.contracts import org_structure as contracts
from gatehouse.data.models import UserItem
from gatehouse.data.org import DepartmentItem, OrganizationItem, PositionItem, Related
from gatehouse.services.paging import Page, display_name
from gatehouse.services.sessions import IssuedToken
from gatehouse.surfaces.envelopes.org_structure import SURFACE as SURFACE

ROLES: list[contracts.RoleView] = [
    {"id": 1, "name": "admin", "display_name": "Администратор", "description": "Полный доступ к системе"},
    {"id": 2, "name": "manager", "display_name": "Менеджер", "description": "Управление отделом"},
    {"id": 3, "name": "user", "display_name": "Пользователь", "description": "Обычный пользователь"},
]


def success[Data](message: str, data: Data) -> contracts.Success[Data]:
    return {"status": "success", "message": message, "data": data}


def done(message: str) -> contracts.Success[None]:
    """A success with nothing to show (a deletion, sign-out)."""
    return success(message, None)


def pagination(page: Page[Any]) -> contracts.Pagination:
    return {
        "current_page": page.page,
        "last_page": max(1, math.ceil(page.total / page.per_page)),
        "per_page": page.per_page,
        "total": page.total,
    }


def _reference(item: OrganizationItem | DepartmentItem | PositionItem | None) -> contracts.Named | None:
    return None if item is None else {"id": item.id, "name": item.name}


def organization_view(organization: OrganizationItem, counts: bool = False) -> contracts.OrganizationView:
    view: contracts.OrganizationView = {
        "id": organization.id,
        "name": organization.name,
        "description": organization.description,
        "address": organization.address,
        "phone": organization.phone,
        "email": organization.email,
        "website": organization.website,
        "is_active": organization.is_active,
        "created_at": organization.created_at,
        "updated_at": organization.updated_at,
    }
    if counts:
        view["departments_count"] = max(organization.departments_count, 0)
        view["users_count"] = max(organization.users_count, 0)
    return view


def member_view(user: UserItem) -> contracts.Member:
    """A user inside an organization's or department's `users`."""
    return {"id": user.id, "name": display_name(user), "email": user.email, "position": user.position_title}


def organization_detail_view(
    organization: OrganizationItem, departments: list[DepartmentItem], members: list[UserItem]
) -> contracts.OrganizationDetail:
    return {
        **organization_view(organization),
        "departments": [{"id": d.id, "name": d.name, "description": d.description} for d in departments],
        "users": [member_view(user) for user in members],
    }


def department_view(
    department: DepartmentItem, related: Related, counts: bool = False
) -> contracts.DepartmentView:
    view: contracts.DepartmentView = {
        "id": department.id,
        "name": department.name,
        "description": department.description,
        "organization_id": department.organization_id,
        "organization": _reference(related.organizations.get(department.organization_id)),
        "is_active": department.is_active,
        "created_at": department.created_at,
        "updated_at": department.updated_at,
    }
    if counts:
        view["users_count"] = max(department.users_count, 0)
    return view


def position_view(position: PositionItem, related: Related, counts: bool = False) -> contracts.PositionView:
    department = related.departments.get(position.department_id) if position.department_id else None
    organization = related.organizations.get(position.organization_id) if position.organization_id else None
    view: contracts.PositionView = {
        "id": position.id,
        "name": position.name,
        "description": position.description,
        "department_id": position.department_id,
        "department": None
        if department is None
        else {"id": department.id, "name": department.name, "organization": _reference(organization)},
        "salary_min": position.salary_min,
        "salary_max": position.salary_max,
        "is_active": position.is_active,
        "created_at": position.created_at,
        "updated_at": position.updated_at,
    }
    if counts:
        view["users_count"] = max(position.users_count, 0)
    return view


def user_view(user: UserItem, related: Related, detail: bool = False) -> contracts.UserView:
    """The document shows `position` twice (the free-text title, then the position object);
    a JSON reader keeps the last, so `position` is the object when the user has a position
    and the free-text title otherwise."""
    position = related.positions.get(user.position_id) if user.position_id is not None else None
    view: contracts.UserView = {
        "id": user.id,
        "name": display_name(user),
        "email": user.email,
        "phone": user.phone,
        "position": _reference(position) if position is not None else user.position_title,
        "role": user.role,
        "organization_id": user.organization_id,
        "department_id": user.department_id,
        "position_id": user.position_id,
        "organization": _reference(related.organizations.get(user.organization_id or 0)),
        "department": _reference(related.departments.get(user.department_id or 0)),
        "is_active": user.is_active,
        "last_login_at": user.last_login_at,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
    }
    if detail:
        view["permissions"] = []
        view["roles"] = [user.role]
    return view


def position_member_view(user: UserItem) -> contracts.PositionMember:
    return {"id": user.id, "name": display_name(user), "email": user.email, "salary": None}


def activation_view(user: UserItem) -> contracts.Activated:
    return {"user": {"id": user.id, "is_active": user.is_active}}


def token_view(issued: IssuedToken, user: UserItem, related: Related) -> contracts.IssuedToken:
    return {"user": user_view(user, related), "token": issued.token, "token_type": "Bearer"}
