"""gatehouse_local.moto_update_expressions: moto's action-count and overlapping-path checks of an
update expression, made once at the root. Every expression is validated by moto's own traversal
and by ours, side by side: the same error (type and message) for the invalid ones, the same
item afterwards for the valid ones."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.parsing import validators
from moto.dynamodb.parsing.ast_nodes import DepthFirstTraverser, Node  # type: ignore[attr-defined]
from moto.dynamodb.parsing.expressions import UpdateExpressionParser  # type: ignore[attr-defined]

from gatehouse_local import moto_update_expressions
from tests.unit import moto_backends

Traversal = Callable[[DepthFirstTraverser, Node], Node]


@dataclass(frozen=True)
class Traversals:
    every: Traversal  # DepthFirstTraverser.traverse: every processor's
    root_first: Traversal  # the action-count and overlapping-path validators'


THEIRS = Traversals(moto_update_expressions.ORIGINAL, moto_update_expressions.ORIGINAL)
OURS = Traversals(moto_update_expressions.traverse, moto_update_expressions.traverse_root_first)

NAMES = {"#a": "a", "#b": "b", "#same": "a", "#pk": "PK", "#map": "m"}
VALUES: dict[str, dict[str, Any]] = {
    ":v": {"S": "value"},
    ":w": {"S": "other"},
    ":n": {"N": "2"},
    ":l": {"L": [{"S": "x"}]},
    ":ss": {"SS": ["x", "y"]},
    ":m": {"M": {"inner": {"S": "deep"}}},
}
STORED: dict[str, Any] = {
    "PK": {"S": "u1"},
    "SK": {"S": "1"},
    "a": {"S": "old"},
    "n": {"N": "1"},
    "l": {"L": [{"S": "p"}, {"S": "q"}, {"S": "r"}]},
    "tags": {"SS": ["x", "z"]},
    "m": {"M": {"b": {"S": "mb"}, "c": {"M": {"d": {"N": "4"}}}}},
}
VALID = [
    "SET a = :v",
    "SET #a = :v, #b = :w, n = n + :n, l = list_append(l, :l), z = if_not_exists(z, :n)",
    "SET " + ", ".join(f"attr{i} = :v" for i in range(60)),
    "SET a = :v REMOVE l[2], l[0] ADD n :n DELETE tags :ss",
    "REMOVE z SET m.b = :v, m.c.d = :n ADD tally :n",
    "SET m.c = :m, m.b = :w",
    # A placeholder path and a plain path inside it: AWS (and moto) compare only plain paths.
    "SET #map = :m, m.b = :v",
    "SET l[1] = :v, l[2] = :w",
    "SET new_map = :m",
]
INVALID = [
    "SET a = :v REMOVE b SET c = :w",
    # moto checks bottom-up: REMOVE is repeated in a shorter suffix than ADD.
    "ADD a :n REMOVE b REMOVE c ADD d :n",
    "ADD a :n, b :n ADD c :n",
    "DELETE tags :ss SET a = :v DELETE tags :ss",
    "SET a = :v, a = :w",
    "SET #a = :v, #same = :w",
    "SET #a = :v, a = :w",
    "SET m.b = :v, m = :m",
    # The first overlapping pair of the whole list is (m.b, m); of the shortest failing suffix, (c, c.d).
    "SET m.b = :v, c = :w, m = :m, c.d = :n",
    "SET x.y.z = :v, q = :w, x.y = :m, q.r = :n, x = :m",
    "REMOVE l[1], l[1]",
    "SET " + ", ".join(f"attr{i} = :v" for i in range(40)) + ", attr7 = :w",
    "SET #pk = :v",
    "SET SK = :v",
    "SET a = :undefined",
    "SET #undefined = :v",
    "SET #undefined = :v, #a = :v, #a = :w",
    "SET a = :v, b = :w, a = :n REMOVE c REMOVE d",
    "SET n = n + :v",
]


@contextmanager
def _traversal(traversals: Traversals) -> Iterator[None]:
    """moto traverses with `traversals` meanwhile (this process's moto may have ours installed)."""
    saved = {
        owner: owner.__dict__.get("traverse")
        for owner in (DepthFirstTraverser, *moto_update_expressions.ROOT_FIRST)
    }
    DepthFirstTraverser.traverse = traversals.every
    for validator in moto_update_expressions.ROOT_FIRST:
        validator.traverse = traversals.root_first
    try:
        yield
    finally:
        for owner, method in saved.items():
            if method is None:
                del owner.traverse
            else:
                owner.traverse = method


def _backend() -> DynamoDBBackend:
    backend = moto_backends.with_tables()
    backend.put_item("t", copy.deepcopy(STORED))
    return backend


def _outcome(error: Exception) -> tuple[str, str]:
    return type(error).__name__, str(getattr(error, "message", None) or repr(error))


def _update(traversals: Traversals, expression: str, key: dict[str, Any]) -> tuple[tuple[str, str], Any]:
    """Update `key` (an existing item or a new one) with `expression`: the outcome and the table."""
    backend = _backend()
    with _traversal(traversals):
        try:
            backend.update_item(
                "t",
                copy.deepcopy(key),
                update_expression=expression,
                expression_attribute_names=dict(NAMES),
                expression_attribute_values=copy.deepcopy(VALUES),
            )
        except Exception as error:
            outcome = _outcome(error)
        else:
            outcome = ("updated", "")
    table = backend.get_table("t")
    items = sorted(json.dumps(item.to_json(), sort_keys=True) for item in table.all_items())
    stream = [record.record["dynamodb"].get("NewImage") for record in table.stream_shard.items]  # type: ignore[union-attr]
    return outcome, (items, stream)


EXISTING = {"PK": {"S": "u1"}, "SK": {"S": "1"}}
NEW = {"PK": {"S": "u2"}, "SK": {"S": "1"}}


@pytest.mark.parametrize("expression", VALID)
def test_a_valid_expression_updates_the_item_as_moto_does(expression: str) -> None:
    theirs = _update(THEIRS, expression, EXISTING)
    ours = _update(OURS, expression, EXISTING)
    assert ours == theirs
    assert ours[0] == ("updated", "")


@pytest.mark.parametrize("expression", INVALID)
def test_an_invalid_expression_fails_as_moto_fails(expression: str) -> None:
    theirs = _update(THEIRS, expression, EXISTING)
    ours = _update(OURS, expression, EXISTING)
    assert ours == theirs
    assert ours[0][0] != "updated"


@pytest.mark.parametrize("expression", VALID + INVALID)
def test_a_new_item_is_validated_and_written_as_moto_does(expression: str) -> None:
    """moto validates an update of a missing item before it creates it, then again."""
    assert _update(OURS, expression, NEW) == _update(THEIRS, expression, NEW)


def _check_with(traversal: Traversal, validator: DepthFirstTraverser, tree: Node) -> tuple[str, str]:
    try:
        traversal(validator, tree)
    except Exception as error:
        return _outcome(error)
    return "passed", ""


@pytest.mark.parametrize("expression", VALID + INVALID)
def test_each_root_first_check_says_what_moto_s_says(expression: str) -> None:
    """The two checks alone, on the tree as parsed: what the update reports may come from a later check."""
    for make_validator in (
        validators.ActionCountValidator,
        lambda: validators.OverlappingPathsValidator(dict(NAMES)),
    ):
        tree = UpdateExpressionParser.make(expression)
        expected = _check_with(THEIRS.root_first, make_validator(), copy.deepcopy(tree))
        assert _check_with(OURS.root_first, make_validator(), tree) == expected


def _processed(traversals: Traversals, expression: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Which processor processed which node, in order, while moto validates `expression`."""
    seen: list[str] = []
    process = DepthFirstTraverser.process

    def recorded(self: DepthFirstTraverser, node: Node) -> Node:
        seen.append(f"{type(self).__name__}: {type(node).__name__}")
        return process(self, node)

    with monkeypatch.context() as patched:
        patched.setattr(DepthFirstTraverser, "process", recorded)
        outcome, _ = _update(traversals, expression, EXISTING)
    return [*seen, str(outcome)]


@pytest.mark.parametrize("expression", VALID)
def test_every_other_processor_sees_the_nodes_moto_s_traversal_gives_it(
    expression: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    root_first = {validator.__name__ for validator in moto_update_expressions.ROOT_FIRST}

    def others(traversals: Traversals) -> list[str]:
        return [
            line
            for line in _processed(traversals, expression, monkeypatch)
            if line.split(":")[0] not in root_first
        ]

    theirs = others(THEIRS)
    assert others(OURS) == theirs
    assert any(line.startswith("ExecuteOperations: ") for line in theirs)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        (
            "ADD a :n REMOVE b REMOVE c ADD d :n",
            'The "REMOVE" section can only be used once in an update expression;',
        ),
        (
            "SET m.b = :v, c = :w, m = :m, c.d = :n",
            "Two document paths overlap with each other; must remove or rewrite one of these paths; "
            "path one: [c], path two: [c, d]",
        ),
        ("SET #a = :v, #same = :w", "path one: [a], path two: [a]"),
        ("SET a = :v, b = :w, a = :n REMOVE c REMOVE d", 'The "REMOVE" section can only be used once'),
    ],
)
def test_the_error_is_the_one_moto_finds_first_bottom_up(expression: str, message: str) -> None:
    outcome, _ = _update(OURS, expression, EXISTING)
    assert outcome[0] in {"TooManyClauses", "DuplicateUpdateExpression"}
    assert message in outcome[1]


def test_a_valid_expression_is_checked_once_per_validator(monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[str] = []
    for validator, method in (
        (validators.ActionCountValidator, "verify_action_counts"),
        (validators.OverlappingPathsValidator, "check_for_overlapping_paths"),
    ):
        original = getattr(validator, method)

        def counted(self: Any, node: Any, original: Any = original, method: str = method) -> Any:
            checked.append(method)
            return original(self, node)

        monkeypatch.setattr(validator, method, counted)
    expression = "SET " + ", ".join(f"attr{i} = :v" for i in range(30))
    assert _update(OURS, expression, EXISTING)[0] == ("updated", "")
    assert checked == ["verify_action_counts", "check_for_overlapping_paths"]
    checked.clear()
    assert _update(THEIRS, expression, EXISTING)[0] == ("updated", "")
    # moto's: once for every UpdateExpression node (clause, action list, action, path, value).
    assert len(checked) > 100


def test_the_installed_moto_is_the_reviewed_one() -> None:
    assert moto_update_expressions.changes() == []


def _install_keeps_moto_s_traversals() -> None:
    with _traversal(THEIRS):
        assert moto_update_expressions.install() is False
        for validator in moto_update_expressions.ROOT_FIRST:
            assert validator.traverse is moto_update_expressions.ORIGINAL
        assert DepthFirstTraverser.traverse is moto_update_expressions.ORIGINAL


def test_a_changed_moto_module_keeps_moto_s_traversals(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(moto_update_expressions.REVIEWED, "moto.dynamodb.parsing.validators", "0" * 64)
    assert moto_update_expressions.changes() == ["moto.dynamodb.parsing.validators"]
    _install_keeps_moto_s_traversals()


def test_another_moto_version_keeps_moto_s_traversals(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(moto_update_expressions, "MOTO_VERSION", "0.0.0")
    assert moto_update_expressions.changes() == ["moto 5.2.5 (reviewed: 0.0.0)"]
    _install_keeps_moto_s_traversals()
