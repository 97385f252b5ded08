"""Fixed-window request limits per client (Laravel's `throttle:60,1`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from gatehouse import clock
from gatehouse.data import rate_limits

WINDOW_SECONDS = 60
_logger = logging.getLogger("gatehouse.rate_limits")


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int


def hit(client: str, limit: int) -> Verdict:
    """Count one request of `client` against `limit` per window.

    A counter that cannot be written (throttled table, network) lets the request through:
    the limit protects the service, it must not become the reason it fails.
    """
    now = clock.epoch_ms() // 1000
    window = now // WINDOW_SECONDS
    window_ends_at = (window + 1) * WINDOW_SECONDS
    try:
        count = rate_limits.count_hit(client, window, window_ends_at, limit)
    except Exception:
        _logger.warning("rate limit not counted", exc_info=True)
        return Verdict(allowed=True, limit=limit, remaining=limit, retry_after=0)
    if count is None:
        return Verdict(allowed=False, limit=limit, remaining=0, retry_after=window_ends_at - now)
    return Verdict(allowed=True, limit=limit, remaining=max(limit - count, 0), retry_after=0)
