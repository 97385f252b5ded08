"""gatehouse.data.writes.transact without DynamoDB: which labelled write a refusal names, which
cancellations are retried, what is raised as it is."""

from __future__ import annotations

from typing import Any

import pytest
from pynamodb.exceptions import CancellationReason, TransactWriteError, VerboseClientError

from gatehouse.data import apps, writes
from gatehouse.data.models import CounterItem, UniqueItem
from gatehouse.data.writes import ConditionFailed, Write


def _cancelled(*codes: str | None) -> TransactWriteError:
    """DynamoDB's cancellation with one reason per item, in the order the items were sent."""
    reasons = [None if code is None else CancellationReason(code=code) for code in codes]
    cause = VerboseClientError(
        {"Error": {"Code": "TransactionCanceledException", "Message": "cancelled"}},
        "TransactWriteItems",
        cancellation_reasons=reasons,
    )
    return TransactWriteError("cancelled", cause)


def _failed(code: str) -> TransactWriteError:
    """A TransactWriteItems that failed as a whole, without cancellation reasons."""
    cause = VerboseClientError({"Error": {"Code": code, "Message": "failed"}}, "TransactWriteItems")
    return TransactWriteError("failed", cause)


Answer = dict[str, str] | TransactWriteError


class ScriptedDynamo:
    """Stands in for the table's connection: each TransactWriteItems gets the next answer, either
    reason codes by item key (the items named are refused for them; none: it commits) or an error."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.calls: list[list[str]] = []

    def transact_write_items(
        self,
        condition_check_items: list[dict[str, Any]],
        delete_items: list[dict[str, Any]],
        put_items: list[dict[str, Any]],
        update_items: list[dict[str, Any]],
        **_: Any,
    ) -> dict[str, Any]:
        sent = [*condition_check_items, *delete_items, *put_items, *update_items]
        keys = [(item.get("Item") or item["Key"])["PK"]["S"] for item in sent]
        self.calls.append(keys)
        answer = self.answers.pop(0) if self.answers else {}
        if isinstance(answer, TransactWriteError):
            raise answer
        if answer:
            raise _cancelled(*[answer.get(key) for key in keys])
        return {}


@pytest.fixture
def dynamo(monkeypatch: pytest.MonkeyPatch) -> ScriptedDynamo:
    scripted = ScriptedDynamo()
    monkeypatch.setattr(writes, "connection", scripted)
    monkeypatch.setattr("gatehouse.data.writes.time.sleep", lambda _: None)
    return scripted


def _claim(kind: str, value: str, label: str = "") -> Write:
    item = UniqueItem(*UniqueItem.key(kind, value), owner_id=7)
    return Write("put", item, UniqueItem.PK.does_not_exist(), label=label)


def _release(kind: str, value: str) -> Write:
    return Write("delete", UniqueItem(*UniqueItem.key(kind, value)), UniqueItem.owner_id == 7)


def _count(name: str, label: str = "") -> Write:
    counter = CounterItem(*CounterItem.key(name))
    return Write("update", counter, CounterItem.value.exists(), [CounterItem.value.add(1)], label)


EMAIL = UniqueItem.key("email", "a@x.kz")[0]
OLD_EMAIL = UniqueItem.key("email", "old@x.kz")[0]
LOGIN = UniqueItem.key("login", "anna")[0]
COUNTER = CounterItem.key("things")[0]
CONFLICT = "TransactionConflict"
REFUSED = "ConditionalCheckFailed"


def test_a_refusal_names_the_labels_of_the_writes_whose_conditions_failed(dynamo: ScriptedDynamo) -> None:
    # Given in another order than DynamoDB receives them (deletes, puts, updates).
    given = [_count("things", "count"), _claim("login", "anna", "login"), _release("email", "old@x.kz")]
    given.append(_claim("email", "a@x.kz", "email"))
    dynamo.answers = [{EMAIL: REFUSED, OLD_EMAIL: REFUSED}]
    with pytest.raises(ConditionFailed) as refused:
        writes.transact(given)
    assert refused.value.labels == {"email", "delete"}  # an unlabelled write: its operation
    assert dynamo.calls == [[OLD_EMAIL, LOGIN, EMAIL, COUNTER]]
    dynamo.answers = [{COUNTER: REFUSED}]
    with pytest.raises(ConditionFailed) as refused:
        writes.transact(given)
    assert refused.value.labels == {"count"}


def test_a_transaction_cancelled_only_by_a_concurrent_one_is_retried(dynamo: ScriptedDynamo) -> None:
    given = [_claim("email", "a@x.kz", "email"), _count("things")]
    dynamo.answers = [{COUNTER: CONFLICT}, {EMAIL: CONFLICT, COUNTER: CONFLICT}]
    writes.transact(given)
    assert len(dynamo.calls) == 3  # two conflicts, then it commits
    dynamo.answers = [{EMAIL: REFUSED, COUNTER: CONFLICT}]
    with pytest.raises(ConditionFailed):  # a real refusal: at once
        writes.transact(given)
    assert len(dynamo.calls) == 4
    dynamo.answers = [{COUNTER: CONFLICT} for _ in range(20)]
    with pytest.raises(TransactWriteError):
        writes.transact(given)
    assert len(dynamo.calls) == 4 + writes.TRANSACTION_ATTEMPTS == 4 + 8
    dynamo.answers = [{COUNTER: CONFLICT}, {}]
    with pytest.raises(TransactWriteError):
        writes.transact(given, attempts=1)  # a caller that takes no retries
    assert len(dynamo.calls) == 4 + 8 + 1


def test_a_failure_that_is_neither_a_condition_nor_a_conflict_is_raised_as_it_is(
    dynamo: ScriptedDynamo,
) -> None:
    given = [_claim("email", "a@x.kz", "email"), _count("things")]
    throttled = _failed("ThrottlingException")
    dynamo.answers = [throttled]
    with pytest.raises(TransactWriteError) as raised:
        writes.transact(given)
    assert raised.value is throttled
    dynamo.answers = [{COUNTER: "ValidationError"}]
    with pytest.raises(TransactWriteError) as raised:
        writes.transact(given)
    assert [reason.code if reason else None for reason in raised.value.cancellation_reasons] == [
        None,
        "ValidationError",
    ]
    assert len(dynamo.calls) == 2  # neither is retried


def test_creating_an_app_retries_a_conflict_on_the_shared_app_count(dynamo: ScriptedDynamo) -> None:
    app = apps.new_app(
        5, token_hash="0" * 64, name="Menu", url="https://menu.example", created_at="t", updated_at="t"
    )
    live_apps = CounterItem(*CounterItem.key(apps.LIVE_APPS_COUNTER)).PK
    dynamo.answers = [{live_apps: CONFLICT}, {}]
    apps.create(app, max_apps=100)
    assert len(dynamo.calls) == 2  # another app's creation moved the count meanwhile: sent again
    dynamo.answers = [{live_apps: REFUSED}]
    with pytest.raises(apps.AppLimitReached):
        apps.create(app, max_apps=100)
