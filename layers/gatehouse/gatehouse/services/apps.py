"""Goncord's apps: super users manage them; an app's `x-app-token` lets a super app edit users.

An app token is a UUID shown once (on creation and on rotation) and stored only as a hash.
Role names given to users and apps are created on first use. Every change to an app is recorded
in the audit log once it succeeded.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from gatehouse.clock import iso, now
from gatehouse.contracts.goncord import AppChanges, NewApp
from gatehouse.data import apps as app_store
from gatehouse.data import counters
from gatehouse.data.apps import AppItem, AppTokenItem
from gatehouse.data.models import UserItem
from gatehouse.errors import (
    AppTokenUnknown,
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from gatehouse.services import audit, caller, lockouts, permissions

# The menu and the app list read every app in one Query; this cap keeps that one bounded call.
MAX_APPS = 200
MAX_ROLES = 50
ROLE_NAME_MAX_LENGTH = 64
# A UUID is 36 characters; anything much longer is not worth hashing.
APP_TOKEN_MAX_LENGTH = 128


class AppNotSuper(PermissionDenied):
    """The `x-app-token` belongs to an app without the super flag."""


APP_TOKEN_SCOPE = "app_token"


def calling_app(token: str | None) -> AppTokenItem | None:
    """The app an `x-app-token` belongs to, or None for no token or an unknown one (one GetItem).

    Token guessing is locked out per caller (`gatehouse.services.lockouts`): a client that sent
    too many unknown tokens gets 429 for a while, before any lookup."""
    token = (token or "").strip()
    if not token:
        return None
    client = caller.current()
    attempt = lockouts.Attempt(APP_TOKEN_SCOPE, lockouts.ANY_ACCOUNT, lockouts.client_of(client), False)
    lockouts.check(attempt)
    app = app_store.token_lookup(token) if len(token) <= APP_TOKEN_MAX_LENGTH else None
    if app is None:
        lockouts.failed(attempt)
    return app


def require_app(token: str | None) -> AppTokenItem:
    """Any app, super or not, identified by its `x-app-token`."""
    app = calling_app(token)
    if app is None:
        raise NotFound("app")
    return app


def authorize_super_app(token: str | None) -> AppTokenItem:
    """The super app an `x-app-token` belongs to (one GetItem)."""
    app = calling_app(token)
    if app is None:
        raise AppTokenUnknown()
    if not app.is_super:
        raise AppNotSuper()
    return app


def role_names(value: Any, field: str = "roles") -> list[str]:
    """Role names from a list of strings or `{"name": ...}` objects: trimmed, distinct, in order."""
    if not isinstance(value, list):
        raise ValidationFailed.single(field, "type")
    if len(value) > MAX_ROLES:
        raise ValidationFailed.single(field, "max.count", max=MAX_ROLES)
    names: list[str] = []
    for entry in value:
        name = entry.get("name") if isinstance(entry, dict) else entry
        if not isinstance(name, str) or not name.strip() or "\x00" in name:
            raise ValidationFailed.single(field, "type")
        name = name.strip()
        if len(name) > ROLE_NAME_MAX_LENGTH:
            raise ValidationFailed.single(field, "max.item_length", max=ROLE_NAME_MAX_LENGTH)
        if name not in names:
            names.append(name)
    return names


def ensure_roles(names: Sequence[str]) -> None:
    """Create the roles that do not exist yet (one BatchGetItem, one PutItem per new role)."""
    if names:
        app_store.create_roles(app_store.missing_roles(names), iso(now()))


def known_urls(urls: Sequence[str]) -> set[str]:
    """Those of `urls` that are some app's url (one BatchGetItem)."""
    return set(app_store.ids_by_url(urls)) if urls else set()


def create(actor: UserItem, request: NewApp) -> tuple[AppItem, str]:
    """A new app and its token (the only time the token is returned)."""
    permissions.require_role(actor, "super")
    roles = role_names(request.roles) if request.roles is not None else []
    ensure_roles(roles)
    token = str(uuid.uuid4())
    stamp = iso(now())
    app = app_store.new_app(
        counters.next_id("app"),
        token_hash=app_store.token_digest(token),
        name=request.name,
        url=request.url,
        is_super=bool(request.is_super),
        roles=roles,
        created_at=stamp,
        updated_at=stamp,
    )
    try:
        app_store.create(app, MAX_APPS)
    except app_store.UrlTaken:
        raise ValidationFailed.single("url", "unique") from None
    except app_store.AppLimitReached:
        raise ValidationFailed.single("url", "max.apps", max=MAX_APPS) from None
    _record("app.create", actor, app)
    return app, token


def listing(actor: UserItem) -> list[AppItem]:
    permissions.require_role(actor, "super")
    return app_store.all_apps(MAX_APPS)


def get(actor: UserItem, app_id: int) -> AppItem:
    permissions.require_role(actor, "super")
    app = app_store.get(app_id)
    if app is None:
        raise NotFound("app")
    return app


def update(actor: UserItem, app_id: int, request: AppChanges) -> AppItem:
    """Rename, change who sees it (`roles`) or its super flag; the url identifies the app's payloads
    on users, so it cannot change. A field sent empty or null is kept."""
    app = get(actor, app_id)
    if request.url is not None and request.url != app.url:
        raise ValidationFailed.single("url", "immutable")
    changes: dict[str, Any] = {}
    if request.name is not None:
        changes["name"] = request.name
    if request.is_super is not None:
        changes["is_super"] = request.is_super
    if request.roles is not None:
        changes["roles"] = role_names(request.roles)
        ensure_roles(changes["roles"])
    changes = {name: value for name, value in changes.items() if getattr(app, name) != value}
    if changes:
        changes["updated_at"] = iso(now())
        try:
            app_store.update(app, changes)
        except app_store.AppGone:
            raise _gone_or_conflict(app_id) from None
    _record("app.update", actor, app)  # a request that changes nothing is recorded too
    return app


def rotate_token(actor: UserItem, app_id: int) -> tuple[AppItem, str]:
    """A new token; the old one stops working in the same transaction."""
    app = get(actor, app_id)
    token = str(uuid.uuid4())
    try:
        app_store.replace_token(app, app_store.token_digest(token), iso(now()))
    except app_store.AppGone:
        raise _gone_or_conflict(app_id) from None
    _record("app.token", actor, app)
    return app, token


def delete(actor: UserItem, app_id: int) -> AppItem:
    app = get(actor, app_id)
    try:
        app_store.delete(app)
    except app_store.AppGone:
        raise _gone_or_conflict(app_id) from None
    _record("app.delete", actor, app)
    return app


def menu(user: UserItem) -> list[AppItem]:
    """The apps any of the user's roles sees, in id order."""
    roles = set(user.app_roles or [])
    if not roles:
        return []
    return [app for app in app_store.all_apps(MAX_APPS) if roles.intersection(app.roles or [])]


def _record(action: str, actor: UserItem, app: AppItem) -> None:
    audit.record(action, actor=actor, target_type="app", target_id=app.id)


def _gone_or_conflict(app_id: int) -> Exception:
    return NotFound("app") if app_store.get(app_id) is None else Conflict("the app changed meanwhile")
