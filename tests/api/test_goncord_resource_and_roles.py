"""Surface E (Goncord): an app's own payload (`PATCH /resource/self_update`) and a super app's
role changes (`POST`/`DELETE /roles`), as in the original's later router."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from gatehouse_local.testing import ApiClient, bearer
from tests.api.goncord_client import (
    USER_FIELDS,
    as_app,
    audit_trail,
    create_app,
    register,
    registered_super,
    sign_in,
)
from tests.seeding import SeedOnce

ADMIN_URL = "https://admin.example.com"
WIKI_URL = "https://wiki.example.com"


@pytest.fixture
def apps(seeded_once: SeedOnce[dict[str, str]]) -> dict[str, str]:
    return seeded_once(two_apps_and_a_user)


def two_apps_and_a_user(api: ApiClient) -> dict[str, str]:
    """The tokens of a super app and a plain app; `test` is registered and signed in as `user`."""
    admin_token = registered_super(api)
    tokens = {
        "super": create_app(api, admin_token, name="Admin", url=ADMIN_URL, is_super=True)["token"],
        "plain": create_app(api, admin_token, name="Wiki", url=WIKI_URL, roles=["staff"])["token"],
    }
    register(api)
    tokens["user"] = sign_in(api)
    return tokens


def validated(api: ApiClient, token: str) -> dict[str, Any]:
    response = api.get("/api/v0/tokens/validate", headers=bearer(token))
    assert response.status == 200
    user: dict[str, Any] = response.json
    return user


# PATCH /api/v0/resource/self_update


def test_an_app_sets_its_own_payload_and_gets_the_user_back(api: ApiClient, apps: dict[str, str]) -> None:
    response = api.patch(
        "/api/v0/resource/self_update",
        json={"foo": "bar", "baz": 123},
        headers=as_app(apps["user"], apps["plain"]),
    )
    assert response.status == 200
    assert list(response.json) == USER_FIELDS
    assert response.json["login"] == "test"
    assert response.json["apps"] == {WIKI_URL: {"foo": "bar", "baz": 123}}
    assert validated(api, apps["user"]) == response.json


def test_self_update_replaces_the_apps_payload_and_keeps_other_apps(
    api: ApiClient, apps: dict[str, str]
) -> None:
    api.patch(
        "/api/v0/users", json={"apps": {ADMIN_URL: {"a": 1}}}, headers=as_app(apps["user"], apps["super"])
    )
    headers = as_app(apps["user"], apps["plain"])
    api.patch("/api/v0/resource/self_update", json={"old": True, "kept": False}, headers=headers)
    response = api.patch("/api/v0/resource/self_update", json={"new": True}, headers=headers)
    assert response.json["apps"] == {ADMIN_URL: {"a": 1}, WIKI_URL: {"new": True}}


def test_self_update_with_an_empty_body_stores_an_empty_payload(api: ApiClient, apps: dict[str, str]) -> None:
    response = api.patch("/api/v0/resource/self_update", headers=as_app(apps["user"], apps["plain"]))
    assert response.status == 200
    assert response.json["apps"] == {WIKI_URL: {}}


def test_self_update_needs_a_user_token(api: ApiClient, apps: dict[str, str]) -> None:
    response = api.patch(
        "/api/v0/resource/self_update", json={"a": 1}, headers={"x-app-token": apps["plain"]}
    )
    assert response.status == 401
    assert response.json == {"error": "Требуется аутентификация"}


@pytest.mark.parametrize("app_token", [None, "", "3333cd49-ee9e-4ece-aa4f-345d236a7416", "x" * 500])
def test_self_update_without_a_known_app_is_404(
    api: ApiClient, apps: dict[str, str], app_token: str | None
) -> None:
    headers = bearer(apps["user"]) if app_token is None else as_app(apps["user"], app_token)
    response = api.patch("/api/v0/resource/self_update", json={"a": 1}, headers=headers)
    assert response.status == 404
    assert response.json == {"error": "Ресурс не найден."}
    assert validated(api, apps["user"])["apps"] == {}


def test_self_update_refuses_an_oversized_payload_or_a_body_that_is_no_object(
    api: ApiClient, apps: dict[str, str]
) -> None:
    headers = as_app(apps["user"], apps["plain"])
    big = api.patch("/api/v0/resource/self_update", json={"big": "x" * 9000}, headers=headers)
    assert big.status == 422
    assert big.json == {"errors": {"payload": ["should be at most 8192 byte(s)"]}}
    listed = api.patch("/api/v0/resource/self_update", json=[1, 2], headers=headers)
    assert listed.status == 400
    assert validated(api, apps["user"])["apps"] == {}


def test_self_updates_of_two_apps_at_once_keep_both_payloads(api: ApiClient, apps: dict[str, str]) -> None:
    def update(app: str) -> int:
        headers = as_app(apps["user"], apps[app])
        return api.patch("/api/v0/resource/self_update", json={"by": app}, headers=headers).status

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = list(pool.map(update, ["super", "plain"]))
    assert statuses == [200, 200]
    assert validated(api, apps["user"])["apps"] == {ADMIN_URL: {"by": "super"}, WIKI_URL: {"by": "plain"}}


def test_self_update_is_audited_with_the_app(api: ApiClient, apps: dict[str, str]) -> None:
    api.patch("/api/v0/resource/self_update", json={"a": 1}, headers=as_app(apps["user"], apps["plain"]))
    assert audit_trail()[-1] == ("user.update", "success", "user")


# POST and DELETE /api/v0/roles


def test_post_roles_sets_the_users_roles_and_answers_them(api: ApiClient, apps: dict[str, str]) -> None:
    headers = as_app(apps["user"], apps["super"])
    first = api.post("/api/v0/roles", json={"roles": ["admin", "student"]}, headers=headers)
    assert first.status == 200
    assert first.json == [{"name": "admin"}, {"name": "student"}]
    # As the original's Role.set_roles: the list replaces the user's roles.
    response = api.post("/api/v0/roles", json={"roles": ["teacher", "staff", "staff"]}, headers=headers)
    assert response.status == 200
    assert response.json == [{"name": "teacher"}, {"name": "staff"}]
    assert validated(api, apps["user"])["roles"] == [{"name": "teacher"}, {"name": "staff"}]
    assert api.get("/api/v0/menu", headers=bearer(apps["user"])).json == [{"url": WIKI_URL, "name": "Wiki"}]


def test_post_roles_with_an_empty_list_clears_them(api: ApiClient, apps: dict[str, str]) -> None:
    headers = as_app(apps["user"], apps["super"])
    api.post("/api/v0/roles", json={"roles": ["admin"]}, headers=headers)
    response = api.post("/api/v0/roles", json={"roles": []}, headers=headers)
    assert response.status == 200
    assert response.json == []
    assert validated(api, apps["user"])["roles"] == []


def test_delete_roles_removes_those_named_and_keeps_the_rest(api: ApiClient, apps: dict[str, str]) -> None:
    headers = as_app(apps["user"], apps["super"])
    api.post("/api/v0/roles", json={"roles": ["admin", "student", "teacher"]}, headers=headers)
    response = api.delete("/api/v0/roles", json={"roles": ["admin", "nobody"]}, headers=headers)
    assert response.status == 204
    assert response.body == ""
    assert validated(api, apps["user"])["roles"] == [{"name": "student"}, {"name": "teacher"}]


def test_concurrent_role_removals_both_take_effect(api: ApiClient, apps: dict[str, str]) -> None:
    headers = as_app(apps["user"], apps["super"])
    api.post("/api/v0/roles", json={"roles": ["a", "b", "c", "d"]}, headers=headers)

    def remove(role: str) -> int:
        return api.delete("/api/v0/roles", json={"roles": [role]}, headers=headers).status

    with ThreadPoolExecutor(max_workers=3) as pool:
        statuses = list(pool.map(remove, ["a", "b", "c"]))
    assert all(status in (204, 409) for status in statuses)
    left = {role["name"] for role in validated(api, apps["user"])["roles"]}
    assert left == {"d"} | {role for role, status in zip("abc", statuses, strict=True) if status == 409}
    assert statuses.count(204) >= 2


@pytest.mark.parametrize("method", ["POST", "DELETE"])
@pytest.mark.parametrize("body", [{}, {"role": ["admin"]}])
def test_roles_without_the_roles_field_is_phoenixs_400(
    api: ApiClient, apps: dict[str, str], method: str, body: dict[str, Any]
) -> None:
    response = api.request(method, "/api/v0/roles", json=body, headers=as_app(apps["user"], apps["super"]))
    assert response.status == 400
    assert response.json == {"errors": {"detail": "Bad Request"}}


@pytest.mark.parametrize("method", ["POST", "DELETE"])
@pytest.mark.parametrize("roles", ["admin", None, {"admin": 1}, [""], [7], ["r" * 65]])
def test_roles_that_are_not_a_list_of_names_are_refused(
    api: ApiClient, apps: dict[str, str], method: str, roles: Any
) -> None:
    headers = as_app(apps["user"], apps["super"])
    api.post("/api/v0/roles", json={"roles": ["kept"]}, headers=headers)
    response = api.request(method, "/api/v0/roles", json={"roles": roles}, headers=headers)
    assert response.status == 422
    assert list(response.json["errors"]) == ["roles"]
    assert validated(api, apps["user"])["roles"] == [{"name": "kept"}]


@pytest.mark.parametrize("method", ["POST", "DELETE"])
@pytest.mark.parametrize(
    ("app", "error"),
    [
        (None, "Ресурс не найден."),
        ("3333cd49-ee9e-4ece-aa4f-345d236a7416", "Ресурс не найден."),
        ("plain", "Недостаточно прав."),
    ],
)
def test_roles_need_a_super_app_as_the_originals_plug_did(
    api: ApiClient, apps: dict[str, str], method: str, app: str | None, error: str
) -> None:
    token = None if app is None else apps.get(app, app)
    headers = bearer(apps["user"]) if token is None else as_app(apps["user"], token)
    response = api.request(method, "/api/v0/roles", json={"roles": ["admin"]}, headers=headers)
    assert response.status == 403
    assert response.json == {"error": error}
    assert validated(api, apps["user"])["roles"] == []


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_roles_need_a_user_token(api: ApiClient, apps: dict[str, str], method: str) -> None:
    response = api.request(
        method, "/api/v0/roles", json={"roles": ["a"]}, headers={"x-app-token": apps["super"]}
    )
    assert response.status == 401
    assert response.json == {"error": "Требуется аутентификация"}


def test_role_changes_are_audited(api: ApiClient, apps: dict[str, str]) -> None:
    headers = as_app(apps["user"], apps["super"])
    api.post("/api/v0/roles", json={"roles": ["a"]}, headers=headers)
    api.delete("/api/v0/roles", json={"roles": ["a"]}, headers=headers)
    assert audit_trail()[-2:] == [("user.update", "success", "user")] * 2
