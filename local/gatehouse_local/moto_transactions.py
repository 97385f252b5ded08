"""moto's DynamoDB ``TransactWriteItems``, with a rollback that copies only what it touches.

moto 5.2.5's ``DynamoDBBackend.transact_write_items`` deep-copies every table a transaction
names, once per item of the transaction, before it writes anything, so that it can put the
copies back if the transaction is cancelled. That makes each transaction cost O(table size)
(and 4 x that for a 4-item transaction): a bulk load into the local run slows down as the
table grows, to ~100 ms a transaction at a few thousand items.

``transact_write_items`` below is moto's method with one difference: before an item of the
transaction is touched, it remembers that item (a deep copy of it, or that it did not exist)
and the length of the table's stream, and a cancelled transaction puts back exactly those
items and drops the stream records the transaction added. Everything else is moto's code,
unchanged and in the same order: the 100-item limit, one operation per item, one write per
key (``MultipleTransactionsException``), the condition checks with
``ReturnValuesOnConditionCheckFailure``, the cancellation reasons (``ConditionalCheckFailed``
or the name of the error of each item, ``None`` for the others), validation errors re-raised
after the rollback. moto keeps no index copies (its indexes are read from the items) and
does not implement ``ClientRequestToken``, so neither has anything to restore.

Two differences, both towards DynamoDB: a table named by its ARN is rolled back too (moto
backs up only tables named by name), and the rolled-back table stays the same object
(moto replaces it with its copy).

``install()`` replaces the method in the moto server process (``moto_process``); it refuses
to when the installed moto is not the version this was written against or its method
(or a method the rollback relies on) has changed: review this module, then update
``REVIEWED``.
"""

from __future__ import annotations

import copy
import hashlib
import inspect
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import StreamRecord, StreamShard, Table

MOTO_VERSION = "5.2.5"
# SHA-256 of the source of each moto method this module replaces or relies on (how items and
# stream records are stored, put, updated and deleted), as reviewed for MOTO_VERSION.
REVIEWED = {
    "DynamoDBBackend.transact_write_items": "81db2cb7d94e39c90b3a2077e1f4bb41a449c558ef9b1b1e2910fdaa39978ad4",
    "DynamoDBBackend.get_table": "a738146035fc206b81e0659a004dcc62ae70eb356ef7c5ab771ba68bdd2d7ab0",
    "DynamoDBBackend.get_item": "290b95c46b38bc5ac8079668e9c449bba9b6b26f4a2872d80ca262115023e189",
    "DynamoDBBackend.get_keys_value": "1f948797496ddc2cd4e4752e29e470d19ce757ca3406e07fed6bd90b331c1caa",
    "DynamoDBBackend.put_item": "f5d9a5042c77b89e5f4c88b5884f7966b9dccd95b8b04090ee9e07afc5eea675",
    "DynamoDBBackend.update_item": "218984588dd689a5de81678ce11e6a40d05c91e7b6c21b44c4ed4122fe74aa9f",
    "DynamoDBBackend.delete_item": "083a4bb1af18f6fd2feef40195a4c9c803da66cb2cacd14f87916c6e76930ea5",
    "Table.put_item": "de23933013ef842639046c19bcf7e418bce0474d810f6719368be4cedce11d47",
    "Table.get_item": "b08e98fe37b7e5836afe03b010d637ef50df5dea6cbecd9cf8816eef326a21cd",
    "Table.delete_item": "1594f7b07616c8cb8cdf0fbf58d6f54eeac83f25d7ac7b14e832a08e10efd8f9",
    "StreamShard.add": "357dc6da267e5dd7d46e18ee25d14b232a98679677906a2f02e4d454d1f11e03",
}
_OWNERS: dict[str, type] = {"DynamoDBBackend": DynamoDBBackend, "Table": Table, "StreamShard": StreamShard}

ORIGINAL = DynamoDBBackend.transact_write_items


class MotoChanged(RuntimeError):
    """The installed moto is not the one ``transact_write_items`` was reviewed against."""


def fingerprints() -> dict[str, str]:
    """The SHA-256 of the installed source of each method in ``REVIEWED``."""
    found: dict[str, str] = {}
    for name in REVIEWED:
        owner, method = name.split(".")
        function = (
            ORIGINAL if name == "DynamoDBBackend.transact_write_items" else getattr(_OWNERS[owner], method)
        )
        found[name] = hashlib.sha256(inspect.getsource(function).encode()).hexdigest()
    return found


def check() -> None:
    """Raise MotoChanged unless the installed moto is the reviewed one."""
    installed = metadata.version("moto")
    if installed != MOTO_VERSION:
        raise MotoChanged(
            f"moto {installed} is installed; gatehouse_local.moto_transactions was written for "
            f"moto {MOTO_VERSION}: review its transact_write_items against the new one"
        )
    changed = sorted(name for name, digest in fingerprints().items() if digest != REVIEWED[name])
    if changed:
        raise MotoChanged(
            f"moto's {', '.join(changed)} changed since gatehouse_local.moto_transactions was "
            "reviewed: compare its transact_write_items with moto's, then update REVIEWED"
        )


def install() -> None:
    """Use ``transact_write_items`` for every DynamoDB backend of this process."""
    check()
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


@dataclass
class _Remembered:
    table: Table
    hash_key: DynamoType
    range_key: DynamoType | None
    bucket_existed: bool
    before: Item | None


@dataclass
class Rollback:
    """What a transaction touched, as it was before: enough to undo it."""

    items: list[_Remembered] = field(default_factory=list)
    # id(shard) -> (shard, its record list, how many records it held)
    streams: dict[int, tuple[StreamShard, list[StreamRecord], int]] = field(default_factory=dict)

    def remember(self, backend: DynamoDBBackend, table_name: str, key: dict[str, Any]) -> None:
        """Remember the item at `key` (raises what ``backend.get_item`` would for a bad
        table or key, before anything is remembered)."""
        table = backend.get_table(table_name)
        hash_key, range_key = backend.get_keys_value(table, key)
        shard = table.stream_shard
        if shard is not None and id(shard) not in self.streams:
            self.streams[id(shard)] = (shard, shard.items, len(shard.items))
        # Read without the defaultdict creating an empty bucket for a new hash key.
        bucket: Any = table.items.get(hash_key)
        before: Item | None
        if table.range_key_attr is None:
            before = bucket
        else:
            before = bucket.get(range_key) if bucket is not None else None
        self.items.append(_Remembered(table, hash_key, range_key, bucket is not None, copy.deepcopy(before)))

    def restore(self) -> None:
        for remembered in reversed(self.items):
            hash_key, range_key = remembered.hash_key, remembered.range_key
            # [hash] -> Item, or [hash] -> {range: Item} (moto's layout, see Table.put_item)
            items: Any = remembered.table.items
            if remembered.table.range_key_attr is None:
                if remembered.before is None:
                    items.pop(hash_key, None)
                else:
                    items[hash_key] = remembered.before
                continue
            bucket = items[hash_key]
            if remembered.before is None:
                bucket.pop(range_key, None)
            else:
                bucket[range_key] = remembered.before
            if not bucket and not remembered.bucket_existed:
                del items[hash_key]
        for shard, records, length in self.streams.values():
            # A delivery to a Lambda event source mapping may have replaced the list meanwhile.
            del records[length:]
            shard.items = records


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    """moto 5.2.5's ``DynamoDBBackend.transact_write_items`` (Apache-2.0, Getmoto), with
    ``Rollback`` in place of its deep copies of the whole tables."""
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    rollback = Rollback()

    target_items: set[tuple[str, str]] = set()

    def check_unicity(table_name: str, key: dict[str, Any]) -> None:
        item = (str(table_name), str(dict(sorted(key.items()))))
        if item in target_items:
            raise MultipleTransactionsException()
        target_items.add(item)

    errors: list[
        tuple[str, str, dict[str, Any]] | tuple[None, None, None]
    ] = []  # [(Code, Message, Item), ..]
    for item in transact_items:
        original_item: dict[str, Any] | None = None
        # Check transact writes are not performing multiple operations on the same item
        if len(list(item.keys())) > 1:
            raise TransactWriteSingleOpException

        try:
            op_type, op = next(iter(item.items()))
            if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                raise ValueError("Unsupported transaction operation")

            table_name = op["TableName"]
            condition_expression = op.get("ConditionExpression")
            expression_attribute_names = op.get("ExpressionAttributeNames")
            expression_attribute_values = op.get("ExpressionAttributeValues")
            return_values_on_condition_check_failure = op.get("ReturnValuesOnConditionCheckFailure")

            if op_type == "Put":
                attrs = op["Item"]
                table = self.get_table(table_name)
                key = {table.hash_key_attr: attrs[table.hash_key_attr]}
                if table.range_key_attr is not None:
                    key[table.range_key_attr] = attrs[table.range_key_attr]
            else:
                key = op["Key"]

            check_unicity(table_name, key)

            # The one addition: remember the item before anything can change it.
            rollback.remember(self, table_name, key)
            current = self.get_item(table_name, key)
            if condition_expression is not None:
                condition_op = get_filter_expression(
                    condition_expression,
                    expression_attribute_names,
                    expression_attribute_values,
                )
                if not condition_op.expr(current):
                    if return_values_on_condition_check_failure == "ALL_OLD" and current:
                        original_item = current.to_json()["Attributes"]
                    raise ConditionalCheckFailed(item=original_item)

            if op_type == "Put":
                attrs = op["Item"]
                self.put_item(
                    table_name,
                    attrs,
                    condition_expression=condition_expression,
                    expression_attribute_names=expression_attribute_names,
                    expression_attribute_values=expression_attribute_values,
                )
            elif op_type == "Delete":
                self.delete_item(
                    table_name,
                    key,
                    condition_expression=condition_expression,
                    expression_attribute_names=expression_attribute_names,
                    expression_attribute_values=expression_attribute_values,
                )
            elif op_type == "Update":
                update_expression = op["UpdateExpression"]
                self.update_item(
                    table_name,
                    key,
                    update_expression=update_expression,
                    condition_expression=condition_expression,
                    expression_attribute_names=expression_attribute_names,
                    expression_attribute_values=expression_attribute_values,
                )
            errors.append((None, None, None))
        except (MultipleTransactionsException, MockValidationException):
            # Rollback to the original state, and reraise the error
            rollback.restore()
            raise
        except ConditionalCheckFailed as e:
            errors.append(("ConditionalCheckFailed", str(e.message), original_item))  # type: ignore[arg-type]
        except Exception as e:  # moto's: the error's name becomes the item's reason
            # For other exceptions, capture their details
            errors.append((type(e).__name__, str(e), original_item))  # type: ignore[arg-type]

    if any(code is not None for code, _, _ in errors):
        # Rollback to the original state, and reraise the errors
        rollback.restore()
        raise TransactionCanceledException(errors)
