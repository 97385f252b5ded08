"""Request counters per client and window: one conditional UpdateItem per request."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError
from pynamodb.constants import UPDATE_ITEM, UPDATED_NEW

from gatehouse.data.models import RateLimitItem, call

# Counters outlive their window a little, so a late request never restarts a finished one.
_KEEP_AFTER_WINDOW_SECONDS = 60
_PK, _SK = RateLimitItem.PK.attr_name, RateLimitItem.SK.attr_name
_HITS = RateLimitItem.hits.attr_name
_ENTITY_VALUE = RateLimitItem.entity.get_discriminator(RateLimitItem)
# Written once rather than built by PynamoDB's expression classes on every request (their
# placeholders and serialisation were a sixth of a warm `/me`). The update adds the hit, marks
# the item's entity and (re)sets its expiry; the condition refuses a count at the limit.
_UPDATE = {
    "UpdateExpression": "SET #entity = :entity, #expires = :expires ADD #hits :one",
    "ConditionExpression": "attribute_not_exists(#hits) OR #hits < :limit",
    "ExpressionAttributeNames": {
        "#entity": RateLimitItem.entity.attr_name,
        "#expires": RateLimitItem.expires_at.attr_name,
        "#hits": _HITS,
    },
    "ReturnValues": UPDATED_NEW,
}


def count_hit(client: str, window: int, window_ends_at: int, limit: int) -> int | None:
    """Add this request to the client's count for `window` and return the new count, or None
    (and add nothing) when the count has already reached `limit`.

    Through the table's PynamoDB connection rather than `Model.update`: the answer carries
    only the updated attributes (`UPDATED_NEW`) and only the count is read from it, where
    `Model.update` asks for the whole item and builds a model of it on every request.
    """
    pk, sk = RateLimitItem.key(client, window)
    table = RateLimitItem._get_connection()  # PynamoDB's own connection of the table
    request: dict[str, Any] = {
        **_UPDATE,
        "TableName": table.table_name,
        "Key": {_PK: {"S": pk}, _SK: {"S": sk}},
        "ExpressionAttributeValues": {
            ":entity": {"S": _ENTITY_VALUE},
            ":expires": {"N": str(window_ends_at + _KEEP_AFTER_WINDOW_SECONDS)},
            ":one": {"N": "1"},
            ":limit": {"N": str(limit)},
        },
    }
    try:
        answer = call(UPDATE_ITEM, request)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return None
        raise
    return int(answer["Attributes"][_HITS]["N"])
