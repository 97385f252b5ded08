"""Goncord's user rules: sign-up, sign-in and sign-out, the profile update a super app makes
(names, birthday, app roles, per-app payloads), an app's update of its own payload, a super
app's role changes, and the signed-in user's password change.

The actions are recorded in the audit log once they succeeded (a refused password change too);
an app's change to a user names the app. `update_profile`, `set_roles` and `remove_roles` are the
rules alone: the routes call them through the `..._by` actions, which record them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from gatehouse import validation
from gatehouse.clock import iso, now
from gatehouse.contracts.goncord import ProfileUpdate, Registration
from gatehouse.data import apps as app_store
from gatehouse.data import users
from gatehouse.data.apps import AppTokenItem
from gatehouse.data.models import SessionItem, UserItem
from gatehouse.errors import Conflict, NotFound, PasswordNotChanged, ValidationFailed
from gatehouse.security.passwords import verify_password
from gatehouse.security.tokens import GONCORD
from gatehouse.services import accounts, audit, sessions
from gatehouse.services import apps as app_service
from gatehouse.services.mail import MailContext
from gatehouse.services.sessions import IssuedToken
from gatehouse.validation import json_violation

MAX_APPS_PER_UPDATE = 20
# Each app's payload and all of a user's payloads together, as JSON (the item limit is 400 KB).
MAX_PAYLOAD_BYTES = 8 * 1024
MAX_ALL_PAYLOADS_BYTES = 64 * 1024
# Optimistic writes of the payload map and the roles: re-read and retry when a concurrent update won.
UPDATE_ATTEMPTS = 3
PROFILE_FIELDS = ("first_name", "last_name", "middle_name", "birthday")
# Goncord's names for the canonical user's profile fields (second_name is the middle name).
PROFILE_FIELD_NAMES = {
    "first_name": "first_name",
    "last_name": "last_name",
    "second_name": "middle_name",
    "birthday": "birthday",
}
# Ecto's `validate_length(:password, min: 6)`; the 256-character cap is every surface's.
NEW_PASSWORD = validation.Rule("new_password", min=6)
# Goncord's names for the canonical handles, so a taken value is reported on the field sent.
FIELD_NAMES = {"email": "email", "login": "login"}


def profile_attributes(request: Registration | ProfileUpdate) -> dict[str, str | None]:
    """The canonical profile attributes among the fields the request sent."""
    given = request.given()
    return {attribute: given[name] for name, attribute in PROFILE_FIELD_NAMES.items() if name in given}


def register(request: Registration, mail_context: MailContext) -> UserItem:
    """A user's own sign-up; the verification mail goes out with the account."""
    return accounts.sign_up(
        email=request.email,
        password=request.password,
        login=request.login,
        attributes=profile_attributes(request),
        field_names=FIELD_NAMES,
        mail_context=mail_context,
    )


def sign_in(identifier: str, password: str) -> tuple[UserItem, IssuedToken]:
    """The user a login or email and password name, and a Goncord token for them."""
    user = accounts.sign_in(identifier, password)
    return user, sessions.start(user, GONCORD)


def payload(value: Any, field: str) -> dict[str, Any]:
    """One app's JSON object for a user, of bounded size."""
    if not isinstance(value, dict):
        raise ValidationFailed.single(field, "type")
    violation = json_violation(field, value, MAX_PAYLOAD_BYTES)
    if violation is not None:
        raise ValidationFailed([violation])
    return value


def app_payloads(value: Any) -> dict[str, dict[str, Any] | None]:
    """`apps`: app url → that user's JSON object for the app (null removes it)."""
    if not isinstance(value, dict):
        raise ValidationFailed.single("apps", "type")
    if len(value) > MAX_APPS_PER_UPDATE:
        raise ValidationFailed.single("apps", "max.count", max=MAX_APPS_PER_UPDATE)
    for url, each in value.items():
        if not url.strip():
            raise ValidationFailed.single("apps", "type")
        if each is not None:
            payload(each, "apps")
    return value


def update_profile(user: UserItem, request: ProfileUpdate) -> tuple[UserItem, list[str]]:
    """Apply a super app's changes to `user`; returns the user and the names of the changed fields.

    The profile fields sent change; `roles` (absent or null: kept) replaces the user's app roles,
    creating unknown ones; `apps` sets the payloads of existing apps and keeps the others. A url
    that is no app's is skipped, as the original did; its `null` still removes a payload left
    under it by a deleted app (the original showed none).
    """
    return _update_profile(user, profile_attributes(request), request.roles, request.apps)


def _update_profile(
    user: UserItem, profile: Mapping[str, str | None], roles: Any = None, apps: Any = None
) -> tuple[UserItem, list[str]]:
    """`profile`: canonical attributes among first_name/last_name/middle_name/birthday."""
    role_names = app_service.role_names(roles) if roles is not None else None
    payloads = app_payloads(apps) if apps is not None else {}
    known = app_service.known_urls([url for url, each in payloads.items() if each is not None])
    payloads = {url: each for url, each in payloads.items() if each is None or url in known}
    if role_names:
        app_service.ensure_roles(role_names)

    def changes(current: UserItem) -> dict[str, Any]:
        wanted: dict[str, Any] = {name: profile[name] for name in PROFILE_FIELDS if name in profile}
        if role_names is not None:
            wanted["app_roles"] = role_names
        if payloads:
            wanted["app_data"] = _merged(current.app_data, payloads, "apps")
        return wanted

    # Payloads merge into the stored map: written only if nobody changed it meanwhile.
    return _update(user, changes, guarded=("app_data",))


def update_profile_by(app: AppTokenItem, user: UserItem, request: ProfileUpdate) -> UserItem:
    """`update_profile`, made by the super app `app`."""
    user, changed = update_profile(user, request)
    _record_app_update(app, user, changed)
    return user


def set_own_payload(user: UserItem, app: AppTokenItem, value: Any) -> UserItem:
    """An app replaces its own payload in `user`'s apps (the original's `self_update`)."""
    checked = payload(value, "payload")
    stored = app_store.get(app.app_id)
    if stored is None:
        raise NotFound("app")  # deleted since its token was checked
    user, _ = _update(
        user,
        lambda current: {"app_data": _merged(current.app_data, {stored.url: checked}, "payload")},
        guarded=("app_data",),
    )
    _record_app_update(app, user, ["app_data"])  # recorded even when the payload was already so
    return user


def set_roles(user: UserItem, roles: Any) -> tuple[UserItem, list[str]]:
    """Replace the user's app roles with `roles`, creating unknown ones (the original's
    `Role.set_roles`, behind `POST /roles`); unlike `update_profile`, null is no "keep"."""
    return _update_profile(user, {}, roles=app_service.role_names(roles))


def set_roles_by(app: AppTokenItem, user: UserItem, roles: Any) -> UserItem:
    """`set_roles`, made by the super app `app`."""
    user, changed = set_roles(user, roles)
    _record_app_update(app, user, changed)
    return user


def remove_roles(user: UserItem, roles: Any) -> tuple[UserItem, list[str]]:
    """Take `roles` from the user's app roles; names they do not have are ignored."""
    names = set(app_service.role_names(roles))
    return _update(
        user,
        lambda current: {"app_roles": [name for name in current.app_roles or [] if name not in names]},
        guarded=("app_roles",),
    )


def remove_roles_by(app: AppTokenItem, user: UserItem, roles: Any) -> UserItem:
    """`remove_roles`, made by the super app `app`."""
    user, changed = remove_roles(user, roles)
    _record_app_update(app, user, changed)
    return user


def _update(
    user: UserItem, changes_for: Callable[[UserItem], dict[str, Any]], guarded: Sequence[str]
) -> tuple[UserItem, list[str]]:
    """Write `changes_for(user)` conditional on the `guarded` attributes being as read; on a
    concurrent change re-read the user and retry (UPDATE_ATTEMPTS, then Conflict), so two
    clients never lose each other's payload or role change. Returns the changed field names."""
    for _ in range(UPDATE_ATTEMPTS):
        wanted = changes_for(user)
        wanted = {name: value for name, value in wanted.items() if getattr(user, name) != value}
        if not wanted:
            return user, []
        wanted["updated_at"] = iso(now())
        if app_store.update_user_profile(user, wanted, {name: getattr(user, name) for name in guarded}):
            return user, sorted(name for name in wanted if name != "updated_at")
        reread = users.get(user.id)
        if reread is None:
            raise NotFound("user or app")
        user = reread
    raise Conflict("the user changed meanwhile")


def _merged(current: Any, payloads: Mapping[str, dict[str, Any] | None], field: str) -> dict[str, Any] | None:
    merged = dict(current) if isinstance(current, dict) else {}
    for url, each in payloads.items():
        if each is None:
            merged.pop(url, None)
        else:
            merged[url] = each
    if len(json.dumps(merged).encode()) > MAX_ALL_PAYLOADS_BYTES:
        raise ValidationFailed.single(field, "max.bytes", max=MAX_ALL_PAYLOADS_BYTES)
    return merged or None


def change_password(user: UserItem, current: object, new: object, session: SessionItem) -> None:
    """The signed-in user's own change: the token making it keeps working (as in the original),
    every other session of the user ends.

    As the original's `UserController.change_password`: a current password (as sent) that does
    not match, or a new one that is not a 6-256-character string with something besides spaces, is PasswordNotChanged
    (recorded as a failure).
    """
    try:
        _change_own_password(user, current, new, session)
    except PasswordNotChanged:
        audit.record_own("user.password", user, outcome="failure")
        raise
    audit.record_own("user.password", user)


def _change_own_password(user: UserItem, current: object, new: object, session: SessionItem) -> None:
    checked = validation.check_value(new, NEW_PASSWORD) if isinstance(new, str) and new else None
    if not isinstance(checked, str) or not checked.strip():
        raise PasswordNotChanged()
    if not isinstance(current, str) or not verify_password(current, user.password_hash).ok:
        raise PasswordNotChanged()
    accounts.set_password(user, checked, keep_session=session)


def _record_app_update(app: AppTokenItem, user: UserItem, changed: list[str]) -> None:
    audit.record_own("user.update", user, details={"app_id": app.app_id, "fields": ",".join(changed)})
