"""gatehouse_local.moto_transactions: moto's TransactWriteItems with a rollback of only the
touched items. Each transaction runs on two identical backends, one with moto's own method and
one with ours: the outcome (exception, cancellation reasons) and the state afterwards (items,
index entries, stream records, hash buckets) must be the same."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from typing import Any

import pytest
from moto.dynamodb.exceptions import DynamodbException
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table

from gatehouse_local import moto_transactions
from gatehouse_local.embedded_aws import MotoAws
from tests.unit import moto_backends

Transaction = list[dict[str, Any]]
Method = Callable[[DynamoDBBackend, Transaction], None]


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _n(value: int) -> dict[str, str]:
    return {"N": str(value)}


def _backend() -> DynamoDBBackend:
    """moto_backends.with_tables(), with items in both tables."""
    backend = moto_backends.with_tables()
    for name in ("a", "b", "c"):
        backend.put_item("t", {"PK": _s(name), "SK": _s("1"), "email": _s(f"{name}@x"), "n": _n(1)})
    backend.put_item("t", {"PK": _s("a"), "SK": _s("2"), "n": _n(2)})
    backend.put_item("h", {"id": _s("h1"), "n": _n(1)})
    return backend


def _state(backend: DynamoDBBackend) -> dict[str, Any]:
    """Everything a transaction may change, comparable across backends."""
    state: dict[str, Any] = {}
    for name, table in backend.tables.items():
        state[name] = {
            "items": sorted(json.dumps(item.to_json(), sort_keys=True) for item in table.all_items()),
            "buckets": sorted(str(key) for key in table.items),
            "index": sorted(
                json.dumps(item.to_json(), sort_keys=True)
                for index in table.global_indexes
                for item in table.has_idx_items(index.name)
            ),
            "stream": [
                {
                    k: v
                    for k, v in record.record["dynamodb"].items()
                    if k not in ("ApproximateCreationDateTime", "SizeBytes")
                }
                | {"eventName": record.record["eventName"]}
                for record in (table.stream_shard.items if table.stream_shard else [])
            ],
        }
    return state


def _run(method: Method, backend: DynamoDBBackend, transaction: Transaction) -> tuple[str, str]:
    try:
        method(backend, copy.deepcopy(transaction))
    except DynamodbException as error:
        return type(error).__name__, error.description
    return "applied", ""


def _both(transaction: Transaction) -> tuple[tuple[str, str], DynamoDBBackend]:
    """Run on moto's method and on ours; assert they agree; return the outcome and our backend."""
    theirs, ours = _backend(), _backend()
    expected = _run(moto_transactions.ORIGINAL, theirs, transaction)
    outcome = _run(moto_transactions.transact_write_items, ours, transaction)
    assert outcome == expected
    assert _state(ours) == _state(theirs)
    return outcome, ours


def _put(table: str, item: dict[str, Any], condition: str | None = None, **extra: Any) -> dict[str, Any]:
    op: dict[str, Any] = {"TableName": table, "Item": item, **extra}
    if condition:
        op["ConditionExpression"] = condition
    return {"Put": op}


def _update(table: str, key: dict[str, Any], expression: str, values: dict[str, Any]) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": table,
            "Key": key,
            "UpdateExpression": expression,
            "ExpressionAttributeValues": values,
        }
    }


def _delete(table: str, key: dict[str, Any]) -> dict[str, Any]:
    return {"Delete": {"TableName": table, "Key": key, "ConditionExpression": "attribute_exists(PK)"}}


def _check(table: str, key: dict[str, Any], condition: str, **extra: Any) -> dict[str, Any]:
    return {"ConditionCheck": {"TableName": table, "Key": key, "ConditionExpression": condition, **extra}}


A1 = {"PK": _s("a"), "SK": _s("1")}
A2 = {"PK": _s("a"), "SK": _s("2")}
B1 = {"PK": _s("b"), "SK": _s("1")}
C1 = {"PK": _s("c"), "SK": _s("1")}
NEW = {"PK": _s("d"), "SK": _s("1"), "email": _s("d@x")}

# Writes of every kind: a new item, an update of an existing one (moving its index entry),
# a delete, an update creating an item, an overwrite, in both tables.
WRITES: Transaction = [
    _put("t", NEW, "attribute_not_exists(PK)"),
    _update("t", A1, "SET email = :e, n = n + :one", {":e": _s("a2@x"), ":one": _n(1)}),
    _delete("t", B1),
    _update("h", {"id": _s("h2")}, "SET n = :one", {":one": _n(1)}),
    _put("h", {"id": _s("h1"), "n": _n(9)}),
]


def test_a_successful_transaction_is_applied_as_moto_applies_it() -> None:
    outcome, backend = _both([*WRITES, _check("t", C1, "attribute_exists(PK)")])
    assert outcome == ("applied", "")
    table = backend.get_table("t")
    assert table.get_item(*backend.get_keys_value(table, A1)).to_json()["Attributes"]["email"] == {  # type: ignore[union-attr]
        "S": "a2@x"
    }
    assert backend.get_item("t", {"PK": _s("d"), "SK": _s("1")}) is not None
    assert backend.get_item("t", B1) is None
    assert backend.get_item("h", {"id": _s("h2")}) is not None


def test_a_failed_condition_leaves_every_touched_item_as_before() -> None:
    outcome, backend = _both([*WRITES, _check("t", C1, "attribute_not_exists(PK)")])
    assert outcome[0] == "TransactionCanceledException"
    reasons = json.loads(outcome[1])["CancellationReasons"]
    assert [reason["Code"] for reason in reasons] == ["None"] * 5 + ["ConditionalCheckFailed"]
    # Created items are gone, the deleted one is back, the updated ones hold their old values,
    # the index and the stream are as before the transaction.
    assert _state(backend) == _state(_backend())


def test_a_failed_condition_returns_the_old_item_when_asked() -> None:
    outcome, backend = _both(
        [_check("t", A2, "attribute_not_exists(PK)", ReturnValuesOnConditionCheckFailure="ALL_OLD"), *WRITES]
    )
    reasons = json.loads(outcome[1])["CancellationReasons"]
    assert reasons[0]["Item"] == {"PK": {"S": "a"}, "SK": {"S": "2"}, "n": {"N": "2"}}
    assert _state(backend) == _state(_backend())


def test_a_key_of_the_wrong_type_is_refused_after_undoing_what_came_before() -> None:
    wrong_key_type = _put("t", {"PK": _n(1), "SK": _s("1")})
    outcome, backend = _both([*WRITES, wrong_key_type, _put("t", {"PK": _s("e"), "SK": _s("1")})])
    assert outcome[0] == "InvalidAttributeTypeError"
    assert _state(backend) == _state(_backend())


def test_an_unsupported_operation_is_a_cancellation_reason_named_for_its_error() -> None:
    outcome, backend = _both([*WRITES, {"Get": {"TableName": "t", "Key": C1}}])
    reasons = json.loads(outcome[1])["CancellationReasons"]
    assert [reason["Code"] for reason in reasons] == ["None"] * 5 + ["ValueError"]
    assert _state(backend) == _state(_backend())


def test_an_unknown_table_cancels_the_transaction() -> None:
    outcome, backend = _both([*WRITES, _put("missing", {"PK": _s("x")})])
    assert json.loads(outcome[1])["CancellationReasons"][-1]["Code"] == "ResourceNotFoundException"
    assert _state(backend) == _state(_backend())


def test_two_operations_on_one_item_are_refused_after_undoing_the_first() -> None:
    outcome, backend = _both([*WRITES, _delete("t", {"PK": _s("d"), "SK": _s("1")})])
    assert outcome[0] == "MultipleTransactionsException"
    assert _state(backend) == _state(_backend())


def test_a_key_without_its_range_key_is_refused_after_undoing_what_came_before() -> None:
    outcome, backend = _both([*WRITES, _check("t", {"PK": _s("a")}, "attribute_exists(PK)")])
    assert outcome[0] == "MockValidationException"
    assert _state(backend) == _state(_backend())


def test_a_check_on_a_missing_item_leaves_no_trace_when_cancelled() -> None:
    outcome, backend = _both(
        [
            _check("t", {"PK": _s("zz"), "SK": _s("1")}, "attribute_not_exists(PK)"),
            _check("t", {"PK": _s("zy"), "SK": _s("1")}, "attribute_exists(PK)"),
        ]
    )
    assert outcome[0] == "TransactionCanceledException"
    assert _state(backend)["t"]["buckets"] == _state(_backend())["t"]["buckets"]


def test_more_than_100_items_are_refused() -> None:
    many = [_put("h", {"id": _s(f"x{i}")}) for i in range(101)]
    outcome, backend = _both(many)
    assert outcome[0] == "TooManyTransactionsException"
    assert _state(backend) == _state(_backend())


def test_a_transaction_copies_only_the_items_it_touches(monkeypatch: pytest.MonkeyPatch) -> None:
    backend = _backend()

    def refuse(table: Table, memo: dict[int, Any]) -> Table:
        raise AssertionError("a whole table was copied")

    monkeypatch.setattr(Table, "__deepcopy__", refuse, raising=False)
    with pytest.raises(AssertionError, match="whole table"):
        moto_transactions.ORIGINAL(backend, copy.deepcopy(WRITES))
    backend = _backend()
    before = _state(backend)
    outcome = _run(
        moto_transactions.transact_write_items,
        backend,
        [*WRITES, _check("t", C1, "attribute_not_exists(PK)")],
    )
    assert outcome[0] == "TransactionCanceledException"
    assert _state(backend) == before


def test_a_table_named_by_its_arn_is_rolled_back_too() -> None:
    backend = _backend()
    arn = backend.get_table("h").table_arn
    before = _state(backend)
    outcome = _run(
        moto_transactions.transact_write_items,
        backend,
        [_put(arn, {"id": _s("h1"), "n": _n(7)}), _check("t", C1, "attribute_not_exists(PK)")],
    )
    assert outcome[0] == "TransactionCanceledException"
    assert _state(backend) == before


def test_the_installed_moto_is_the_reviewed_one() -> None:
    moto_transactions.check()


def test_a_changed_moto_method_refuses_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    # This process's moto (the tests') may have ours installed already: a refusal changes nothing.
    installed = DynamoDBBackend.transact_write_items
    monkeypatch.setitem(moto_transactions.REVIEWED, "Table.put_item", "0" * 64)
    with pytest.raises(moto_transactions.MotoChanged, match=r"Table\.put_item"):
        moto_transactions.install()
    assert DynamoDBBackend.transact_write_items is installed


def test_another_moto_version_refuses_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(moto_transactions, "MOTO_VERSION", "0.0.0")
    with pytest.raises(moto_transactions.MotoChanged, match=r"written for moto 0\.0\.0"):
        moto_transactions.install()


def test_each_moto_rolls_back_a_cancelled_transaction(any_moto: MotoAws) -> None:
    """Through the tests' moto and the local run's server: their method is ours (moto's own
    would leave the write to the table named by ARN in place)."""
    dynamodb = any_moto.client("dynamodb")
    name = os.environ["TABLE_NAME"]
    arn = dynamodb.describe_table(TableName=name)["Table"]["TableArn"]
    dynamodb.put_item(TableName=name, Item={"PK": _s("kept"), "SK": _s("1"), "n": _n(1)})
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException) as cancelled:
        dynamodb.transact_write_items(
            TransactItems=[
                _put(arn, {"PK": _s("kept"), "SK": _s("1"), "n": _n(2)}),
                _put(name, {"PK": _s("new"), "SK": _s("1")}),
                _check(name, {"PK": _s("absent"), "SK": _s("1")}, "attribute_exists(PK)"),
            ]
        )
    reasons = cancelled.value.response["CancellationReasons"]
    assert [reason["Code"] for reason in reasons] == ["None", "None", "ConditionalCheckFailed"]
    items = dynamodb.scan(TableName=name)["Items"]
    assert items == [{"PK": _s("kept"), "SK": _s("1"), "n": _n(1)}]
