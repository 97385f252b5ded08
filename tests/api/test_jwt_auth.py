"""Surface B (tymon/jwt-auth): /api/auth/register, login, logout, refresh, me."""

from __future__ import annotations

from typing import Any

import jwt
import pytest

from gatehouse_local.testing import ApiClient, bearer

DEMO = {"username": "demo", "password": "12345678", "email": "me@example.com", "sex": 0, "age": 24}
ME_FIELDS = [
    "id", "created_at", "updated_at", "type", "username", "sex", "age", "head_portrait", "clinic",
    "mobile", "email", "fixphonenumber", "certificat", "certificat_checked", "wechat", "intro",
    "school", "major",
]  # fmt: skip


def register(api: ApiClient, **overrides: Any) -> None:
    response = api.post("/api/auth/register", json={**DEMO, **overrides})
    assert response.status == 200, response.body


def login(api: ApiClient, email: str = "me@example.com", password: str = "12345678") -> str:
    response = api.post("/api/auth/login", json={"email": email, "password": password})
    assert response.status == 200, response.body
    token: str = response.json["access_token"]
    return token


def test_register_answers_the_documented_message(api: ApiClient) -> None:
    response = api.post("/api/auth/register", json=DEMO)
    assert response.status == 200
    assert response.json == {"message": "注册成功"}


def test_register_accepts_a_form_encoded_body(api: ApiClient) -> None:
    response = api.post("/api/auth/register", data={**DEMO, "sex": "1", "age": "30"})
    assert response.status == 200
    token = login(api)
    assert api.get("/api/auth/me", headers=bearer(token)).json["sex"] == 1


def test_register_reports_every_invalid_field_the_laravel_way(api: ApiClient) -> None:
    response = api.post("/api/auth/register", json={"password": "short", "email": "nope", "sex": "x"})
    assert response.status == 422
    assert response.json["message"] == "The given data was invalid."
    assert response.json["errors"] == {
        "username": ["The username field is required."],
        "password": ["The password must be at least 8 characters."],
        "email": ["The email must be a valid email address."],
        "sex": ["The sex must be an integer."],
        "age": ["The age field is required."],
    }


def test_register_refuses_a_taken_email_or_username_on_that_field(api: ApiClient) -> None:
    register(api)
    same_email = api.post(
        "/api/auth/register", json={**DEMO, "username": "other", "email": " ME@Example.com "}
    )
    assert same_email.status == 422
    assert same_email.json["errors"] == {"email": ["The email has already been taken."]}
    same_name = api.post(
        "/api/auth/register", json={**DEMO, "username": "DEMO", "email": "other@example.com"}
    )
    assert same_name.status == 422
    assert same_name.json["errors"] == {"username": ["The username has already been taken."]}


@pytest.mark.parametrize(
    ("username", "error"),
    [
        ("ab", "The username must be at least 3 characters."),
        ("u" * 17, "The username may not be greater than 16 characters."),
    ],
)
def test_register_holds_the_username_to_3_to_16_characters(api: ApiClient, username: str, error: str) -> None:
    response = api.post("/api/auth/register", json={**DEMO, "username": username})
    assert response.status == 422
    assert response.json == {"message": "The given data was invalid.", "errors": {"username": [error]}}


@pytest.mark.parametrize("username", ["abc", "u" * 16])
def test_register_accepts_usernames_of_3_and_16_characters(api: ApiClient, username: str) -> None:
    register(api, username=username)
    assert login(api, email=username)


def test_register_accepts_a_64_character_password_beyond_the_originals_20(api: ApiClient) -> None:
    register(api, password="p" * 64)
    assert login(api, password="p" * 64)


@pytest.mark.parametrize(
    ("password", "error"),
    [
        ("p" * 257, "The password may not be greater than 256 characters."),
        ("pass\x00word", "The password format is invalid."),
        (12345678, "The password must be a string."),
    ],
)
def test_register_refuses_unusable_passwords_cleanly(api: ApiClient, password: object, error: str) -> None:
    response = api.post("/api/auth/register", json={**DEMO, "password": password})
    assert response.status == 422
    assert response.json["errors"] == {"password": [error]}


def test_a_body_that_is_not_json_is_a_400_and_changes_nothing(api: ApiClient) -> None:
    response = api.post("/api/auth/register", body="{not json", headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert "message" in response.json
    assert (
        api.post("/api/auth/login", json={"email": DEMO["email"], "password": DEMO["password"]}).status == 401
    )


def test_login_answers_a_bearer_token_valid_for_an_hour(api: ApiClient) -> None:
    register(api)
    response = api.post("/api/auth/login", json={"email": DEMO["email"], "password": DEMO["password"]})
    assert response.status == 200
    assert response.json["token_type"] == "bearer"
    assert response.json["expires_in"] == 3600
    claims = jwt.decode(response.json["access_token"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["sub"] == "1"


def claims_of(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def test_login_and_refresh_tokens_carry_the_originals_type_and_username_claims(api: ApiClient) -> None:
    register(api)
    token = login(api)
    claims = claims_of(token)
    assert (claims["type"], claims["username"]) == (0, "demo")
    assert set(claims) == {"iss", "sub", "iat", "nbf", "exp", "jti", "type", "username"}
    assert claims["type"] == api.get("/api/auth/me", headers=bearer(token)).json["type"]
    refreshed = api.post("/api/auth/refresh", headers=bearer(token)).json["access_token"]
    assert (claims_of(refreshed)["type"], claims_of(refreshed)["username"]) == (0, "demo")
    assert api.get("/api/auth/me", headers=bearer(refreshed)).status == 200


def test_a_user_signed_up_without_a_login_name_carries_the_derived_one_as_username(api: ApiClient) -> None:
    body = {"name": "Ivan", "surname": "Ivanov", "email": "ivan@example.com", "password": "password-1"}
    assert api.post("/api/v1/register", json=body).status == 200  # A's sign-up asks for no login name
    response = api.post("/api/auth/login", json={"email": "ivan@example.com", "password": "password-1"})
    assert response.status == 200
    claims = claims_of(response.json["access_token"])
    assert (claims["type"], claims["username"]) == (0, "ivan")
    assert api.get("/api/roles", headers=bearer(response.json["access_token"])).status == 200


def test_login_accepts_the_username_in_place_of_the_email(api: ApiClient) -> None:
    register(api)
    assert login(api, email="Demo")


@pytest.mark.parametrize("email", ["me@", "@example.com", "me@exa mple.com", "me@@example.com"])
def test_login_with_a_malformed_email_is_a_laravel_422_on_email(api: ApiClient, email: str) -> None:
    register(api)
    response = api.post("/api/auth/login", json={"email": email, "password": DEMO["password"]})
    assert response.status == 422
    assert response.json == {
        "message": "The given data was invalid.",
        "errors": {"email": ["The email must be a valid email address."]},
    }


def test_login_by_username_is_not_held_to_the_email_rule(api: ApiClient) -> None:
    register(api)
    response = api.post("/api/auth/login", json={"email": "demo", "password": DEMO["password"]})
    assert response.status == 200
    unknown = api.post("/api/auth/login", json={"email": "nobody", "password": DEMO["password"]})
    assert unknown.status == 401
    assert unknown.json == {"message": "登录验证失败"}


def test_login_with_wrong_credentials_answers_401_with_the_documented_message(api: ApiClient) -> None:
    register(api)
    for email, password in [(DEMO["email"], "wrong-password"), ("ghost@example.com", DEMO["password"])]:
        response = api.post("/api/auth/login", json={"email": email, "password": password})
        assert response.status == 401
        assert response.json == {"message": "登录验证失败"}


def test_login_without_fields_is_a_validation_error(api: ApiClient) -> None:
    response = api.post("/api/auth/login", json={})
    assert response.status == 422
    assert set(response.json["errors"]) == {"email", "password"}


def test_me_answers_the_documented_fields_with_absent_ones_null(api: ApiClient) -> None:
    register(api)
    token = login(api)
    for method in ("GET", "POST"):
        response = api.request(method, "/api/auth/me", headers=bearer(token))
        assert response.status == 200
        assert list(response.json) == ME_FIELDS
        assert response.json["username"] == "demo"
        assert response.json["email"] == "me@example.com"
        assert (response.json["sex"], response.json["age"]) == (0, 24)
        assert response.json["mobile"] is None
        assert response.json["created_at"] is not None
        assert "password" not in response.body


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-token"),
        pytest.param({"Authorization": "Bearer nonsense"}, id="garbage-token"),
        pytest.param({"Authorization": "Basic dXNlcjpwYXNz"}, id="wrong-scheme"),
    ],
)
def test_me_without_a_valid_token_is_401(api: ApiClient, headers: dict[str, str]) -> None:
    response = api.get("/api/auth/me", headers=headers)
    assert response.status == 401
    assert response.json == {"message": "Unauthenticated."}


def test_logout_revokes_the_token(api: ApiClient) -> None:
    register(api)
    token = login(api)
    response = api.post("/api/auth/logout", headers=bearer(token))
    assert response.status == 200
    assert response.json == {"message": "登出成功"}
    assert api.get("/api/auth/me", headers=bearer(token)).status == 401
    assert api.post("/api/auth/logout", headers=bearer(token)).status == 401


def test_logout_leaves_the_users_other_sessions_alone(api: ApiClient) -> None:
    register(api)
    first, second = login(api), login(api)
    api.post("/api/auth/logout", headers=bearer(first))
    assert api.get("/api/auth/me", headers=bearer(second)).status == 200


def test_refresh_returns_a_new_token_and_revokes_the_old_one(api: ApiClient) -> None:
    register(api)
    old = login(api)
    response = api.post("/api/auth/refresh", headers=bearer(old))
    assert response.status == 200
    assert response.json["expires_in"] == 3600
    new = response.json["access_token"]
    assert new != old
    assert api.get("/api/auth/me", headers=bearer(new)).status == 200
    assert api.get("/api/auth/me", headers=bearer(old)).status == 401
    # Presented again within the grace window (a retry): the same successor, nothing new.
    retried = api.post("/api/auth/refresh", headers=bearer(old))
    assert retried.status == 200
    assert retried.json["access_token"] == new


def test_an_unsupported_method_on_a_known_route_answers_405_with_the_allowed_methods(api: ApiClient) -> None:
    response = api.put("/api/auth/me")

    assert response.status == 405
    assert response.headers["allow"] == "GET, POST"
    assert response.json == {
        "message": "The PUT method is not supported for this route. Supported methods: GET, POST."
    }
