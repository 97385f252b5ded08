"""Time in one place, so services and tests agree on it."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

# What `iso` writes (digits in every place; the date and time still have to be valid).
_STORED = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")


def now() -> datetime:
    return datetime.now(UTC)


def epoch_ms() -> int:
    return time.time_ns() // 1_000_000


def iso(moment: datetime) -> str:
    """ISO-8601 UTC with microseconds, as stored: 2024-01-01T12:00:00.000000Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(value: str) -> datetime:
    if _STORED.fullmatch(value):  # the shape `iso` writes: read without strptime's per-call work
        return datetime.fromisoformat(value[:-1]).replace(tzinfo=UTC)
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def laravel(value: str | None) -> str | None:
    """A stored ISO timestamp as Laravel's default `Y-m-d H:i:s`."""
    if value is None:
        return None
    parsed = parse_iso(value)  # checks the value is a real moment
    return (
        f"{value[:10]} {value[11:19]}" if _STORED.fullmatch(value) else parsed.strftime("%Y-%m-%d %H:%M:%S")
    )
