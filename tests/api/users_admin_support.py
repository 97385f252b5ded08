"""Helpers for surface D's API tests: people with roles and groups, signed in through B."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gatehouse_local.testing import ApiClient, bearer

ALL_PERMISSIONS = [
    "users.read",
    "users.create",
    "users.update",
    "users.remove",
    "users.reset_password",
    "logs.read",
    "groups.manage",
]
# What an admin in no group holds: the catalogue but `groups.manage`.
ADMIN_DEFAULTS = ALL_PERMISSIONS[:-1]
PASSWORD = "secret-pass"


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return bearer(self.token)


def sign_in(api: ApiClient, email: str, password: str = PASSWORD) -> str:
    response = api.post("/api/auth/login", json={"email": email, "password": password})
    assert response.status == 200, response.body
    token: str = response.json["access_token"]
    return token


def new_user(api: ApiClient, creator: Person | None, nickname: str, **fields: Any) -> dict[str, Any]:
    body = {"nickname": nickname, "email": f"{nickname}@example.com", "password": PASSWORD, **fields}
    response = api.post("/api/v1/users/new_user", json=body, headers=creator.auth if creator else {})
    assert response.status == 200, response.body
    user: dict[str, Any] = response.json["user"]
    return user


def person(api: ApiClient, creator: Person | None, nickname: str, **fields: Any) -> Person:
    user = new_user(api, creator, nickname, **fields)
    email = f"{nickname}@example.com"
    return Person(id=user["id"], email=email, token=sign_in(api, email))


def held(api: ApiClient, reader: Person, target: int) -> list[str]:
    """`target`'s permissions as `/permissions` answers them to `reader`."""
    response = api.get(f"/api/v1/users/id/{target}/permissions", headers=reader.auth)
    assert response.status == 200, response.body
    assert list(response.json) == ["status", "permissions"]
    found: list[str] = response.json["permissions"]
    return found


def group(api: ApiClient, owner: Person, name: str, level: int, permissions: list[str]) -> int:
    response = api.post(
        "/api/v1/groups",
        json={"name": name, "level": level, "permissions": permissions},
        headers=owner.auth,
    )
    assert response.status == 200, response.body
    group_id: int = response.json["group"]["id"]
    return group_id


@dataclass(frozen=True)
class Cast:
    """super; an admin in a level-50 group with every permission; a plain user in a level-10 group."""

    super: Person
    admin: Person
    user: Person
    admin_group: int
    user_group: int


def cast(api: ApiClient) -> Cast:
    root = person(api, None, "root")
    admin_group = group(api, root, "Admins", 50, ALL_PERMISSIONS)
    user_group = group(api, root, "Staff", 10, [])
    admin = person(api, root, "boss", role="admin", group_id=admin_group)
    user = person(api, root, "worker", group_id=user_group)
    return Cast(root, admin, user, admin_group, user_group)
