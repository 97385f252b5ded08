"""Lambda SnapStart: what runs before Lambda snapshots an initialized function, and after it
restores a copy of that snapshot (template.yaml's `SnapStart` parameter).

Every copy restored from one snapshot starts with the same memory: whatever init cached is
shared by all of them, however long ago the snapshot was taken. So modules register here what
must be redone per copy:

- after restore: the signing keys are read again (a rotation may have happened since the
  snapshot), PynamoDB's and the S3/Secrets Manager clients are made afresh on first use (their
  credentials and connections belong to the copy), `random` is reseeded, powertools' cold-start
  flags are set again (a restore is a cold start);
- before the snapshot: what init left for the first request to load (passlib, argon2) is loaded
  into the snapshot.

The hooks go to the runtime's `snapshot_restore_py` (in Lambda's python3.12+ runtimes, not on
PyPI); outside Lambda they are only kept here, and `run_before_snapshot()` / `run_after_restore()`
run them (tests). This module imports nothing from gatehouse: any layer may register.
"""

from __future__ import annotations

import importlib
import random
import sys
from collections.abc import Callable
from typing import Any

Hook = Callable[[], object]

_before_snapshot: list[Hook] = []
_after_restore: list[Hook] = []


def _load_runtime() -> Any:
    try:
        return importlib.import_module("snapshot_restore_py")
    except ImportError:  # not Lambda's runtime: the local run, tests
        return None


_runtime: Any = _load_runtime()


def before_snapshot(hook: Hook) -> Hook:
    """Run `hook` once init is done, before Lambda takes the snapshot (a decorator)."""
    _before_snapshot.append(hook)
    if _runtime is not None:
        _runtime.register_before_snapshot(hook)
    return hook


def after_restore(hook: Hook) -> Hook:
    """Run `hook` in every copy restored from the snapshot, before its first invocation (a decorator)."""
    _after_restore.append(hook)
    if _runtime is not None:
        _runtime.register_after_restore(hook)
    return hook


def before_snapshot_hooks() -> tuple[Hook, ...]:
    return tuple(_before_snapshot)


def after_restore_hooks() -> tuple[Hook, ...]:
    return tuple(_after_restore)


def run_before_snapshot() -> None:
    for hook in list(_before_snapshot):
        hook()


def run_after_restore() -> None:
    for hook in list(_after_restore):
        hook()


@after_restore
def reseed_random() -> None:
    """Copies of one snapshot would otherwise draw the same `random` numbers (jitter, sampling).
    (Tokens, ids and keys come from `secrets`/`uuid4`, i.e. os.urandom: never from the snapshot.)"""
    random.seed()


@after_restore
def reset_cold_start_flags() -> None:
    """powertools marks the first invocation after init as the cold start (logs, metrics, traces):
    after a restore the next invocation is that one again. Only modules already loaded are touched."""
    for module_name in (
        "aws_lambda_powertools.logging.logger",
        "aws_lambda_powertools.tracing.tracer",
        "aws_lambda_powertools.metrics.provider.cold_start",
        "aws_lambda_powertools.metrics.base",
    ):
        module = sys.modules.get(module_name)
        if module is not None:
            setattr(module, "is_cold_start", True)  # noqa: B010 - a module global, not an attribute mypy knows
