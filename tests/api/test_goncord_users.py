"""Surface E (Goncord): registration, the super app's user update, and password change."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from gatehouse.data.models import UserItem, user_key
from gatehouse_local.testing import ApiClient, bearer
from tests.api.goncord_client import (
    PERSON,
    USER_FIELDS,
    as_app,
    audit_trail,
    create_app,
    register,
    registered_super,
    sign_in,
)


def test_registration_answers_201_with_the_documented_user_object(api: ApiClient) -> None:
    response = api.post("/api/v0/users", json=PERSON)
    assert response.status == 201
    assert list(response.json) == USER_FIELDS
    assert response.json == {
        "second_name": "Евгеньевич",
        "roles": [],
        "login": "test",
        "last_name": "Дубина",
        "first_name": "Дмитрий",
        "email": "test@gmail.com",
        "birthday": "1995-03-30",
        "apps": {},
    }
    assert "password" not in response.body


def test_registration_needs_only_login_password_and_email(api: ApiClient) -> None:
    response = api.post("/api/v0/users", json={"login": "min", "password": "secret", "email": "m@ex.com"})
    assert response.status == 201
    assert response.json["first_name"] is None
    assert response.json["birthday"] is None


def test_registration_reports_every_invalid_field_the_ecto_way(api: ApiClient) -> None:
    response = api.post("/api/v0/users", json={"login": "ab", "password": "12345", "email": "nope"})
    assert response.status == 422
    assert response.json == {
        "errors": {
            "login": ["should be at least 3 character(s)"],
            "password": ["should be at least 6 character(s)"],
            "email": ["has invalid format"],
        }
    }


def test_registration_without_fields_says_they_cannot_be_blank(api: ApiClient) -> None:
    response = api.post("/api/v0/users", json={})
    assert response.status == 422
    assert response.json == {
        "errors": {field: ["can't be blank"] for field in ("login", "password", "email")}
    }


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("birthday", "30.03.1995", "is invalid"),
        ("birthday", 19950330, "is invalid"),
        ("first_name", ["x"], "is invalid"),
        ("login", "with@sign", "has invalid format"),
        ("login", "x" * 256, "should be at most 255 character(s)"),
        ("password", "p" * 257, "should be at most 256 character(s)"),
        ("password", 123456, "is invalid"),
    ],
)
def test_registration_refuses_malformed_values_and_creates_nobody(
    api: ApiClient, field: str, value: object, error: str
) -> None:
    response = api.post("/api/v0/users", json={**PERSON, field: value})
    assert response.status == 422
    assert response.json == {"errors": {field: [error]}}
    assert api.post("/api/v0/tokens", json={"login": "test", "password": "password"}).status == 422


def test_login_and_email_are_unique_whatever_their_case(api: ApiClient) -> None:
    register(api)
    same_email = api.post("/api/v0/users", json={**PERSON, "login": "other", "email": "TEST@gmail.com"})
    assert same_email.status == 422
    assert same_email.json == {"errors": {"email": ["has already been taken"]}}
    same_login = api.post("/api/v0/users", json={**PERSON, "login": "Test", "email": "other@gmail.com"})
    assert same_login.status == 422
    assert same_login.json == {"errors": {"login": ["has already been taken"]}}


def test_a_body_that_is_not_json_is_a_400_in_phoenix_shape(api: ApiClient) -> None:
    response = api.post("/api/v0/users", body="{nope", headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert response.json == {"errors": {"detail": "Bad Request"}}


def test_simultaneous_registrations_with_one_login_create_one_user(api: ApiClient) -> None:
    def sign_up(n: int) -> int:
        return api.post("/api/v0/users", json={**PERSON, "email": f"racer{n}@example.com"}).status

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(sign_up, range(10)))
    assert sorted(statuses) == [201] + [422] * 9


def test_registration_mails_a_verification_link_and_is_audited(api: ApiClient, outbox_dir: Path) -> None:
    register(api)
    mails = [json.loads(p.read_text()) for p in outbox_dir.glob("*.json")]
    assert [mail["to"] for mail in mails] == ["test@gmail.com"]
    assert "/links/verify?token=" in mails[0]["text"]
    assert audit_trail() == [("user.register", "success", "user")]


# PATCH /api/v0/users: a user token plus the x-app-token of a super app.


@pytest.fixture
def super_app(api: ApiClient) -> tuple[str, str]:
    """(the super user's token, the token of a super app they created)."""
    token = registered_super(api)
    app = create_app(api, token, name="Admin", url="https://admin.example.com", is_super=True)
    return token, app["token"]


def test_update_changes_names_birthday_roles_and_app_payloads(
    api: ApiClient, super_app: tuple[str, str]
) -> None:
    admin_token, app_token = super_app
    register(api)
    token = sign_in(api)
    body = {
        "second_name": "Петрович",
        "last_name": "Иванов",
        "first_name": "Иван",
        "birthday": "1990-01-02",
        "roles": ["hr", {"name": "staff"}],
        "apps": {"https://admin.example.com": {"theme": "dark", "tabs": [1, 2]}},
    }
    response = api.patch("/api/v0/users", json=body, headers=as_app(token, app_token))
    assert response.status == 200
    assert list(response.json) == USER_FIELDS
    assert response.json == {
        "second_name": "Петрович",
        "roles": [{"name": "hr"}, {"name": "staff"}],
        "login": "test",
        "last_name": "Иванов",
        "first_name": "Иван",
        "email": "test@gmail.com",
        "birthday": "1990-01-02",
        "apps": {"https://admin.example.com": {"theme": "dark", "tabs": [1, 2]}},
    }
    assert api.get("/api/v0/tokens/validate", headers=bearer(token)).json == response.json
    assert admin_token != token


def test_update_with_the_documented_empty_body_keeps_the_user(
    api: ApiClient, super_app: tuple[str, str]
) -> None:
    _, app_token = super_app
    register(api)
    token = sign_in(api)
    body = {key: PERSON[key] for key in ("second_name", "last_name", "first_name", "birthday")}
    response = api.patch(
        "/api/v0/users", json={**body, "roles": [], "apps": {}}, headers=as_app(token, app_token)
    )
    assert response.status == 200
    assert response.json["roles"] == []
    assert response.json["apps"] == {}
    assert response.json["first_name"] == "Дмитрий"


def test_update_replaces_roles_and_merges_app_payloads(api: ApiClient, super_app: tuple[str, str]) -> None:
    admin_token, app_token = super_app
    create_app(api, admin_token, name="Wiki", url="https://wiki.example.com")
    register(api)
    headers = as_app(sign_in(api), app_token)
    api.patch(
        "/api/v0/users",
        json={"roles": ["a", "b"], "apps": {"https://admin.example.com": {"x": 1}}},
        headers=headers,
    )
    response = api.patch(
        "/api/v0/users",
        json={"roles": ["b", "c", "c"], "apps": {"https://wiki.example.com": {"y": 2}}},
        headers=headers,
    )
    assert response.json["roles"] == [{"name": "b"}, {"name": "c"}]
    assert response.json["apps"] == {
        "https://admin.example.com": {"x": 1},
        "https://wiki.example.com": {"y": 2},
    }
    dropped = api.patch("/api/v0/users", json={"apps": {"https://admin.example.com": None}}, headers=headers)
    assert dropped.json["apps"] == {"https://wiki.example.com": {"y": 2}}
    assert dropped.json["roles"] == [{"name": "b"}, {"name": "c"}]


def test_update_skips_a_url_that_is_no_app_and_applies_the_rest(
    api: ApiClient, super_app: tuple[str, str]
) -> None:
    _, app_token = super_app
    register(api)
    token = sign_in(api)
    response = api.patch(
        "/api/v0/users",
        json={
            "first_name": "Changed",
            "apps": {"https://nowhere.example.com": {"a": 1}, "https://admin.example.com": {"b": 2}},
        },
        headers=as_app(token, app_token),
    )
    assert response.status == 200
    assert response.json["first_name"] == "Changed"
    assert response.json["apps"] == {"https://admin.example.com": {"b": 2}}
    assert api.get("/api/v0/tokens/validate", headers=bearer(token)).json == response.json


def test_update_with_only_unknown_urls_answers_the_unchanged_user(
    api: ApiClient, super_app: tuple[str, str]
) -> None:
    _, app_token = super_app
    registered = register(api)
    token = sign_in(api)
    response = api.patch(
        "/api/v0/users",
        json={"apps": {"https://nowhere.example.com": {"a": 1}, "https://gone.example.com": None}},
        headers=as_app(token, app_token),
    )
    assert response.status == 200
    assert response.json == registered


def test_a_payload_left_by_a_deleted_app_is_removed_with_null(
    api: ApiClient, super_app: tuple[str, str]
) -> None:
    admin_token, app_token = super_app
    wiki = create_app(api, admin_token, name="Wiki", url="https://wiki.example.com")
    register(api)
    headers = as_app(sign_in(api), app_token)
    api.patch("/api/v0/users", json={"apps": {"https://wiki.example.com": {"y": 2}}}, headers=headers)
    assert api.delete(f"/api/v0/apps/{wiki['id']}", headers=bearer(admin_token)).status == 204
    kept = api.patch("/api/v0/users", json={"apps": {"https://wiki.example.com": {"y": 3}}}, headers=headers)
    assert kept.json["apps"] == {"https://wiki.example.com": {"y": 2}}
    removed = api.patch("/api/v0/users", json={"apps": {"https://wiki.example.com": None}}, headers=headers)
    assert removed.status == 200
    assert removed.json["apps"] == {}


def test_update_for_a_removed_user_is_refused_as_unauthenticated(
    api: ApiClient, super_app: tuple[str, str]
) -> None:
    _, app_token = super_app
    register(api)
    token = sign_in(api)
    UserItem.get(*user_key(2)).delete()
    response = api.patch("/api/v0/users", json={"first_name": "Ghost"}, headers=as_app(token, app_token))
    assert response.status == 401


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"roles": "admin"}, {"roles": ["is invalid"]}),
        ({"roles": [""]}, {"roles": ["is invalid"]}),
        ({"roles": [{"title": "x"}]}, {"roles": ["is invalid"]}),
        ({"roles": [7]}, {"roles": ["is invalid"]}),
        ({"roles": ["r" * 65]}, {"roles": ["should have items of at most 64 character(s)"]}),
        ({"roles": [f"r{n}" for n in range(51)]}, {"roles": ["should have at most 50 item(s)"]}),
        ({"apps": ["https://admin.example.com"]}, {"apps": ["is invalid"]}),
        ({"apps": {"https://admin.example.com": "text"}}, {"apps": ["is invalid"]}),
        (
            {"apps": {"https://admin.example.com": {"big": "x" * 9000}}},
            {"apps": ["should be at most 8192 byte(s)"]},
        ),
        ({"birthday": "tomorrow"}, {"birthday": ["is invalid"]}),
        ({"first_name": 5}, {"first_name": ["is invalid"]}),
    ],
)
def test_update_refuses_malformed_values(
    api: ApiClient, super_app: tuple[str, str], body: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    _, app_token = super_app
    register(api)
    token = sign_in(api)
    response = api.patch("/api/v0/users", json=body, headers=as_app(token, app_token))
    assert response.status == 422
    assert response.json == {"errors": errors}
    assert api.get("/api/v0/tokens/validate", headers=bearer(token)).json["roles"] == []


def test_update_needs_a_user_token(api: ApiClient, super_app: tuple[str, str]) -> None:
    _, app_token = super_app
    response = api.patch("/api/v0/users", json={"first_name": "X"}, headers={"x-app-token": app_token})
    assert response.status == 401
    assert response.json == {"error": "Требуется аутентификация"}


@pytest.mark.parametrize("app_token", [None, "", "3333cd49-ee9e-4ece-aa4f-345d236a7416", "x" * 500])
def test_update_without_a_known_app_token_is_404_as_in_the_original(
    api: ApiClient, super_app: tuple[str, str], app_token: str | None
) -> None:
    register(api)
    token = sign_in(api)
    headers = bearer(token) if app_token is None else as_app(token, app_token)
    response = api.patch("/api/v0/users", json={"first_name": "X"}, headers=headers)
    assert response.status == 404
    assert response.json == {"error": "Пользователь или ресурс не существуют."}
    assert api.get("/api/v0/tokens/validate", headers=bearer(token)).json["first_name"] == "Дмитрий"


def test_update_with_the_token_of_an_app_that_is_not_super_is_403(api: ApiClient) -> None:
    admin_token = registered_super(api)
    plain_app = create_app(api, admin_token, is_super=False)
    register(api)
    token = sign_in(api)
    response = api.patch("/api/v0/users", json={"first_name": "X"}, headers=as_app(token, plain_app["token"]))
    assert response.status == 403
    assert response.json == {"error": "Недостаточно прав."}
    assert api.get("/api/v0/tokens/validate", headers=bearer(token)).json["first_name"] == "Дмитрий"


def test_update_is_audited_with_the_app_that_made_it(api: ApiClient, super_app: tuple[str, str]) -> None:
    _, app_token = super_app
    register(api)
    token = sign_in(api)
    api.patch("/api/v0/users", json={"first_name": "X", "roles": ["hr"]}, headers=as_app(token, app_token))
    assert audit_trail()[-1] == ("user.update", "success", "user")


def test_concurrent_updates_of_different_apps_keep_both_payloads(
    api: ApiClient, super_app: tuple[str, str]
) -> None:
    admin_token, app_token = super_app
    urls = [f"https://app{n}.example.com" for n in range(4)]
    for n, url in enumerate(urls):
        create_app(api, admin_token, name=f"App {n}", url=url)
    register(api)
    headers = as_app(sign_in(api), app_token)

    def set_payload(url: str) -> int:
        return api.patch("/api/v0/users", json={"apps": {url: {"for": url}}}, headers=headers).status

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(set_payload, urls))
    assert all(status in (200, 409) for status in statuses)
    stored = api.get("/api/v0/tokens/validate", headers=headers).json["apps"]
    # Every accepted update is kept: an optimistic write never overwrites another client's payload.
    assert len(stored) == statuses.count(200)
    assert statuses.count(200) >= 2


# POST /api/v0/users/change_password


def test_change_password_switches_the_password_and_keeps_the_session(api: ApiClient) -> None:
    register(api)
    token = sign_in(api)
    response = api.post(
        "/api/v0/users/change_password",
        json={"old_password": "password", "new_password": "new-secret"},
        headers=bearer(token),
    )
    assert response.status == 200
    assert response.body == ""
    assert api.post("/api/v0/tokens", json={"login": "test", "password": "password"}).status == 422
    assert sign_in(api, password="new-secret")
    assert api.get("/api/v0/tokens/validate", headers=bearer(token)).status == 200
    assert ("user.password", "success", "user") in audit_trail()


def test_change_password_with_a_wrong_current_password_is_refused(api: ApiClient) -> None:
    register(api)
    token = sign_in(api)
    response = api.post(
        "/api/v0/users/change_password",
        json={"old_password": "not-it", "new_password": "new-secret"},
        headers=bearer(token),
    )
    assert response.status == 422
    assert response.json == {"error": "Не удалось поменять пароль"}
    assert sign_in(api, password="password")
    assert ("user.password", "failure", "user") in audit_trail()


@pytest.mark.parametrize(
    "body",
    [
        {"old_password": "password", "new_password": "12345"},
        {"old_password": "password", "new_password": ""},
        {"old_password": "password", "new_password": "      "},
        {"old_password": "password", "new_password": "p" * 257},
        {"old_password": "password", "new_password": None},
        {"old_password": "password", "new_password": 12345678},
        {"old_password": "password", "new_password": ["new-secret"]},
        {"old_password": "", "new_password": "new-secret"},
        {"old_password": None, "new_password": "new-secret"},
        {"old_password": ["password"], "new_password": "new-secret"},
    ],
)
def test_change_password_refuses_a_bad_old_or_new_password_with_the_originals_422(
    api: ApiClient, body: dict[str, Any]
) -> None:
    register(api)
    token = sign_in(api)
    response = api.post("/api/v0/users/change_password", json=body, headers=bearer(token))
    assert response.status == 422
    assert response.json == {"error": "Не удалось поменять пароль"}
    assert sign_in(api, password="password")
    assert ("user.password", "failure", "user") in audit_trail()


@pytest.mark.parametrize("body", [{}, {"old_password": "password"}, {"new_password": "new-secret"}])
def test_change_password_without_both_fields_is_phoenixs_400(api: ApiClient, body: dict[str, Any]) -> None:
    register(api)
    token = sign_in(api)
    response = api.post("/api/v0/users/change_password", json=body, headers=bearer(token))
    assert response.status == 400
    assert response.json == {"errors": {"detail": "Bad Request"}}
    assert sign_in(api, password="password")


def test_change_password_accepts_the_jwt_cookie_and_needs_a_token(api: ApiClient) -> None:
    register(api)
    token = sign_in(api)
    body = {"old_password": "password", "new_password": "new-secret"}
    assert api.post("/api/v0/users/change_password", json=body).status == 401
    assert api.post("/api/v0/users/change_password", json=body, cookies={"jwt": token}).status == 200
