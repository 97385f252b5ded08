"""The local run's data across restarts: its moto store, snapshotted to ``.local/store.json``.

Like DynamoDB Local's default, what the local run stored is there again after a restart (the
signing key in ``.local/jwt-secret`` already is, so old tokens keep working). The snapshot is
taken through the AWS APIs, not from moto's internals: every item of the table (a consistent
Scan) and every object of the buckets, as JSON (DynamoDB's typed attribute values; bodies in
base64). A snapshot is written atomically (a temporary file, then a rename), every
``interval_s`` when the moto process counted a change, and when the run stops. It is reloaded
with ``BatchWriteItem`` and ``PutObject`` into the freshly created table and buckets.

``python -m gatehouse_local.persistence reset`` (``make reset-local``) removes the snapshot.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gatehouse_local import periodic
from gatehouse_local.embedded_aws import EmbeddedAws, MotoAws
from gatehouse_local.environment import DEFAULT_STATE_DIR

SNAPSHOT_FILE = "store.json"
SNAPSHOT_FORMAT = "gatehouse-local-store/1"
DEFAULT_INTERVAL_S = 30.0
# The object properties a snapshot keeps besides the body (what the userpic upload sets, and kin).
OBJECT_PROPERTIES = ("ContentType", "CacheControl", "ContentDisposition", "ContentEncoding", "Metadata")
# At exit, a dump the store changed under (the admin CLI still writing) is taken again, this many times.
_FINAL_DUMP_ATTEMPTS = 3
_BATCH_WRITE_LIMIT = 25


class SnapshotError(ValueError):
    """The snapshot file cannot be read or loaded."""


def snapshot_path(state: Path) -> Path:
    return state / SNAPSHOT_FILE


@dataclass(frozen=True)
class StoredResources:
    """What the local run keeps: its table and its buckets, by name."""

    table_name: str
    bucket_names: tuple[str, ...]


# DynamoDB's binary types come from boto3 as bytes, which JSON cannot hold: base64 in the file.
def _encode_value(value: Mapping[str, Any]) -> dict[str, Any]:
    ((kind, content),) = value.items()
    if kind == "B":
        return {"B": base64.b64encode(content).decode("ascii")}
    if kind == "BS":
        return {"BS": [base64.b64encode(item).decode("ascii") for item in content]}
    if kind == "M":
        return {"M": {name: _encode_value(item) for name, item in content.items()}}
    if kind == "L":
        return {"L": [_encode_value(item) for item in content]}
    return {kind: content}


def _decode_value(value: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(value, Mapping) or len(value) != 1:
        raise SnapshotError(f"not a DynamoDB attribute value: {value!r}")
    ((kind, content),) = value.items()
    if kind == "B":
        return {"B": base64.b64decode(content, validate=True)}
    if kind == "BS":
        return {"BS": [base64.b64decode(item, validate=True) for item in content]}
    if kind == "M":
        return {"M": {name: _decode_value(item) for name, item in content.items()}}
    if kind == "L":
        return {"L": [_decode_value(item) for item in content]}
    return {kind: content}


def dump(aws: MotoAws, resources: StoredResources) -> dict[str, Any]:
    """Every item of the table and every object of the buckets, as the snapshot file holds them."""
    items: list[dict[str, Any]] = []
    for page in aws.client("dynamodb").get_paginator("scan").paginate(TableName=resources.table_name):
        items.extend({name: _encode_value(value) for name, value in item.items()} for item in page["Items"])
    s3 = aws.client("s3")
    buckets: dict[str, list[dict[str, Any]]] = {}
    for bucket in resources.bucket_names:
        objects: list[dict[str, Any]] = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for listed in page.get("Contents") or []:
                stored = s3.get_object(Bucket=bucket, Key=listed["Key"])
                entry: dict[str, Any] = {
                    "Key": listed["Key"],
                    "Body": base64.b64encode(stored["Body"].read()).decode("ascii"),
                }
                entry.update({name: stored[name] for name in OBJECT_PROPERTIES if stored.get(name)})
                objects.append(entry)
        buckets[bucket] = objects
    return {
        "format": SNAPSHOT_FORMAT,
        "taken_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "table": {"name": resources.table_name, "items": items},
        "buckets": buckets,
    }


def load(aws: MotoAws, resources: StoredResources, snapshot: Mapping[str, Any]) -> list[str]:
    """Put a snapshot's items and objects into the (empty) table and buckets; warnings as they come.

    Raises ``SnapshotError`` when the snapshot is not one this module wrote.
    """
    if snapshot.get("format") != SNAPSHOT_FORMAT:
        raise SnapshotError(f"format {snapshot.get('format')!r}, expected {SNAPSHOT_FORMAT!r}")
    table = snapshot.get("table")
    buckets = snapshot.get("buckets")
    if not isinstance(table, Mapping) or not isinstance(table.get("items"), list):
        raise SnapshotError("no table items")
    if not isinstance(buckets, Mapping):
        raise SnapshotError("no buckets")
    items = [{name: _decode_value(value) for name, value in item.items()} for item in table["items"]]
    warnings: list[str] = []
    unknown = sorted(set(buckets) - set(resources.bucket_names))
    if unknown:
        warnings.append(f"buckets no longer in the template, not restored: {', '.join(unknown)}")
    dynamodb = aws.client("dynamodb")
    for start in range(0, len(items), _BATCH_WRITE_LIMIT):
        requests = [{"PutRequest": {"Item": item}} for item in items[start : start + _BATCH_WRITE_LIMIT]]
        pending: dict[str, Any] = {resources.table_name: requests}
        while pending:
            pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    s3 = aws.client("s3")
    for bucket in resources.bucket_names:
        for entry in buckets.get(bucket) or []:
            properties = {name: entry[name] for name in OBJECT_PROPERTIES if name in entry}
            body = base64.b64decode(entry["Body"], validate=True)
            s3.put_object(Bucket=bucket, Key=entry["Key"], Body=body, **properties)
    return warnings


def read_snapshot(path: Path) -> dict[str, Any] | None:
    """The snapshot at ``path``; None when there is none. ``SnapshotError`` when it is unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise SnapshotError(str(error)) from error
    try:
        snapshot = json.loads(text)
    except json.JSONDecodeError as error:
        raise SnapshotError(f"not JSON: {error}") from error
    if not isinstance(snapshot, dict):
        raise SnapshotError("not a JSON object")
    return snapshot


def write_snapshot(path: Path, snapshot: Mapping[str, Any]) -> None:
    """Write ``snapshot`` so that ``path`` always holds a whole one: a temporary file, then a rename."""
    temporary = path.with_name(f"{path.name}.tmp")
    # Owner-only: the items hold password hashes and tokens' records.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(snapshot, handle, separators=(",", ":"))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def set_aside(path: Path) -> Path:
    """Move an unusable snapshot out of the way, kept for a look: ``store.json.unreadable-<time>``."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.unreadable-{stamp}")
    os.replace(path, aside)
    return aside


def _say(message: str) -> None:
    print(message, flush=True)


def _warn(message: str) -> None:
    print(f"WARNING: {message}", file=sys.stderr, flush=True)


class StoreKeeper:
    """Restores the store from its snapshot at start; saves it periodically and at the end."""

    def __init__(
        self,
        aws: EmbeddedAws,
        resources: StoredResources,
        path: Path,
        *,
        interval_s: float = DEFAULT_INTERVAL_S,
        report: Callable[[str], None] = _say,
        warn: Callable[[str], None] = _warn,
    ) -> None:
        self.aws = aws
        self.resources = resources
        self.path = path
        self.interval_s = interval_s
        self.report = report
        self.warn = warn
        self._saved_changes: int | None = None
        self._lock = threading.Lock()

    def restore(self) -> None:
        """Load the snapshot, if any; an unusable one is set aside and the run starts empty."""
        try:
            snapshot = read_snapshot(self.path)
            if snapshot is None:
                self.report(f"No data snapshot at {self.path}: starting empty.")
            else:
                for warning in load(self.aws, self.resources, snapshot):
                    self.warn(f"{self.path}: {warning}")
                items = len(snapshot["table"]["items"])
                objects = sum(len(entries) for entries in snapshot["buckets"].values())
                taken = snapshot.get("taken_at", "an unknown time")
                self.report(f"Restored {items} items and {objects} objects from {self.path} ({taken}).")
        except Exception as error:  # any unusable snapshot: never a reason not to start
            try:
                kept = f"it is kept as {set_aside(self.path)}"
            except OSError as move_error:
                kept = f"it could not be moved aside ({move_error}) and will be overwritten"
            self.warn(
                f"the data snapshot {self.path} cannot be used ({type(error).__name__}: {error}); "
                f"{kept}, and the local run starts empty."
            )
            self.aws.reset()
        self._saved_changes = self.aws.changes()

    def save_if_changed(self, *, final: bool = False) -> bool:
        """Write a snapshot if the store changed since the last one; True when one was written.

        A dump during which the store changed may mix states (half a transaction): a periodic
        one is dropped (the next round tries again, without scanning a busy store back to back);
        the final one, with nothing serving any more, is taken again and written in the end.
        """
        attempts = _FINAL_DUMP_ATTEMPTS if final else 1
        with self._lock:
            for attempt in range(1, attempts + 1):
                before = self.aws.changes()
                if before == self._saved_changes:
                    return False
                snapshot = dump(self.aws, self.resources)
                if self.aws.changes() == before or (final and attempt == attempts):
                    write_snapshot(self.path, snapshot)
                    self._saved_changes = before
                    return True
            return False

    def saving_periodically(self) -> AbstractContextManager[None]:
        def failed(error: Exception) -> None:  # the next round (or the last) retries
            self.warn(f"data snapshot not saved: {type(error).__name__}: {error}")

        return periodic.repeating(
            self.save_if_changed, self.interval_s, name="store-snapshot", on_error=failed, join_timeout_s=60
        )


def running_pid(state: Path) -> int | None:
    """The pid of the local run using ``state``, if one is up (its ``endpoint.json``)."""
    try:
        pid = int(json.loads((state / "endpoint.json").read_text(encoding="utf-8"))["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def reset(state: Path) -> list[Path]:
    """Remove the snapshot (and a temporary one left by a kill): the next local run starts empty.

    Raises ``SnapshotError`` while a local run is up: it would write its data back when it stops.
    """
    pid = running_pid(state)
    if pid is not None:
        raise SnapshotError(f"a local run (pid {pid}) uses {state}: stop it first, it saves its data on exit")
    path = snapshot_path(state)
    removed: list[Path] = []
    for candidate in (path, path.with_name(f"{path.name}.tmp")):
        with suppress(FileNotFoundError):
            candidate.unlink()
            removed.append(candidate)
    return removed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gatehouse_local.persistence")
    parser.add_argument("command", choices=["reset"], help="reset: the next local run starts empty")
    parser.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR, help="default: .local/")
    arguments = parser.parse_args(argv)
    try:
        removed = reset(arguments.state_dir)
    except SnapshotError as error:
        print(f"gatehouse_local: {error}", file=sys.stderr)
        return 1
    if removed:
        print("Removed " + ", ".join(str(path) for path in removed) + ": the next local run starts empty.")
    else:
        print(f"No data snapshot in {arguments.state_dir}: the next local run starts empty.")
    print("Kept: the signing key (jwt-secret), the outbox and moto_server.log.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
