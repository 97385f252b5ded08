"""Who may act on whom. Surfaces with their own documented rules (D) build on these."""

from __future__ import annotations

from gatehouse.data.models import UserItem
from gatehouse.errors import PermissionDenied

ROLES = ("user", "manager", "admin", "super")
_RANK = {role: rank for rank, role in enumerate(ROLES)}


def rank(role: str) -> int:
    return _RANK.get(role, 0)


def outranks(actor: UserItem, target: UserItem) -> bool:
    return rank(actor.role) > rank(target.role)


def can_manage(actor: UserItem, target: UserItem) -> bool:
    """SPEC's default: users manage themselves, managers their department, admins their
    organization (all users when they belong to none), super everyone; never an equal or higher role."""
    if actor.id == target.id or actor.role == "super":
        return True
    if not outranks(actor, target):
        return False
    if actor.role == "admin":
        return actor.organization_id is None or actor.organization_id == target.organization_id
    if actor.role == "manager":
        return actor.department_id is not None and actor.department_id == target.department_id
    return False


def can_read(actor: UserItem, target: UserItem) -> bool:
    """Users read their organization's directory; elevated roles read what they manage."""
    if can_manage(actor, target) or (rank(actor.role) >= rank("admin") and actor.organization_id is None):
        return True
    return actor.organization_id is not None and actor.organization_id == target.organization_id


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied()


def require_role(actor: UserItem, minimum: str) -> None:
    require(rank(actor.role) >= rank(minimum))
