"""Users named by a field of a request body (a responsible person, a meta's owner)."""

from __future__ import annotations

from gatehouse.data import users
from gatehouse.data.models import UserItem
from gatehouse.errors import ValidationFailed


def existing_user(user_id: int | None, field: str) -> UserItem:
    """The referenced user, or Laravel's `exists` violation on `field`."""
    user = users.get(user_id) if user_id is not None and user_id > 0 else None
    if user is None:
        raise ValidationFailed.single(field, "exists")
    return user
