"""Surface A's 24-hex-digit ids in one place: its ObjectId-style record ids, and users' integer
ids written in that form (user 1 is `000000000000000000000001`).

A user imported from A keeps its MongoDB `_id` (`UserItem.a_object_id`): A shows and accepts
that one, found through the user's unique claim `KEPT_ID_CLAIM` (one GetItem). The two forms
cannot meet: the hex of one of our integer ids starts with 8 zeros (ids below 2**64), and an
ObjectId starts with its creation time in seconds (never 0)."""

from __future__ import annotations

import os
import time

LENGTH = 24
# The unique claim `UNIQUE#a_id#{_id}` → the user who kept that `_id`.
KEPT_ID_CLAIM = "a_id"
_NATIVE_PREFIX = "0" * 8


def new_object_id() -> str:
    """A MongoDB-style ObjectId: 4 bytes of epoch seconds, big-endian, then 8 random bytes.

    Hex strings of equal length sort like their bytes, so sort keys holding them are in creation order.
    """
    return (int(time.time()).to_bytes(4, "big") + os.urandom(8)).hex()


def is_object_id(value: str) -> bool:
    return len(value) == LENGTH and all(c in "0123456789abcdef" for c in value)


def user_object_id(user_id: int) -> str:
    """A shows a user's integer id as 24 zero-padded hex digits (user 1 is 000…001)."""
    return f"{user_id:0{LENGTH}x}"


def normalized(value: str) -> str | None:
    """`value` as 24 lower-case hex digits, or None when it is not 24 hex digits (any case)."""
    lowered = value.lower()
    return lowered if is_object_id(lowered) else None


def is_kept_object_id(value: str) -> bool:
    """A (normalized) `_id` from elsewhere, not the hex of one of our integer ids."""
    return not value.startswith(_NATIVE_PREFIX)
