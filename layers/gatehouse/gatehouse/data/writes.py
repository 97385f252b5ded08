"""Writes every entity shares: attribute changes as update actions, conditional on the item
existing, and transactions of labelled writes (the one place that runs TransactWriteItems and
reads why DynamoDB cancelled one)."""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pynamodb.exceptions import DeleteError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from gatehouse.data.models import Item, connection

TRANSACTION_ATTEMPTS = 8


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


# ---- transactions ----


class ConditionFailed(Exception):
    """A write was refused because its condition did not hold: `labels` names the writes of the
    transaction whose conditions failed (a write without a label by its operation)."""

    def __init__(self, labels: set[str]) -> None:
        super().__init__(", ".join(sorted(labels)))
        self.labels = labels


# Whatever a failed transaction raises: a refused condition, or any other cancellation or error.
TRANSACTION_FAILURES = (ConditionFailed, TransactWriteError)


@dataclass(frozen=True)
class Write:
    """One item of a TransactWriteItems; `label` names it when its condition fails."""

    operation: Literal["put", "update", "delete"]
    item: Item
    condition: Condition | None = None
    actions: Sequence[Action] = ()
    label: str = ""

    def apply(self, transaction: TransactWrite) -> None:
        if self.operation == "put":
            transaction.save(self.item, condition=self.condition)
        elif self.operation == "update":
            transaction.update(self.item, actions=list(self.actions), condition=self.condition)
        else:
            transaction.delete(self.item, condition=self.condition)


_SENT_ORDER = {"delete": 0, "put": 1, "update": 2}


def transact(writes: Sequence[Write], attempts: int = TRANSACTION_ATTEMPTS) -> None:
    """Run the writes as one transaction (one TransactWriteItems per attempt); retried, up to
    `attempts` times in all, when DynamoDB cancels it for a conflict with a concurrent
    transaction on a shared item. Raises ConditionFailed with the labels of the writes whose
    conditions failed; any other failure (and the last conflict) as PynamoDB's TransactWriteError."""
    # In the order DynamoDB receives them (PynamoDB sends deletes, then puts, then updates), so
    # each cancellation reason pairs with its own write.
    writes = sorted(writes, key=lambda write: _SENT_ORDER[write.operation])
    for attempt in range(attempts):
        try:
            with TransactWrite(connection=connection) as transaction:
                for write in writes:
                    write.apply(transaction)
            return
        except TransactWriteError as error:
            reasons = error.cancellation_reasons or []
            failed = {
                write.label or write.operation
                for write, reason in zip(writes, reasons, strict=False)
                if reason is not None and reason.code == "ConditionalCheckFailed"
            }
            if failed:
                raise ConditionFailed(failed) from None
            conflicted = any(
                reason is not None and reason.code == "TransactionConflict" for reason in reasons
            )
            if not conflicted or attempt + 1 == attempts:
                raise
            time.sleep(random.uniform(0, 0.02 * 2**attempt))  # noqa: S311 - jitter, not a secret
