"""One identity behind all five surfaces: sign up anywhere, sign in everywhere, revoke everywhere."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from gatehouse_local.testing import ApiClient, bearer

PASSWORD = "correct-horse-1"


@dataclass(frozen=True)
class Person:
    email: str
    login: str | None


def sign_in_a(api: ApiClient, identifier: str, password: str = PASSWORD) -> str | None:
    response = api.post("/api/v1/login", json={"email": identifier, "password": password})
    return response.json["data"]["token"] if response.status == 200 else None


def sign_in_b(api: ApiClient, identifier: str, password: str = PASSWORD) -> str | None:
    response = api.post("/api/auth/login", json={"email": identifier, "password": password})
    return response.json["access_token"] if response.status == 200 else None


def sign_in_c(api: ApiClient, identifier: str, password: str = PASSWORD) -> str | None:
    response = api.post("/api/login", json={"email": identifier, "password": password, "device_name": "x"})
    return response.json["data"]["token"] if response.status == 200 else None


def sign_in_e(api: ApiClient, identifier: str, password: str = PASSWORD) -> str | None:
    field = "email" if "@" in identifier else "login"
    response = api.post("/api/v0/tokens", json={field: identifier, "password": password})
    return response.json["jwt"] if response.status == 201 else None


SIGN_INS: dict[str, Callable[..., str | None]] = {
    "A": sign_in_a,
    "B": sign_in_b,
    "C": sign_in_c,
    "E": sign_in_e,
}


def who_am_i(api: ApiClient, token: str) -> dict[str, int | str | None]:
    """The signed-in user's email as each surface reports it (None when refused)."""
    headers = bearer(token)
    answers: dict[str, int | str | None] = {}
    b = api.get("/api/auth/me", headers=headers)
    answers["B"] = b.json["email"] if b.status == 200 else None
    d = api.get("/api/v1/users/current", headers=headers)
    answers["D"] = d.json["user"]["contacts"]["email"] if d.status == 200 else None
    e = api.get("/api/v0/tokens/validate", headers=headers)
    answers["E"] = e.json["email"] if e.status == 200 else None
    user_id = b.json["id"] if b.status == 200 else None
    a = api.get(f"/api/v1/user/{user_id or 0:024x}", headers=headers)
    answers["A"] = a.json["email"] if a.status == 200 else None
    c = api.get(f"/api/users/{user_id or 0}", headers=headers)
    answers["C"] = c.json["data"]["user"]["email"] if c.status == 200 else None
    return answers


@pytest.fixture
def root_token(api: ApiClient) -> str:
    """The first user ever created (the super), who may create users on C and D."""
    body = {"username": "root", "password": PASSWORD, "email": "root@example.com", "sex": 0, "age": 40}
    assert api.post("/api/auth/register", json=body).status == 200
    token = sign_in_b(api, "root@example.com")
    assert token
    return token


def register_everywhere(api: ApiClient, root_token: str) -> dict[str, Person]:
    people = {
        "A": Person("anna@example.com", None),
        "B": Person("boris@example.com", "boris"),
        "C": Person("carl@example.com", None),
        "D": Person("dina@example.com", "dina"),
        "E": Person("egor@example.com", "egor"),
    }
    responses = {
        "A": api.post(
            "/api/v1/register",
            json={"name": "Anna", "surname": "A", "email": people["A"].email, "password": PASSWORD},
        ),
        "B": api.post(
            "/api/auth/register",
            json={"username": "boris", "password": PASSWORD, "email": people["B"].email, "sex": 1, "age": 30},
        ),
        "C": api.post(
            "/api/users",
            headers=bearer(root_token),
            json={
                "name": "Carl C",
                "email": people["C"].email,
                "password": PASSWORD,
                "password_confirmation": PASSWORD,
                "organization_id": _organization(api, root_token),
            },
        ),
        "D": api.post(
            "/api/v1/users/new_user",
            headers=bearer(root_token),
            json={
                "first_name": "Dina",
                "last_name": "D",
                "nickname": "dina",
                "email": people["D"].email,
                "password": PASSWORD,
            },
        ),
        "E": api.post(
            "/api/v0/users", json={"login": "egor", "password": PASSWORD, "email": people["E"].email}
        ),
    }
    for surface, response in responses.items():
        assert response.status in (200, 201), (surface, response.status, response.body)
    return people


def _organization(api: ApiClient, root_token: str) -> int:
    response = api.post("/api/organizations", headers=bearer(root_token), json={"name": "Acme"})
    assert response.status == 201, response.body
    organization_id: int = response.json["data"]["organization"]["id"]
    return organization_id


def test_someone_registered_on_any_surface_signs_in_on_every_surface(api: ApiClient, root_token: str) -> None:
    people = register_everywhere(api, root_token)
    for registered_on, person in people.items():
        for identifier in filter(None, (person.email, person.login)):
            for signed_in_on, sign_in in SIGN_INS.items():
                assert sign_in(api, identifier), (
                    f"registered on {registered_on}, {identifier} refused by {signed_in_on}"
                )


def test_a_token_from_any_surface_authenticates_on_every_surface(api: ApiClient, root_token: str) -> None:
    people = register_everywhere(api, root_token)
    person = people["E"]
    for issued_by, sign_in in SIGN_INS.items():
        token = sign_in(api, person.email)
        assert token
        assert who_am_i(api, token) == dict.fromkeys("BDEAC", person.email), issued_by


@pytest.mark.parametrize(
    ("issued_by", "sign_out"),
    [
        ("A", lambda api, token: api.get("/api/v1/logout", headers=bearer(token))),
        ("B", lambda api, token: api.post("/api/auth/logout", headers=bearer(token))),
        ("C", lambda api, token: api.post("/api/logout", headers=bearer(token))),
        ("E", lambda api, token: api.delete("/api/v0/tokens", headers=bearer(token))),
    ],
)
def test_signing_out_on_one_surface_revokes_the_token_on_every_surface(
    api: ApiClient, root_token: str, issued_by: str, sign_out: Callable[[ApiClient, str], object]
) -> None:
    people = register_everywhere(api, root_token)
    token = SIGN_INS[issued_by](api, people["B"].email)
    assert token
    sign_out(api, token)
    assert who_am_i(api, token) == dict.fromkeys("BDEAC")


def test_a_password_changed_on_one_surface_is_the_password_everywhere(
    api: ApiClient, root_token: str
) -> None:
    people = register_everywhere(api, root_token)
    token = sign_in_e(api, "egor")
    assert token
    changed = api.post(
        "/api/v0/users/change_password",
        headers=bearer(token),
        json={"old_password": PASSWORD, "new_password": "a-new-secret-2"},
    )
    assert changed.status == 200, changed.body
    for surface, sign_in in SIGN_INS.items():
        assert sign_in(api, people["E"].email, "a-new-secret-2"), surface
        assert not sign_in(api, people["E"].email, PASSWORD), surface


def test_a_user_deactivated_on_c_is_locked_out_of_every_surface(api: ApiClient, root_token: str) -> None:
    people = register_everywhere(api, root_token)
    tokens = {surface: sign_in(api, people["A"].email) for surface, sign_in in SIGN_INS.items()}
    user_id = api.get("/api/auth/me", headers=bearer(tokens["B"] or "")).json["id"]
    assert api.put(f"/api/users/{user_id}/deactivate", headers=bearer(root_token)).status == 200
    for surface, token in tokens.items():
        assert token
        assert who_am_i(api, token) == dict.fromkeys("BDEAC"), surface
        assert not SIGN_INS[surface](api, people["A"].email), surface
    assert api.put(f"/api/users/{user_id}/activate", headers=bearer(root_token)).status == 200
    assert all(sign_in(api, people["A"].email) for sign_in in SIGN_INS.values())


def test_an_email_taken_on_one_surface_is_taken_on_all(api: ApiClient, root_token: str) -> None:
    register_everywhere(api, root_token)
    taken = "boris@example.com"
    refusals = [
        api.post(
            "/api/v1/register", json={"name": "X", "surname": "Y", "email": taken, "password": PASSWORD}
        ),
        api.post("/api/v0/users", json={"login": "other", "password": PASSWORD, "email": taken.upper()}),
        api.post(
            "/api/v1/users/new_user",
            headers=bearer(root_token),
            json={
                "first_name": "X",
                "last_name": "Y",
                "nickname": "x1",
                "email": taken,
                "password": PASSWORD,
            },
        ),
    ]
    assert [r.status for r in refusals] == [422, 422, 422]


@pytest.mark.parametrize(
    ("surface", "change"),
    [
        (
            "E",
            lambda api, token, user_id: api.post(
                "/api/v0/users/change_password",
                headers=bearer(token),
                json={"old_password": PASSWORD, "new_password": "a-new-secret-2"},
            ),
        ),
        (
            "D",
            lambda api, token, user_id: api.post(
                f"/api/v1/users/id/{user_id}/update/password",
                headers=bearer(token),
                json={"password": PASSWORD, "new_password": "a-new-secret-2"},
            ),
        ),
        (
            "C",
            lambda api, token, user_id: api.put(
                f"/api/users/{user_id}/password",
                headers=bearer(token),
                json={"password": "a-new-secret-2", "password_confirmation": "a-new-secret-2"},
            ),
        ),
    ],
)
def test_changing_ones_own_password_keeps_this_session_and_ends_the_others_everywhere(
    api: ApiClient, root_token: str, surface: str, change: Callable[[ApiClient, str, int], Any]
) -> None:
    people = register_everywhere(api, root_token)
    email = people["C"].email
    others = {issuer: sign_in(api, email) for issuer, sign_in in SIGN_INS.items()}
    current = SIGN_INS[surface if surface != "D" else "B"](api, email)
    assert current
    user_id = api.get("/api/auth/me", headers=bearer(current)).json["id"]
    response = change(api, current, user_id)
    assert response.status == 200, response.body
    assert who_am_i(api, current) == dict.fromkeys("BDEAC", email)
    for issuer, token in others.items():
        assert token
        assert who_am_i(api, token) == dict.fromkeys("BDEAC"), issuer
    assert sign_in_b(api, email, "a-new-secret-2")
