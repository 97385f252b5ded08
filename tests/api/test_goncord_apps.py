"""Surface E (Goncord): apps managed by super users, their x-app-token, and the menu."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from gatehouse.services.apps import MAX_APPS
from gatehouse_local.embedded_aws import MotoAws
from gatehouse_local.testing import ApiClient, bearer
from tests.api.goncord_client import as_app, audit_trail, create_app, register, registered_super, sign_in

APP_FIELDS = ["id", "name", "url", "is_super", "roles", "inserted_at", "updated_at"]


def test_creating_an_app_shows_its_uuid_token_once(api: ApiClient, embedded_aws: MotoAws) -> None:
    token = registered_super(api)
    response = api.post(
        "/api/v0/apps",
        json={
            "name": "HR",
            "url": "https://hr.example.com",
            "is_super": True,
            "roles": ["hr", {"name": "boss"}],
        },
        headers=bearer(token),
    )
    assert response.status == 201
    assert list(response.json) == [*APP_FIELDS, "token"]
    assert response.json["id"] == 1
    assert response.json["is_super"] is True
    assert response.json["roles"] == [{"name": "hr"}, {"name": "boss"}]
    app_token = response.json["token"]
    assert uuid.UUID(app_token).version == 4
    shown = api.get("/api/v0/apps/1", headers=bearer(token))
    assert list(shown.json) == APP_FIELDS
    assert app_token not in api.get("/api/v0/apps", headers=bearer(token)).body
    # Only a hash of the token is stored.
    client = embedded_aws.client("dynamodb")
    table = client.list_tables()["TableNames"][0]
    stored = str(client.scan(TableName=table)["Items"])
    assert app_token not in stored


def test_apps_are_listed_in_id_order(api: ApiClient) -> None:
    token = registered_super(api)
    create_app(api, token, name="One", url="https://one.example.com")
    create_app(api, token, name="Two", url="https://two.example.com")
    response = api.get("/api/v0/apps", headers=bearer(token))
    assert response.status == 200
    assert [(app["id"], app["name"]) for app in response.json] == [(1, "One"), (2, "Two")]


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"name": ["can't be blank"], "url": ["can't be blank"]}),
        ({"name": "X", "url": "https://x", "is_super": "maybe"}, {"is_super": ["is invalid"]}),
        ({"name": "X", "url": "https://x", "roles": "all"}, {"roles": ["is invalid"]}),
        ({"name": "X" * 256, "url": "https://x"}, {"name": ["should be at most 255 character(s)"]}),
    ],
)
def test_app_creation_validates_its_fields(api: ApiClient, body: dict[str, object], errors: object) -> None:
    token = registered_super(api)
    response = api.post("/api/v0/apps", json=body, headers=bearer(token))
    assert response.status == 422
    assert response.json == {"errors": errors}
    assert api.get("/api/v0/apps", headers=bearer(token)).json == []


def test_app_urls_are_unique(api: ApiClient) -> None:
    token = registered_super(api)
    create_app(api, token)
    response = api.post(
        "/api/v0/apps", json={"name": "Again", "url": "https://hr.example.com"}, headers=bearer(token)
    )
    assert response.status == 422
    assert response.json == {"errors": {"url": ["has already been taken"]}}


def test_simultaneous_creations_with_one_url_make_one_app(api: ApiClient) -> None:
    token = registered_super(api)

    def attempt(n: int) -> int:
        body = {"name": f"App {n}", "url": "https://same.example.com"}
        return api.post("/api/v0/apps", json=body, headers=bearer(token)).status

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(attempt, range(8)))
    assert sorted(statuses) == [201] + [422] * 7
    assert len(api.get("/api/v0/apps", headers=bearer(token)).json) == 1


def test_only_super_users_manage_apps(api: ApiClient) -> None:
    admin_token = registered_super(api)
    create_app(api, admin_token)
    register(api)
    token = sign_in(api)
    forbidden = {"error": "Недостаточно прав."}
    for method, path in [
        ("GET", "/api/v0/apps"),
        ("POST", "/api/v0/apps"),
        ("GET", "/api/v0/apps/1"),
        ("PATCH", "/api/v0/apps/1"),
        ("DELETE", "/api/v0/apps/1"),
        ("POST", "/api/v0/apps/1/token"),
    ]:
        response = api.request(method, path, json={"name": "X", "url": "https://x"}, headers=bearer(token))
        assert (response.status, response.json) == (403, forbidden), (method, path)
        assert api.request(method, path).status == 401
    assert len(api.get("/api/v0/apps", headers=bearer(admin_token)).json) == 1


@pytest.mark.parametrize("path", ["/api/v0/apps/99", "/api/v0/apps/abc", "/api/v0/apps/99/token"])
def test_unknown_apps_are_404(api: ApiClient, path: str) -> None:
    token = registered_super(api)
    for method in ("GET", "PATCH", "DELETE") if not path.endswith("token") else ("POST",):
        response = api.request(method, path, json={}, headers=bearer(token))
        assert response.status == 404, (method, path)
        assert "error" in response.json


def test_updating_an_app_changes_name_roles_and_super_flag(api: ApiClient) -> None:
    token = registered_super(api)
    app = create_app(api, token, is_super=False)
    response = api.patch(
        "/api/v0/apps/1", json={"name": "People", "roles": ["staff"], "is_super": True}, headers=bearer(token)
    )
    assert response.status == 200
    assert (response.json["name"], response.json["roles"], response.json["is_super"]) == (
        "People",
        [{"name": "staff"}],
        True,
    )
    # The super flag moves with the app: its token now edits users.
    edited = api.patch("/api/v0/users", json={"first_name": "Root"}, headers=as_app(token, app["token"]))
    assert edited.status == 200
    api.patch("/api/v0/apps/1", json={"is_super": False}, headers=bearer(token))
    assert api.patch("/api/v0/users", json={}, headers=as_app(token, app["token"])).status == 403


def test_an_apps_url_cannot_change(api: ApiClient) -> None:
    token = registered_super(api)
    create_app(api, token)
    response = api.patch(
        "/api/v0/apps/1", json={"url": "https://elsewhere.example.com"}, headers=bearer(token)
    )
    assert response.status == 422
    assert response.json == {"errors": {"url": ["can't be changed"]}}
    same = api.patch("/api/v0/apps/1", json={"url": "https://hr.example.com"}, headers=bearer(token))
    assert same.status == 200


def test_rotating_the_token_kills_the_old_one_at_once(api: ApiClient) -> None:
    token = registered_super(api)
    old = create_app(api, token, is_super=True)["token"]
    response = api.post("/api/v0/apps/1/token", headers=bearer(token))
    assert response.status == 201
    new = response.json["token"]
    assert new != old
    assert api.patch("/api/v0/users", json={}, headers=as_app(token, old)).status == 404
    assert api.patch("/api/v0/users", json={}, headers=as_app(token, new)).status == 200


def test_deleting_an_app_frees_its_url_and_kills_its_token(api: ApiClient) -> None:
    token = registered_super(api)
    app_token = create_app(api, token, is_super=True)["token"]
    response = api.delete("/api/v0/apps/1", headers=bearer(token))
    assert response.status == 204
    assert response.body == ""
    assert api.get("/api/v0/apps/1", headers=bearer(token)).status == 404
    assert api.patch("/api/v0/users", json={}, headers=as_app(token, app_token)).status == 404
    assert create_app(api, token)["id"] == 2


def test_app_management_is_audited(api: ApiClient) -> None:
    token = registered_super(api)
    create_app(api, token)
    api.patch("/api/v0/apps/1", json={"name": "New"}, headers=bearer(token))
    api.post("/api/v0/apps/1/token", headers=bearer(token))
    api.delete("/api/v0/apps/1", headers=bearer(token))
    assert [entry for entry in audit_trail() if entry[2] == "app"] == [
        ("app.create", "success", "app"),
        ("app.update", "success", "app"),
        ("app.token", "success", "app"),
        ("app.delete", "success", "app"),
    ]


def test_the_number_of_apps_is_capped(api: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("gatehouse.services.apps.MAX_APPS", 2)
    token = registered_super(api)
    create_app(api, token, url="https://a.example.com")
    create_app(api, token, url="https://b.example.com")
    response = api.post(
        "/api/v0/apps", json={"name": "C", "url": "https://c.example.com"}, headers=bearer(token)
    )
    assert response.status == 422
    assert response.json == {"errors": {"url": ["no more than 2 apps can exist"]}}
    api.delete("/api/v0/apps/1", headers=bearer(token))
    assert create_app(api, token, url="https://c.example.com")["id"] == 4
    assert MAX_APPS >= 100


# GET /api/v0/menu


def test_the_menu_lists_the_apps_the_users_roles_see(api: ApiClient) -> None:
    admin_token = registered_super(api)
    super_app = create_app(api, admin_token, name="Admin", url="https://admin.example.com", is_super=True)
    create_app(api, admin_token, name="HR", url="https://hr.example.com", roles=["hr"])
    create_app(api, admin_token, name="Wiki", url="https://wiki.example.com", roles=["staff", "hr"])
    create_app(api, admin_token, name="Vault", url="https://vault.example.com", roles=["finance"])
    register(api)
    token = sign_in(api)
    assert api.get("/api/v0/menu", headers=bearer(token)).json == []
    api.patch("/api/v0/users", json={"roles": ["hr"]}, headers=as_app(token, super_app["token"]))
    response = api.get("/api/v0/menu", cookies={"jwt": token})
    assert response.status == 200
    assert response.json == [
        {"url": "https://hr.example.com", "name": "HR"},
        {"url": "https://wiki.example.com", "name": "Wiki"},
    ]


def test_the_menu_needs_a_token(api: ApiClient) -> None:
    response = api.get("/api/v0/menu")
    assert response.status == 401
    assert response.json == {"error": "Требуется аутентификация"}
