"""SnapStart: the stack parameter, the alias events invoke, and the hooks a restored copy runs."""

from __future__ import annotations

import random
import sys
import tomllib
from collections.abc import Iterator
from typing import Any

import pytest

from gatehouse import snapstart
from gatehouse.data import models
from gatehouse.security import passwords, signing_key
from gatehouse.services import userpics
from gatehouse_local.template import REPO_ROOT, load_template

TEMPLATE = load_template()


def test_snapstart_is_a_parameter_off_by_default_on_for_prod() -> None:
    parameter = TEMPLATE["Parameters"]["SnapStart"]
    assert parameter["Default"] == "Disabled"
    assert parameter["AllowedValues"] == ["Enabled", "Disabled"]
    assert TEMPLATE["Conditions"]["SnapStartEnabled"] == {"Fn::Equals": [{"Ref": "SnapStart"}, "Enabled"]}
    config = tomllib.loads((REPO_ROOT / "samconfig.toml").read_text())
    overrides = {
        env: config[env]["deploy"]["parameters"]["parameter_overrides"]
        for env in ("default", "staging", "prod")
    }
    assert 'SnapStart="Enabled"' in overrides["prod"]
    assert "SnapStart" not in overrides["default"] + overrides["staging"]


def test_every_function_publishes_versions_behind_an_alias_that_its_callers_invoke() -> None:
    function_globals = TEMPLATE["Globals"]["Function"]
    assert function_globals["Runtime"] == "python3.13"  # SnapStart for Python needs 3.12+
    assert function_globals["SnapStart"] == {
        "ApplyOn": {"Fn::If": ["SnapStartEnabled", "PublishedVersions", "None"]}
    }
    # SAM points the API and stream events at the alias; what the template wires itself does too.
    assert function_globals["AutoPublishAlias"] == "live"
    resources = TEMPLATE["Resources"]
    alias = {"Ref": "SigningKeyRotationFunction.Alias"}
    assert resources["SigningKeyRotationSchedule"]["Properties"]["RotationLambdaARN"] == alias
    assert resources["SigningKeyRotationPermission"]["Properties"]["FunctionName"] == alias


class CountingSource:
    def __init__(self) -> None:
        self.reads = 0

    def read(self) -> str:
        self.reads += 1
        return "r" * 64

    def write(self, secret: str) -> None:
        raise AssertionError("not written")


@pytest.fixture
def counting_source() -> Iterator[CountingSource]:
    previous = signing_key._cache.source
    source = CountingSource()
    signing_key.use_source(source)
    yield source
    signing_key.use_source(previous)


def test_a_restored_copy_reads_the_signing_key_again(counting_source: CountingSource) -> None:
    signing_key.key_ring()
    signing_key.key_ring()
    assert counting_source.reads == 1
    snapstart.run_after_restore()
    assert signing_key._cache.ring is None
    signing_key.key_ring()
    assert counting_source.reads == 2


def test_a_restored_copy_makes_its_own_aws_clients() -> None:
    stale = object()
    models.connection._client = stale  # type: ignore[assignment]
    models.UserItem._connection = stale  # type: ignore[assignment]
    userpics._s3.cache_clear()
    userpics._s3()
    assert userpics._s3.cache_info().currsize == 1
    snapstart.run_after_restore()
    assert models.connection._client is None
    assert models.UserItem._connection is None
    assert userpics._s3.cache_info().currsize == 0


def test_a_restored_copy_reseeds_random_and_counts_its_next_invocation_as_a_cold_start() -> None:
    import aws_lambda_powertools.logging.logger as powertools_logger
    import aws_lambda_powertools.metrics.provider.cold_start as powertools_metrics

    powertools_logger.is_cold_start = False
    powertools_metrics.is_cold_start = False
    random.seed(7)
    state = random.getstate()
    snapstart.run_after_restore()
    assert random.getstate() != state
    assert powertools_logger.is_cold_start is True
    assert powertools_metrics.is_cold_start is True


def test_the_snapshot_holds_the_password_hashing_libraries() -> None:
    passwords._context.cache_clear()
    snapstart.run_before_snapshot()
    assert passwords._context.cache_info().currsize == 1
    assert "passlib.context" in sys.modules


def test_the_hooks_go_to_the_lambda_runtime_when_it_has_snapshot_restore_py(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registered: list[tuple[str, Any]] = []

    class Runtime:
        @staticmethod
        def register_before_snapshot(hook: Any) -> None:
            registered.append(("before", hook))

        @staticmethod
        def register_after_restore(hook: Any) -> None:
            registered.append(("after", hook))

    monkeypatch.setattr(snapstart, "_runtime", Runtime)
    monkeypatch.setattr(snapstart, "_before_snapshot", [])
    monkeypatch.setattr(snapstart, "_after_restore", [])

    def hook() -> None: ...

    assert snapstart.before_snapshot(hook) is hook
    assert snapstart.after_restore(hook) is hook
    assert registered == [("before", hook), ("after", hook)]
    assert snapstart.before_snapshot_hooks() == (hook,)
    assert snapstart.after_restore_hooks() == (hook,)


def test_outside_lambda_there_is_no_runtime_to_register_with() -> None:
    assert snapstart._runtime is None
    names = {hook.__name__ for hook in snapstart.after_restore_hooks()}
    assert {"forget_keys", "new_connections", "reseed_random", "reset_cold_start_flags"} <= names
