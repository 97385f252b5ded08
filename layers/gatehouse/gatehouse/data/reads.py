"""Reads every entity shares, each request written out once (docs/warm-path.md): one item by
key (`raw_item`, `item`), a few items by key in one BatchGetItem (`raw_items`, `items`; more
in several, `items_in_batches`), and
the first items of a partition of the table or an index in sort-key order (`partition_window`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pynamodb.constants import BATCH_GET_ITEM, GET_ITEM, QUERY

from gatehouse.data.models import Item, call

# DynamoDB's own bound on the keys of one BatchGetItem.
BATCH_GET_KEYS = 100

_Kind = TypeVar("_Kind", bound=Item)


def raw_item(pk: str, sk: str) -> dict[str, Any] | None:
    """The item at (`pk`, `sk`) as DynamoDB answers it, or None: one GetItem (eventually
    consistent, as `Model.get`), without the model serialising the key through its attributes."""
    answer = call(GET_ITEM, {"TableName": Item._get_connection().table_name, "Key": _key(pk, sk)})
    found: dict[str, Any] | None = answer.get("Item")
    return found


def item(pk: str, sk: str, kind: type[_Kind]) -> _Kind | None:
    """The item at (`pk`, `sk`) as its model when it is a `kind`, else None (see `raw_item`)."""
    raw = raw_item(pk, sk)
    found = None if raw is None else Item.from_raw_data(raw)
    return found if isinstance(found, kind) else None


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
    pending: list[dict[str, Any]] = [_key(pk, sk) for pk, sk in unique]
    found: list[dict[str, Any]] = []
    while pending:
        answer = call(BATCH_GET_ITEM, {"RequestItems": {table.table_name: {"Keys": pending}}})
        found.extend(answer.get("Responses", {}).get(table.table_name, []))
        pending = answer.get("UnprocessedKeys", {}).get(table.table_name, {}).get("Keys", [])
    return found


def items(keys: Sequence[tuple[str, str]]) -> list[Item]:
    """The items found at `keys`, each as the model its entity names (see `raw_items`)."""
    return [Item.from_raw_data(raw) for raw in raw_items(keys)]


def items_in_batches(keys: Sequence[tuple[str, str]]) -> list[Item]:
    """The items found at any number of `keys`: one BatchGetItem per BATCH_GET_KEYS of them."""
    return [
        item
        for start in range(0, len(keys), BATCH_GET_KEYS)
        for item in items(keys[start : start + BATCH_GET_KEYS])
    ]


@dataclass(frozen=True)
class Window:
    items: list[Item]
    # Whether the partition may hold more after the last item (PynamoDB's `last_evaluated_key`).
    more: bool


def partition_window(
    partition: str,
    *,
    index_name: str | None = None,
    sort_from: str | None = None,
    after: str | None = None,
    kind: type[Item] = Item,
    limit: int,
    page_size: int | None = None,
) -> Window:
    """The first `limit` items of `kind` in a partition of the table or of an index
    (`index_name`), in sort-key order from `sort_from` on or after `after`, each as its model:
    one Query of `page_size` (else `limit`) items at a time, until `limit` or the partition's end.

    What `kind.query` / `kind.<index>.query(partition, …, limit=…, page_size=…)` answers, with
    the request written here: PynamoDB adds a filter naming every entity registered under
    `kind` (24 values under `Item`) and builds it again for each request. Items of other
    entities, which that filter drops, are dropped here."""
    table = Item._get_connection()
    key_prefix = index_name or ""
    names = {"#partition": f"{key_prefix}PK"}
    values: dict[str, Any] = {":partition": {"S": partition}}
    condition = "#partition = :partition"
    if sort_from is not None or after is not None:
        names["#sort"] = f"{key_prefix}SK"
        values[":bound"] = {"S": sort_from if after is None else after}
        condition += " AND #sort > :bound" if after is not None else " AND #sort >= :bound"
    request: dict[str, Any] = {
        "TableName": table.table_name,
        "KeyConditionExpression": condition,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
        "Limit": limit if page_size is None else page_size,
    }
    if index_name is not None:
        request["IndexName"] = index_name
    entities = _entities(kind)
    found: list[Item] = []
    more = False
    while len(found) < limit:
        answer = call(QUERY, request)
        page = [raw for raw in answer.get("Items", []) if raw.get(_ENTITY, {}).get("S") in entities]
        taken = page[: limit - len(found)]
        found.extend(Item.from_raw_data(raw) for raw in taken)
        more = "LastEvaluatedKey" in answer or len(taken) < len(page)
        if "LastEvaluatedKey" not in answer:
            break
        request = {**request, "ExclusiveStartKey": answer["LastEvaluatedKey"]}
    return Window(found, more)


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {_PK: {"S": pk}, _SK: {"S": sk}}


def _entities(kind: type[Item]) -> set[Any]:
    """Every entity value registered under `kind` (as models are defined, so looked up late)."""
    discriminator = Item.entity
    return {discriminator.get_discriminator(model) for model in discriminator.get_registered_subclasses(kind)}


# The table is keyed by PK/SK, each of its overloaded indexes GSI{n} by GSI{n}PK/GSI{n}SK (template.yaml).
_PK, _SK = Item.PK.attr_name, Item.SK.attr_name
_ENTITY = Item.entity.attr_name
