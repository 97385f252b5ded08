"""Demands (surface A): ObjectId-keyed requests with an author and a responsible user."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import DoesNotExist

from gatehouse.data import objects, writes
from gatehouse.data.models import IntegerAttribute, Item, UnicodeAttribute

# Every demand sits in one GSI1 partition sorted by its ObjectId, i.e. by creation time.
ALL_DEMANDS = "DEMANDS"


class DemandItem(Item, discriminator="demand"):
    demand_id = UnicodeAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute()
    author_id = IntegerAttribute()
    responsible_id = IntegerAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    @staticmethod
    def key(demand_id: str) -> tuple[str, str]:
        return f"DEMAND#{demand_id}", "DEMAND"


def new(demand_id: str, **attributes: Any) -> DemandItem:
    return DemandItem(
        *DemandItem.key(demand_id),
        demand_id=demand_id,
        GSI1PK=ALL_DEMANDS,
        GSI1SK=demand_id,
        **attributes,
    )


def put(demand: DemandItem) -> None:
    demand.save(condition=DemandItem.PK.does_not_exist())


def get(demand_id: str) -> DemandItem | None:
    try:
        return DemandItem.get(*DemandItem.key(demand_id))
    except DoesNotExist:
        return None


def update(demand: DemandItem, **changes: Any) -> bool:
    return writes.update_existing(demand, changes)


def delete(demand: DemandItem) -> bool:
    return writes.delete_existing(demand)


def page(limit: int, after: str | None = None) -> tuple[list[DemandItem], str | None]:
    return objects.page("GSI1", ALL_DEMANDS, DemandItem, limit, after)
