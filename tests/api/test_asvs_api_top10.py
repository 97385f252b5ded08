"""Regression tests named by the OWASP ASVS 5.0 and API Security Top 10 (2023) cases an attack
suite found open; each goes through the real handlers and template.yaml's routes."""

from __future__ import annotations

from typing import Any

from gatehouse.data import users
from gatehouse.services.identity import canonical
from gatehouse_local.testing import ApiClient, bearer
from tests.api.goncord_client import as_app, create_app, register, registered_super, sign_in


def _nested(depth: int) -> Any:
    value: Any = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


def test_api4_a_deeply_nested_apps_payload_is_refused_with_422_and_stores_nothing(api: ApiClient) -> None:
    root = registered_super(api)
    app = create_app(api, root, name="Admin", url="https://admin.example.com", is_super=True)
    register(api)
    token = sign_in(api)
    body = {"apps": {"https://admin.example.com": _nested(400)}}
    response = api.patch("/api/v0/users", json=body, headers=as_app(token, app["token"]))
    assert response.status == 422
    assert response.json == {"errors": {"apps": ["should be nested at most 32 level(s) deep"]}}
    assert api.get("/api/v0/tokens/validate", headers=bearer(token)).json["apps"] == {}


def test_api4_an_oversized_own_payload_is_refused_with_422(api: ApiClient) -> None:
    root = registered_super(api)
    app = create_app(api, root, name="Admin", url="https://admin.example.com", is_super=True)
    register(api)
    token = sign_in(api)
    response = api.patch(
        "/api/v0/resource/self_update", json={"blob": "x" * 20_000}, headers=as_app(token, app["token"])
    )
    assert response.status == 422
    assert response.json == {"errors": {"payload": ["should be at most 8192 byte(s)"]}}


def test_api4_a_stored_bad_payload_degrades_sign_in_and_validate_instead_of_500(api: ApiClient) -> None:
    register(api)
    user = users.find_by("login", canonical("test"))
    assert user is not None
    # Written straight through the data layer, as a value stored before the edge capped it.
    users.update(user, app_data={"https://bad.example.com": _nested(400), "https://ok.example.com": {"k": 1}})
    signed_in = api.post("/api/v0/tokens", json={"login": "test", "password": "password"})
    assert signed_in.status == 201
    assert signed_in.json["user"]["apps"] == {"https://ok.example.com": {"k": 1}}
    validated = api.get("/api/v0/tokens/validate", headers=bearer(signed_in.json["jwt"]))
    assert validated.status == 200
    assert validated.json["apps"] == {"https://ok.example.com": {"k": 1}}


def test_asvs_6_2_9_a_64_character_cyrillic_password_is_accepted(api: ApiClient) -> None:
    password = ("пароль" * 11)[:64]
    body = {"username": "ivan", "password": password, "email": "ivan@example.com", "sex": 0, "age": 30}
    assert api.post("/api/auth/register", json=body).status == 200
    signed_in = api.post("/api/auth/login", json={"email": "ivan@example.com", "password": password})
    assert signed_in.status == 200
    too_long = {**body, "username": "olga", "email": "olga@example.com", "password": "п" * 257}
    refused = api.post("/api/auth/register", json=too_long)
    assert refused.status == 422
    assert refused.json["errors"] == {"password": ["The password may not be greater than 256 characters."]}
