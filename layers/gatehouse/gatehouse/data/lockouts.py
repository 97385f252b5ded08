"""Failure counters for brute-force lockouts: one BatchGetItem to read an account's two
counters, one conditional UpdateItem per counter to count a failure."""

from __future__ import annotations

from collections.abc import Sequence

from pynamodb.exceptions import PutError, UpdateError

from gatehouse.data.models import Item, LockoutItem

Key = tuple[str, str]


def read(keys: Sequence[Key]) -> dict[Key, LockoutItem]:
    """The counters that exist among `keys`, in one BatchGetItem (expired ones included)."""
    found: dict[Key, LockoutItem] = {}
    for item in Item.batch_get(list(keys)):
        if isinstance(item, LockoutItem):
            found[(item.PK, item.SK)] = item
    return found


def add_failure(key: Key, now: int, keep_seconds: int) -> int:
    """Count one failure at `now` and return the counter's new value.

    One UpdateItem (ADD, conditional on the counter being live); only a counter whose window
    has passed but which DynamoDB's TTL has not removed yet costs a second write, which
    restarts it at 1 (conditional too, so concurrent restarts count once each)."""
    counter = LockoutItem(*key)
    try:
        counter.update(
            actions=[
                LockoutItem.failures.add(1),
                LockoutItem.last_failure_at.set(now),
                LockoutItem.entity.set(LockoutItem),
                LockoutItem.expires_at.set(now + keep_seconds),
            ],
            condition=LockoutItem.PK.does_not_exist() | (LockoutItem.expires_at > now),
        )
        return counter.failures
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
    restarted = LockoutItem(*key, failures=1, last_failure_at=now, expires_at=now + keep_seconds)
    try:
        restarted.save(condition=LockoutItem.expires_at <= now)
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return add_failure(key, now, keep_seconds)  # someone restarted it first: count on theirs
    return 1


def clear(keys: Sequence[Key]) -> None:
    for key in keys:
        LockoutItem(*key).delete()
