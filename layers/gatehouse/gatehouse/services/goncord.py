"""Goncord's user rules: the profile update a super app makes (names, birthday, app roles,
per-app payloads) and the signed-in user's password change."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from gatehouse.clock import iso, now
from gatehouse.data import apps as app_store
from gatehouse.data import users
from gatehouse.data.models import SessionItem, UserItem
from gatehouse.errors import Conflict, InvalidCredentials, MalformedRequest, NotFound, ValidationFailed
from gatehouse.security.passwords import verify_password
from gatehouse.services import accounts
from gatehouse.services import apps as app_service
from gatehouse.validation import required, validate

MAX_APPS_PER_UPDATE = 20
# Each app's payload and all of a user's payloads together, as JSON (the item limit is 400 KB).
MAX_PAYLOAD_BYTES = 8 * 1024
MAX_ALL_PAYLOADS_BYTES = 64 * 1024
# Optimistic writes of the payload map: re-read and retry when a concurrent update won.
UPDATE_ATTEMPTS = 3
PROFILE_FIELDS = ("first_name", "last_name", "middle_name", "birthday")
# Ecto's `validate_length(:password, min: 6)`; the 72-byte cap is bcrypt's (and every surface's).
NEW_PASSWORD = {"new_password": required("password", min=6)}


class PasswordNotChanged(InvalidCredentials):
    """A refused password change: a wrong current password or a new one the rules refuse
    (the original answered both the same way)."""


def app_payloads(value: Any) -> dict[str, dict[str, Any] | None]:
    """`apps`: app url → that user's JSON object for the app (null removes it)."""
    if not isinstance(value, dict):
        raise ValidationFailed.single("apps", "type")
    if len(value) > MAX_APPS_PER_UPDATE:
        raise ValidationFailed.single("apps", "max.count", max=MAX_APPS_PER_UPDATE)
    for url, payload in value.items():
        if not url.strip() or (payload is not None and not isinstance(payload, dict)):
            raise ValidationFailed.single("apps", "type")
        if len(json.dumps(payload).encode()) > MAX_PAYLOAD_BYTES:
            raise ValidationFailed.single("apps", "max.bytes", max=MAX_PAYLOAD_BYTES)
    return value


def update_profile(
    user: UserItem, profile: Mapping[str, Any], roles: Any = None, apps: Any = None
) -> tuple[UserItem, list[str]]:
    """Apply a super app's changes to `user`; returns the user and the names of the changed fields.

    `profile` holds validated first_name/last_name/middle_name/birthday; `roles` (absent: kept)
    replaces the user's app roles, creating unknown ones; `apps` sets the payloads of existing
    apps and keeps the others. A url that is no app's is skipped, as the original did; its
    `null` still removes a payload left under it by a deleted app (the original showed none).
    """
    role_names = app_service.role_names(roles) if roles is not None else None
    payloads = app_payloads(apps) if apps is not None else {}
    known = app_service.known_urls([url for url, payload in payloads.items() if payload is not None])
    payloads = {url: payload for url, payload in payloads.items() if payload is None or url in known}
    if role_names:
        app_service.ensure_roles(role_names)
    for _ in range(UPDATE_ATTEMPTS):
        changes = {name: profile[name] for name in PROFILE_FIELDS if name in profile}
        if role_names is not None:
            changes["app_roles"] = role_names
        if payloads:
            changes["app_data"] = _merged(user.app_data, payloads)
        changes = {name: value for name, value in changes.items() if getattr(user, name) != value}
        if not changes:
            return user, []
        changes["updated_at"] = iso(now())
        if app_store.update_user_profile(user, changes, user.app_data):
            return user, sorted(name for name in changes if name != "updated_at")
        reread = users.get(user.id)
        if reread is None:
            raise NotFound("user or app")
        user = reread
    raise Conflict("the user changed meanwhile")


def _merged(current: Any, payloads: Mapping[str, dict[str, Any] | None]) -> dict[str, Any] | None:
    merged = dict(current) if isinstance(current, dict) else {}
    for url, payload in payloads.items():
        if payload is None:
            merged.pop(url, None)
        else:
            merged[url] = payload
    if len(json.dumps(merged).encode()) > MAX_ALL_PAYLOADS_BYTES:
        raise ValidationFailed.single("apps", "max.bytes", max=MAX_ALL_PAYLOADS_BYTES)
    return merged or None


def change_password(user: UserItem, request: Mapping[str, Any], session: SessionItem) -> None:
    """The signed-in user's own change: the token making it keeps working (as in the original),
    every other session of the user ends.

    As the original's `UserController.change_password`: both fields must be sent (it had no
    action clause otherwise: Phoenix's 400); a current password that does not match, or a new
    one that is not a 6-72-byte string with something besides spaces, is PasswordNotChanged.
    """
    if "old_password" not in request or "new_password" not in request:
        raise MalformedRequest()
    current, new = request["old_password"], request["new_password"]
    try:
        new = validate({"new_password": new}, NEW_PASSWORD)["new_password"]
    except ValidationFailed:
        raise PasswordNotChanged() from None
    if not new.strip() or not isinstance(current, str) or not verify_password(current, user.password_hash).ok:
        raise PasswordNotChanged()
    accounts.set_password(user, new, keep_session=session)
