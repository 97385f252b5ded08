"""Writes every entity shares: attribute changes as update actions, conditional on the item existing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pynamodb.exceptions import DeleteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from gatehouse.data.models import Item


def set_actions(model: type[Item], changes: Mapping[str, Any]) -> list[Action]:
    """SET for each value, REMOVE for None (DynamoDB stores no nulls for absent attributes)."""
    return [
        getattr(model, name).remove() if value is None else getattr(model, name).set(value)
        for name, value in changes.items()
    ]


def update_existing(item: Item, changes: Mapping[str, Any], condition: Condition | None = None) -> bool:
    """Apply `changes` to a stored item (PynamoDB refreshes `item` from the answer).

    False when the item no longer exists or `condition` does not hold: a concurrent write won.
    """
    model = type(item)
    required = model.PK.exists() if condition is None else model.PK.exists() & condition
    try:
        item.update(actions=set_actions(model, changes), condition=required)
    except UpdateError as error:
        if _lost_to_a_concurrent_write(error):
            return False
        raise
    return True


def delete_existing(item: Item) -> bool:
    """Delete a stored item; False when it was already gone (a concurrent delete won)."""
    try:
        item.delete(condition=type(item).PK.exists())
    except DeleteError as error:
        if _lost_to_a_concurrent_write(error):
            return False
        raise
    return True


def _lost_to_a_concurrent_write(error: UpdateError | DeleteError) -> bool:
    return error.cause_response_code == "ConditionalCheckFailedException"
