"""Request counters per client and window: one conditional UpdateItem per request."""

from __future__ import annotations

from pynamodb.constants import UPDATED_NEW
from pynamodb.exceptions import UpdateError

from gatehouse.data.models import RateLimitItem

# Counters outlive their window a little, so a late request never restarts a finished one.
_KEEP_AFTER_WINDOW_SECONDS = 60
_ADD_HIT = RateLimitItem.hits.add(1)
_SET_ENTITY = RateLimitItem.entity.set(RateLimitItem)
_HITS = RateLimitItem.hits.attr_name


def count_hit(client: str, window: int, window_ends_at: int, limit: int) -> int | None:
    """Add this request to the client's count for `window` and return the new count, or None
    (and add nothing) when the count has already reached `limit`.

    Through the table's PynamoDB connection rather than `Model.update`: the answer carries
    only the updated attributes (`UPDATED_NEW`) and only the count is read from it, where
    `Model.update` asks for the whole item and builds a model of it on every request.
    """
    pk, sk = RateLimitItem.key(client, window)
    try:
        answer = RateLimitItem._get_connection().update_item(  # PynamoDB's own connection of the table
            pk,
            range_key=sk,
            actions=[
                _ADD_HIT,
                _SET_ENTITY,
                RateLimitItem.expires_at.set(window_ends_at + _KEEP_AFTER_WINDOW_SECONDS),
            ],
            condition=RateLimitItem.hits.does_not_exist() | (RateLimitItem.hits < limit),
            return_values=UPDATED_NEW,
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return None
        raise
    return int(answer["Attributes"][_HITS]["N"])
