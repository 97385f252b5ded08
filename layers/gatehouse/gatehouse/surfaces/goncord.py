"""Surface E (Goncord, Elixir/Phoenix): `/api/v0/*` views.

Errors follow the original service (`gatehouse.surfaces.envelopes.goncord`, where `SURFACE` is
defined).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from gatehouse.contracts import goncord as contracts
from gatehouse.data.apps import AppItem
from gatehouse.data.models import UserItem
from gatehouse.services.sessions import IssuedToken
from gatehouse.surfaces.envelopes.goncord import SURFACE as SURFACE
from gatehouse.validation import JSON_MAX_BYTES, json_violation

_logger = logging.getLogger("gatehouse.goncord")


def user_view(user: UserItem) -> contracts.UserView:
    """The documented user object, in the documented order. Roles render as the original's
    `{"name": ...}` objects; `apps` maps each app's url to this user's payload for it."""
    return {
        "second_name": user.middle_name,
        "roles": roles_view(user.app_roles),
        "login": user.login,
        "last_name": user.last_name,
        "first_name": user.first_name,
        "email": user.email,
        "birthday": user.birthday,
        "apps": readable_payloads(user),
    }


def readable_payloads(user: UserItem) -> dict[str, Any]:
    """The user's per-app payloads, leaving out any that could not be rendered (stored before
    the edge capped depth and size, or written around it): that payload degrades to absent,
    with a warning in the log, rather than the user's every sign-in answering 500."""
    stored = user.app_data
    if not isinstance(stored, dict):
        return {}
    readable: dict[str, Any] = {}
    for url, payload in stored.items():
        if json_violation("apps", payload, JSON_MAX_BYTES) is None:
            readable[url] = payload
        else:
            _logger.warning("unreadable app payload left out", extra={"user_id": user.id})
    return readable


def roles_view(names: Iterable[Any] | None) -> list[contracts.RoleName]:
    """The original's RoleView: `[{"name": ...}]`."""
    return [{"name": name} for name in names or []]


def signed_in(user: UserItem, issued: IssuedToken) -> contracts.SignedIn:
    return {"user": user_view(user), "jwt": issued.token}


def app_view(app: AppItem, token: str | None = None) -> contracts.AppView:
    """An app as super users manage it; `token` only right after creation or rotation."""
    view: contracts.AppView = {
        "id": app.id,
        "name": app.name,
        "url": app.url,
        "is_super": app.is_super,
        "roles": roles_view(app.roles),
        "inserted_at": app.created_at,
        "updated_at": app.updated_at,
    }
    if token is not None:
        view["token"] = token
    return view


def menu_view(apps: Iterable[AppItem]) -> list[contracts.MenuEntry]:
    return [{"url": app.url, "name": app.name} for app in apps]
