"""Time in one place, so services and tests agree on it."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)


def epoch_ms() -> int:
    return time.time_ns() // 1_000_000


def iso(moment: datetime) -> str:
    """ISO-8601 UTC with microseconds, as stored: 2024-01-01T12:00:00.000000Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def laravel(value: str | None) -> str | None:
    """A stored ISO timestamp as Laravel's default `Y-m-d H:i:s`."""
    return None if value is None else parse_iso(value).strftime("%Y-%m-%d %H:%M:%S")
