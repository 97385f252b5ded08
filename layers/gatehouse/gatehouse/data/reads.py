"""Reads every entity shares: a few items by key in one BatchGetItem, as the raw items DynamoDB
answers or as models."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pynamodb.constants import BATCH_GET_ITEM

from gatehouse.data.models import Item

# DynamoDB's own bound on the keys of one BatchGetItem.
BATCH_GET_KEYS = 100


def raw_items(keys: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    """The items found at `keys` (PK, SK; at most BATCH_GET_KEYS, duplicates read once), in no
    particular order, as DynamoDB answers them.

    One BatchGetItem through the table's PynamoDB connection, with the keys written out here:
    `Model.batch_get` serialises each key through the model's attributes and pages through a
    generator, a fifth of a warm authenticated request. Keys DynamoDB leaves unprocessed are
    asked again, as `Model.batch_get` does."""
    unique = list(dict.fromkeys(keys))
    if len(unique) > BATCH_GET_KEYS:
        raise ValueError(f"{len(unique)} keys: a BatchGetItem reads at most {BATCH_GET_KEYS}")
    table = Item._get_connection()
    pending: list[dict[str, Any]] = [{_PK: {"S": pk}, _SK: {"S": sk}} for pk, sk in unique]
    found: list[dict[str, Any]] = []
    while pending:
        answer = table.connection.dispatch(
            BATCH_GET_ITEM, {"RequestItems": {table.table_name: {"Keys": pending}}}
        )
        found.extend(answer.get("Responses", {}).get(table.table_name, []))
        pending = answer.get("UnprocessedKeys", {}).get(table.table_name, {}).get("Keys", [])
    return found


def items(keys: Sequence[tuple[str, str]]) -> list[Item]:
    """The items found at `keys`, each as the model its entity names (see `raw_items`)."""
    return [Item.from_raw_data(raw) for raw in raw_items(keys)]


_PK, _SK = Item.PK.attr_name, Item.SK.attr_name
