"""Demands (surface A): any signed-in user reads them; the author or an admin changes them."""

from __future__ import annotations

from gatehouse import object_ids
from gatehouse.clock import iso, now
from gatehouse.contracts.documentarian import DemandChanges
from gatehouse.data import demands, users
from gatehouse.data.demands import DemandItem
from gatehouse.data.models import UserItem
from gatehouse.errors import NotFound
from gatehouse.services import audit, permissions
from gatehouse.services.references import existing_user

RESPONSIBLE_FIELD = "responsible_id"


def create(author: UserItem, *, name: str, description: str, responsible_id: int) -> DemandItem:
    """The author is whoever is signed in, never a field of the request."""
    existing_user(responsible_id, RESPONSIBLE_FIELD)
    stamp = iso(now())
    demand = demands.new(
        object_ids.new_object_id(),
        name=name,
        description=description,
        author_id=author.id,
        responsible_id=responsible_id,
        created_at=stamp,
        updated_at=stamp,
    )
    demands.put(demand)
    _audit("demand.create", author, demand)
    return demand


def find(demand_id: str) -> DemandItem:
    demand = demands.get(demand_id) if object_ids.is_object_id(demand_id) else None
    if demand is None:
        raise NotFound("demand")
    return demand


def may_change(actor: UserItem, demand: DemandItem) -> bool:
    """The author, or an admin who manages the author (deployment-wide admins when the author is gone)."""
    if actor.id == demand.author_id or actor.role == "super":
        return True
    if permissions.rank(actor.role) < permissions.rank("admin"):
        return False
    author = users.get(demand.author_id)
    return actor.organization_id is None if author is None else permissions.can_manage(actor, author)


def update(actor: UserItem, demand: DemandItem, request: DemandChanges) -> DemandItem:
    """The fields the request sent (any of name, description and responsible_id) change."""
    permissions.require(may_change(actor, demand))
    if request.responsible_id is not None:
        existing_user(request.responsible_id, RESPONSIBLE_FIELD)
    changes = request.given()
    changed = {name: value for name, value in changes.items() if getattr(demand, name) != value}
    if changed:
        changed["updated_at"] = iso(now())
        if not demands.update(demand, **changed):
            raise NotFound("demand")
    _audit("demand.update", actor, demand, details={"fields": ",".join(sorted(changes))})
    return demand


def remove(actor: UserItem, demand: DemandItem) -> None:
    permissions.require(may_change(actor, demand))
    if not demands.delete(demand):
        raise NotFound("demand")
    _audit("demand.delete", actor, demand)


def _audit(
    action: str, actor: UserItem, demand: DemandItem, details: dict[str, audit.DetailValue] | None = None
) -> None:
    audit.record(action, actor=actor, target_type="demand", target_id=demand.demand_id, details=details)


def page(limit: int, after: str | None) -> tuple[list[DemandItem], str | None]:
    return demands.page(limit, after)
