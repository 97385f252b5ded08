"""The whole directory as plain records (operator tooling: `gatehouse export`), page by page.

Secrets are left out: no password hash unless asked for (a migration out), never a session,
token or the revocation instant.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gatehouse.data import users
from gatehouse.data.models import UserItem

PAGE = 500
_NEVER = frozenset({"PK", "SK", "entity", "sessions_valid_after_ms", "password_hash"})
# Read through the user's SEEN item (`users.with_seen`), exported under their own names.
_SEEN = {"stored_last_login_at": "last_login_at", "stored_last_activity_at": "last_activity_at"}


def user_record(user: UserItem, *, with_hash: bool = False) -> dict[str, Any]:
    values = {name: value for name, value in user.attribute_values.items() if name not in _SEEN}
    for name in _SEEN.values():
        if getattr(user, name) is not None:
            values[name] = getattr(user, name)
    record: dict[str, Any] = {
        name: value
        for name, value in sorted(values.items())
        if name not in _NEVER and not name.startswith("GSI")
    }
    if with_hash and user.password_hash and not user.needs_password_reset:
        record["password_hash"] = user.password_hash
    return record


def all_users(*, with_hashes: bool = False) -> Iterator[dict[str, Any]]:
    """Every user in id order: one Query per page on the users index (and a BatchGetItem per
    hundred users for their SEEN timestamps)."""
    after: int | None = None
    while True:
        found, after = users.page(PAGE, after)
        users.with_seen(found)
        for user in found:
            yield user_record(user, with_hash=with_hashes)
        if after is None:
            return
