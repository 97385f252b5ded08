"""Surface A's 24-hex-digit ids in one place: its ObjectId-style record ids, and users' integer
ids written in that form (user 1 is `000000000000000000000001`)."""

from __future__ import annotations

import os
import time

LENGTH = 24


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
