"""Goncord's apps (the original's "resources"), their x-app-token lookups, and app roles.

An app item lists the role names that see it in the menu, so the menu is one Query on the
`APPS` partition (bounded: the number of apps is capped by a counter claimed in the
creating transaction). The app token is kept only as a SHA-256 in a lookup item, which
also carries the `is_super` flag: checking an `x-app-token` is one GetItem.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError
from pynamodb.expressions.condition import Condition

from gatehouse.data import directory, writes
from gatehouse.data.models import (
    BooleanAttribute,
    CounterItem,
    IntegerAttribute,
    Item,
    ListAttribute,
    UnicodeAttribute,
    UniqueItem,
    UserItem,
    sortable_id,
)

APPS_PARTITION = "APPS"
LIVE_APPS_COUNTER = "live_apps"
URL_CLAIM = "app_url"


class AppLimitReached(Exception):
    """The deployment already has the maximum number of apps."""


class UrlTaken(Exception):
    """Another app has this url."""


class AppGone(Exception):
    """The app was deleted (or its token rotated) by a concurrent request."""


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def app_key(app_id: int) -> tuple[str, str]:
    return f"APP#{app_id}", "APP"


class AppItem(Item, discriminator="goncord_app"):
    id = IntegerAttribute()
    name = UnicodeAttribute()
    url = UnicodeAttribute()
    is_super = BooleanAttribute(default=False)
    # Names of the roles whose users see this app in their menu.
    roles = ListAttribute(of=UnicodeAttribute, default=list)
    token_hash = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class AppTokenItem(Item, discriminator="goncord_app_token"):
    """`x-app-token` → app: keyed by the token's SHA-256, never the token itself."""

    app_id = IntegerAttribute()
    is_super = BooleanAttribute(default=False)

    @staticmethod
    def key(digest: str) -> tuple[str, str]:
        return f"APPTOKEN#{digest}", "APPTOKEN"


class AppRoleItem(Item, discriminator="goncord_role"):
    """A role name, created the first time a user or an app is given it."""

    name = UnicodeAttribute()
    created_at = UnicodeAttribute()

    @staticmethod
    def key(name: str) -> tuple[str, str]:
        return f"APPROLE#{name}", "APPROLE"


def new_app(app_id: int, *, token_hash: str, **attributes: Any) -> AppItem:
    app = AppItem(*app_key(app_id), id=app_id, token_hash=token_hash, **attributes)
    app.GSI1PK, app.GSI1SK = APPS_PARTITION, f"APP#{sortable_id(app_id)}"
    return app


def _token_item(app: AppItem) -> AppTokenItem:
    return AppTokenItem(*AppTokenItem.key(app.token_hash), app_id=app.id, is_super=app.is_super)


def _url_claim(url: str, app_id: int | None = None) -> UniqueItem:
    return UniqueItem(*UniqueItem.key(URL_CLAIM, url), owner_id=app_id)


def _token_unchanged(app: AppItem) -> Condition:
    """The stored app still has the token it was read with (not rotated or deleted meanwhile)."""
    return AppItem.token_hash == app.token_hash


def _token_of(app: AppItem) -> Condition:
    """The token lookup still points at `app`."""
    return AppTokenItem.app_id == app.id


def create(app: AppItem, max_apps: int) -> None:
    """Write the app, its token lookup and its url claim, and count it, in one transaction
    (retried when it meets a concurrent one on the shared app count)."""
    counter = CounterItem(*CounterItem.key(LIVE_APPS_COUNTER))
    below_limit = CounterItem.value.does_not_exist() | (CounterItem.value < max_apps)
    counted = [CounterItem.value.add(1), CounterItem.entity.set(CounterItem)]
    try:
        writes.transact(
            [
                writes.Write("update", counter, below_limit, counted, label="limit"),
                writes.Write("put", app, AppItem.PK.does_not_exist()),
                writes.Write("put", _token_item(app), AppTokenItem.PK.does_not_exist()),
                writes.Write("put", _url_claim(app.url, app.id), UniqueItem.PK.does_not_exist(), label="url"),
            ],
        )
    except writes.ConditionFailed as refused:
        if "url" in refused.labels:
            raise UrlTaken() from None
        if "limit" in refused.labels:
            raise AppLimitReached() from None
        raise


def get(app_id: int) -> AppItem | None:
    try:
        return AppItem.get(*app_key(app_id))
    except DoesNotExist:
        return None


def token_lookup(token: str) -> AppTokenItem | None:
    try:
        return AppTokenItem.get(*AppTokenItem.key(token_digest(token)))
    except DoesNotExist:
        return None


def ids_by_url(urls: Sequence[str]) -> dict[str, int]:
    """The app id of each known url (one BatchGetItem; unknown urls are absent)."""
    keys = [UniqueItem.key(URL_CLAIM, url) for url in urls]
    found = {claim.PK: claim.owner_id for claim in UniqueItem.batch_get(keys)}
    return {url: found[pk] for url, (pk, _) in zip(urls, keys, strict=True) if pk in found}


def all_apps(max_apps: int) -> list[AppItem]:
    """Every app in id order: one Query on GSI1 (the count is capped at `max_apps`)."""
    found = AppItem.gsi1.query(APPS_PARTITION, limit=max_apps)
    return [item for item in found if isinstance(item, AppItem)]


def update(app: AppItem, changes: dict[str, Any]) -> None:
    """Change name/roles/is_super; the token lookup's copy of `is_super` moves in the same transaction."""
    actions = [getattr(AppItem, name).set(value) for name, value in changes.items()]
    changed = [writes.Write("update", app, _token_unchanged(app), actions)]
    if "is_super" in changes:
        token = AppTokenItem(*AppTokenItem.key(app.token_hash))
        copied = [AppTokenItem.is_super.set(changes["is_super"])]
        changed.append(writes.Write("update", token, _token_of(app), copied))
    try:
        writes.transact(changed, attempts=1)
    except writes.TRANSACTION_FAILURES as error:
        raise AppGone() from error
    for name, value in changes.items():
        setattr(app, name, value)


def replace_token(app: AppItem, new_token_hash: str, updated_at: str) -> None:
    """Rotate: the old lookup goes and the new one comes in one transaction (the old token dies at once)."""
    old = AppTokenItem(*AppTokenItem.key(app.token_hash))
    new = AppTokenItem(*AppTokenItem.key(new_token_hash), app_id=app.id, is_super=app.is_super)
    rotated = [AppItem.token_hash.set(new_token_hash), AppItem.updated_at.set(updated_at)]
    try:
        writes.transact(
            [
                writes.Write("update", app, _token_unchanged(app), rotated),
                writes.Write("delete", old, _token_of(app)),
                writes.Write("put", new, AppTokenItem.PK.does_not_exist()),
            ],
            attempts=1,
        )
    except writes.TRANSACTION_FAILURES as error:
        raise AppGone() from error
    app.token_hash, app.updated_at = new_token_hash, updated_at


def delete(app: AppItem) -> None:
    """Remove the app, its token lookup and url claim, and uncount it."""
    counter = CounterItem(*CounterItem.key(LIVE_APPS_COUNTER))
    try:
        writes.transact(
            [
                writes.Write("delete", app, _token_unchanged(app)),
                writes.Write("delete", AppTokenItem(*AppTokenItem.key(app.token_hash)), _token_of(app)),
                writes.Write("delete", _url_claim(app.url), UniqueItem.owner_id == app.id),
                writes.Write("update", counter, actions=[CounterItem.value.add(-1)]),
            ],
            attempts=1,
        )
    except writes.TRANSACTION_FAILURES as error:
        raise AppGone() from error


def missing_roles(names: Sequence[str]) -> list[str]:
    """The names that have no role item yet (one BatchGetItem)."""
    keys = [AppRoleItem.key(name) for name in names]
    existing = {item.name for item in AppRoleItem.batch_get(keys)}
    return [name for name in names if name not in existing]


def create_roles(names: Iterable[str], created_at: str) -> None:
    """Create each role unless it exists; a concurrent creation of the same role is fine."""
    for name in names:
        role = AppRoleItem(*AppRoleItem.key(name), name=name, created_at=created_at)
        try:
            role.save(condition=AppRoleItem.PK.does_not_exist())
        except PutError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise


def update_user_profile(user: UserItem, changes: dict[str, Any], unchanged: Mapping[str, Any]) -> bool:
    """Write `changes` unless an attribute in `unchanged` differs from the value given there
    (None: absent), i.e. changed since it was read.

    Returns False when a concurrent update got there first (the caller re-reads and retries),
    so two clients updating payloads of different apps never lose each other's write.
    """
    condition: Condition | None = None
    for name, previous in unchanged.items():
        attribute = getattr(UserItem, name)
        check = attribute.does_not_exist() if previous is None else attribute == previous
        condition = check if condition is None else condition & check
    reindex = directory.index_changes([directory.Entry.of(user)], [directory.Entry.of(user, **changes)])
    if not reindex:
        return writes.update_existing(user, changes, condition=condition)
    # A new name moves the user's search tokens (gatehouse.data.directory) in the same transaction.
    required = UserItem.PK.exists() if condition is None else UserItem.PK.exists() & condition
    try:
        writes.transact(
            [writes.Write("update", user, required, writes.set_actions(UserItem, changes), "user"), *reindex]
        )
    except writes.ConditionFailed as gone:
        if "user" in gone.labels:
            return False
        raise
    for name, value in changes.items():
        setattr(user, name, value)
    return True
