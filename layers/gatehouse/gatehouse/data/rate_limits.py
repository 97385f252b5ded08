"""Request counters per client and window: one conditional UpdateItem per request."""

from __future__ import annotations

from pynamodb.exceptions import UpdateError

from gatehouse.data.models import RateLimitItem

# Counters outlive their window a little, so a late request never restarts a finished one.
_KEEP_AFTER_WINDOW_SECONDS = 60


def count_hit(client: str, window: int, window_ends_at: int, limit: int) -> int | None:
    """Add this request to the client's count for `window` and return the new count, or None
    (and add nothing) when the count has already reached `limit`."""
    counter = RateLimitItem(*RateLimitItem.key(client, window))
    try:
        counter.update(
            actions=[
                RateLimitItem.hits.add(1),
                RateLimitItem.entity.set(RateLimitItem),
                RateLimitItem.expires_at.set(window_ends_at + _KEEP_AFTER_WINDOW_SECONDS),
            ],
            condition=RateLimitItem.hits.does_not_exist() | (RateLimitItem.hits < limit),
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return None
        raise
    return counter.hits
