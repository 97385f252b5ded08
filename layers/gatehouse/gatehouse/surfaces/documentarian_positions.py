"""Surface A's view of positions (`/api/v1/position`): the same entity as C's positions."""

from __future__ import annotations

import re

from gatehouse.contracts.documentarian import PositionView
from gatehouse.data.org import PositionItem
from gatehouse.errors import NotFound
from gatehouse.surfaces.documentarian import timestamp

PREFIX = "/api/v1/position"
_POSITION_ID = re.compile(r"[0-9]{1,18}")


def position_id(value: str) -> int:
    """A path id that is not a position id names no position."""
    if not _POSITION_ID.fullmatch(value):
        raise NotFound("position")
    return int(value)


def position_view(position: PositionItem) -> PositionView:
    return {
        "_id": position.id,
        "name": position.name,
        "description": position.description,
        "created_at": timestamp(position.created_at),
        "updated_at": timestamp(position.updated_at),
    }
