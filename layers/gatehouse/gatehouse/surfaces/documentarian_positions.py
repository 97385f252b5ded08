"""Surface A's view of positions (`/api/v1/position`): the same entity as C's positions."""

from __future__ import annotations

from typing import Any

from gatehouse.data.org import PositionItem
from gatehouse.surfaces.documentarian import timestamp

PREFIX = "/api/v1/position"


def position_view(position: PositionItem) -> dict[str, Any]:
    return {
        "_id": position.id,
        "name": position.name,
        "description": position.description,
        "created_at": timestamp(position.created_at),
        "updated_at": timestamp(position.updated_at),
    }
