"""Surface A: /api/v1/user CRUD over the canonical users."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gatehouse.data import users
from gatehouse_local.testing import ApiClient
from tests.api.documentarian_client import (
    PASSWORD,
    People,
    four_people,
    link_token,
    login,
    mails_to,
    registration,
)
from tests.seeding import SeedOnce

USER_FIELDS = ["_id", "surname", "name", "middlename", "email", "is_verified", "created_at", "updated_at"]
NOT_FOUND = {"success": False, "error": {"code": 404, "message": "Not found"}}
SUPER, ADMIN, ALICE, BOB = (f"{n:024x}" for n in range(1, 5))


@pytest.fixture
def people(seeded_once: SeedOnce[People]) -> People:
    return seeded_once(four_people)


def test_show_answers_the_documented_fields_and_never_a_secret(
    api: ApiClient, people: dict[str, dict[str, str]]
) -> None:
    response = api.get(f"/api/v1/user/{ALICE}", headers=people["alice"])
    assert response.status == 200
    assert list(response.json) == USER_FIELDS
    assert response.json["_id"] == ALICE
    assert (response.json["name"], response.json["surname"], response.json["middlename"]) == (
        "Ivan",
        "Ivanov",
        "Ivanovich",
    )
    assert response.json["is_verified"] == 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", response.json["created_at"])
    for secret in ("password", "remember_token", "confirm_token", "argon2", PASSWORD):
        assert secret not in response.body


def test_list_shows_everyone_to_super_and_admins_and_only_themselves_to_a_user(
    api: ApiClient, people: dict[str, dict[str, str]]
) -> None:
    everyone = api.get("/api/v1/user", headers=people["super"])
    assert everyone.status == 200
    assert [u["_id"] for u in everyone.json] == [SUPER, ADMIN, ALICE, BOB]
    assert all(list(u) == USER_FIELDS for u in everyone.json)
    # An admin of no organization reads everyone (permissions.can_read).
    admin_view = api.get("/api/v1/user", headers=people["admin"]).json
    assert [u["_id"] for u in admin_view] == [SUPER, ADMIN, ALICE, BOB]
    assert [u["_id"] for u in api.get("/api/v1/user", headers=people["alice"]).json] == [ALICE]
    head = api.head("/api/v1/user", headers=people["alice"])
    assert (head.status, head.body) == (200, "")


def test_list_is_paged_by_cursor_with_a_cap(api: ApiClient, people: dict[str, dict[str, str]]) -> None:
    first = api.get("/api/v1/user", headers=people["super"], query={"limit": 3})
    assert [u["_id"] for u in first.json] == [SUPER, ADMIN, ALICE]
    assert first.headers["x-next-after"] == ALICE
    rest = api.get("/api/v1/user", headers=people["super"], query={"after": ALICE})
    assert [u["_id"] for u in rest.json] == [BOB]
    assert "x-next-after" not in rest.headers
    for query in ({"limit": 0}, {"limit": 101}, {"after": "zz"}):
        assert api.get("/api/v1/user", headers=people["super"], query=query).status == 422


def test_admins_create_users_who_get_a_verification_mail(
    api: ApiClient, people: dict[str, dict[str, str]], outbox_dir: Path
) -> None:
    body = registration("new@example.com", name="Petr", surname="Petrov", role="super")
    response = api.post("/api/v1/user", json=body, headers=people["admin"])
    assert response.status == 201
    assert list(response.json) == USER_FIELDS
    assert response.json["_id"] == f"{5:024x}"
    assert response.json["name"] == "Petr"
    created = users.get(5)
    assert created is not None
    assert created.role == "user"
    assert len(mails_to(outbox_dir, "new@example.com")) == 1
    assert login(api, "new@example.com")


def test_plain_users_cannot_create_users(api: ApiClient, people: dict[str, dict[str, str]]) -> None:
    response = api.post("/api/v1/user", json=registration("new@example.com"), headers=people["alice"])
    assert response.status == 403
    assert users.find_by("email", "new@example.com") is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", None, "The name field is required."),
        ("surname", "x" * 256, "The surname may not be greater than 255 characters."),
        ("email", "nope", "The email must be a valid email address."),
        ("email", "alice@example.com", "The email has already been taken."),
        ("password", "short", "The password must be at least 8 characters."),
    ],
)
def test_create_validates_each_field(
    api: ApiClient, people: dict[str, dict[str, str]], field: str, value: object, message: str
) -> None:
    body = {**registration("new@example.com"), field: value}
    response = api.post("/api/v1/user", json=body, headers=people["admin"])
    assert response.status == 422
    assert response.json["error"]["errors"] == {field: [message]}


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_users_edit_themselves(api: ApiClient, people: dict[str, dict[str, str]], method: str) -> None:
    response = api.request(
        method, f"/api/v1/user/{ALICE}", json={"name": "Alice", "middlename": None}, headers=people["alice"]
    )
    assert response.status == 200
    assert (response.json["name"], response.json["surname"], response.json["middlename"]) == (
        "Alice",
        "Ivanov",
        None,
    )
    assert api.get(f"/api/v1/user/{ALICE}", headers=people["alice"]).json == response.json


def test_changing_ones_own_email_moves_it_once_the_link_mailed_to_the_new_address_is_followed(
    api: ApiClient, people: dict[str, dict[str, str]], outbox_dir: Path
) -> None:
    response = api.patch(
        f"/api/v1/user/{ALICE}", json={"email": "ALICE2@example.com"}, headers=people["alice"]
    )
    assert response.status == 200
    assert response.json["email"] == "alice@example.com"  # until the new address is confirmed
    assert len(mails_to(outbox_dir, "ALICE2@example.com")) == 1
    confirmed = api.get(
        "/api/v1/verify", query={"token": link_token(outbox_dir, "ALICE2@example.com", "/links/verify")}
    )
    assert confirmed.status == 200, confirmed.body
    assert api.get(f"/api/v1/user/{ALICE}", headers=people["alice"]).json["email"] == "ALICE2@example.com"
    assert login(api, "alice2@example.com")
    assert api.post("/api/v1/login", json={"email": "alice@example.com", "password": PASSWORD}).status == 401
    taken = api.patch(f"/api/v1/user/{ALICE}", json={"email": "bob@example.com"}, headers=people["alice"])
    assert taken.status == 422
    assert taken.json["error"]["errors"] == {"email": ["The email has already been taken."]}


def test_update_validates_the_fields_it_gets(api: ApiClient, people: dict[str, dict[str, str]]) -> None:
    for body, errors in [
        ({"name": "x" * 256}, {"name": ["The name may not be greater than 255 characters."]}),
        ({"email": "nope"}, {"email": ["The email must be a valid email address."]}),
    ]:
        response = api.put(f"/api/v1/user/{ALICE}", json=body, headers=people["alice"])
        assert response.status == 422
        assert response.json["error"]["errors"] == errors


def test_users_cannot_read_or_edit_others_but_admins_can(
    api: ApiClient, people: dict[str, dict[str, str]]
) -> None:
    assert api.get(f"/api/v1/user/{BOB}", headers=people["alice"]).status == 403
    assert api.patch(f"/api/v1/user/{BOB}", json={"name": "x"}, headers=people["alice"]).status == 403
    assert api.delete(f"/api/v1/user/{BOB}", headers=people["alice"]).status == 403
    assert (
        api.patch(f"/api/v1/user/{BOB}", json={"name": "Bob"}, headers=people["admin"]).json["name"] == "Bob"
    )
    assert api.patch(f"/api/v1/user/{SUPER}", json={"name": "x"}, headers=people["admin"]).status == 403
    assert api.get(f"/api/v1/user/{SUPER}", headers=people["admin"]).status == 200


def test_delete_answers_true_and_removes_the_user_and_their_metas(
    api: ApiClient, people: dict[str, dict[str, str]]
) -> None:
    meta = api.post(
        "/api/v1/user_meta", json={"user__id": BOB, "key": "phone", "value": "+7"}, headers=people["bob"]
    ).json
    response = api.delete(f"/api/v1/user/{BOB}", headers=people["admin"])
    assert (response.status, response.json) == (200, True)
    assert api.get(f"/api/v1/user/{BOB}", headers=people["admin"]).status == 404
    assert api.get(f"/api/v1/user_meta/{meta['_id']}", headers=people["super"]).status == 404
    assert api.get("/api/v1/user_meta", headers=people["super"]).json == []
    assert api.get("/api/v1/demand", headers=people["bob"]).status == 401
    assert api.post("/api/v1/login", json={"email": "bob@example.com", "password": PASSWORD}).status == 401


def test_nobody_deletes_themselves_or_the_super(api: ApiClient, people: dict[str, dict[str, str]]) -> None:
    assert api.delete(f"/api/v1/user/{ADMIN}", headers=people["admin"]).status == 403
    assert api.delete(f"/api/v1/user/{SUPER}", headers=people["admin"]).status == 403
    assert api.delete(f"/api/v1/user/{SUPER}", headers=people["super"]).status == 403
    assert users.get(1) is not None
    assert users.get(2) is not None


@pytest.mark.parametrize("user_id", ["ffffffffffffffffffffffff", "1", "abc", "000000000000000000000000"])
def test_unknown_and_malformed_ids_are_404(
    api: ApiClient, people: dict[str, dict[str, str]], user_id: str
) -> None:
    for method in ("GET", "PUT", "PATCH", "DELETE"):
        response = api.request(method, f"/api/v1/user/{user_id}", json={"name": "x"}, headers=people["super"])
        assert (response.status, response.json) == (404, NOT_FOUND)
    assert api.head(f"/api/v1/user/{user_id}", headers=people["super"]).status == 404


def test_show_head_answers_without_a_body(api: ApiClient, people: dict[str, dict[str, str]]) -> None:
    response = api.head(f"/api/v1/user/{ALICE}", headers=people["alice"])
    assert (response.status, response.body) == (200, "")


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/v1/user"), ("HEAD", "/api/v1/user"), ("POST", "/api/v1/user"), ("GET", f"/api/v1/user/{ALICE}"),
     ("PUT", f"/api/v1/user/{ALICE}"), ("PATCH", f"/api/v1/user/{ALICE}"), ("DELETE", f"/api/v1/user/{ALICE}")],
)  # fmt: skip
def test_every_user_route_requires_a_token(api: ApiClient, method: str, path: str) -> None:
    response = api.request(method, path, json=None if method in ("GET", "HEAD", "DELETE") else {})
    assert response.status == 401
    if method != "HEAD":
        assert response.json == {"success": False, "error": {"code": 0, "message": "Token not provided"}}
