"""Goncord's clients key users by `login`: whoever registered on another surface has one on E."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from gatehouse_local.testing import ApiClient, bearer
from tests.api.documentarian_client import registration

PASSWORD = "correct-horse-1"


def sign_in_on_e(api: ApiClient, identifier: str) -> dict[str, object]:
    field = "email" if "@" in identifier else "login"
    response = api.post("/api/v0/tokens", json={field: identifier, "password": PASSWORD})
    assert response.status == 201, (identifier, response.body)
    validated = api.get("/api/v0/tokens/validate", headers=bearer(response.json["jwt"]))
    assert validated.status == 200
    assert validated.json == response.json["user"]
    user: dict[str, object] = validated.json
    return user


@pytest.fixture
def root_token(api: ApiClient) -> str:
    body = {"username": "root", "password": PASSWORD, "email": "root@example.com", "sex": 0, "age": 40}
    assert api.post("/api/auth/register", json=body).status == 200
    response = api.post("/api/auth/login", json={"email": "root@example.com", "password": PASSWORD})
    token: str = response.json["access_token"]
    return token


def test_someone_registered_on_a_signs_in_on_e_with_the_local_part_of_their_email(api: ApiClient) -> None:
    response = api.post("/api/v1/register", json=registration("Anna.K+work@example.com", password=PASSWORD))
    assert response.status == 200, response.body
    user = sign_in_on_e(api, "anna.k")
    assert user["login"] == "anna.k"
    assert user["email"] == "Anna.K+work@example.com"


def test_a_user_created_by_an_admin_on_a_has_a_login_on_e(api: ApiClient, root_token: str) -> None:
    body = registration("petr@example.com", password=PASSWORD)
    assert api.post("/api/v1/user", json=body, headers=bearer(root_token)).status == 201
    assert sign_in_on_e(api, "petr")["login"] == "petr"


def test_a_user_created_on_c_has_a_login_on_e(api: ApiClient, root_token: str) -> None:
    organization = api.post("/api/organizations", headers=bearer(root_token), json={"name": "Acme"})
    body = {
        "name": "Carl C",
        "email": "carl@example.com",
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
        "organization_id": organization.json["data"]["organization"]["id"],
    }
    response = api.post("/api/users", headers=bearer(root_token), json=body)
    assert response.status == 201, response.body
    assert sign_in_on_e(api, "carl")["email"] == "carl@example.com"


def test_b_and_d_keep_the_name_their_client_chose(api: ApiClient, root_token: str) -> None:
    body = {
        "first_name": "Dina",
        "last_name": "D",
        "nickname": "dina_d",
        "email": "dina@example.com",
        "password": PASSWORD,
    }
    assert api.post("/api/v1/users/new_user", headers=bearer(root_token), json=body).status == 200
    assert sign_in_on_e(api, "dina_d")["login"] == "dina_d"
    assert sign_in_on_e(api, "root")["login"] == "root"


def test_a_local_part_someone_already_uses_as_login_gets_a_suffix(api: ApiClient) -> None:
    taken = api.post("/api/v0/users", json={"login": "anna", "password": PASSWORD, "email": "x@example.com"})
    assert taken.status == 201
    response = api.post("/api/v1/register", json=registration("anna@example.com", password=PASSWORD))
    assert response.status == 200, response.body
    assert sign_in_on_e(api, "anna_2")["email"] == "anna@example.com"
    assert sign_in_on_e(api, "anna")["email"] == "x@example.com"


def test_simultaneous_registrations_with_one_local_part_all_succeed_with_distinct_logins(
    api: ApiClient,
) -> None:
    def sign_up(n: int) -> int:
        body = registration(f"same@domain{n}.example", password=PASSWORD)
        return api.post("/api/v1/register", json=body).status

    with ThreadPoolExecutor(max_workers=6) as pool:
        assert list(pool.map(sign_up, range(6))) == [200] * 6
    emails = [f"same@domain{n}.example" for n in range(6)]
    logins = [sign_in_on_e(api, email)["login"] for email in emails]
    assert len(set(logins)) == 6
    assert "same" in logins
    assert [sign_in_on_e(api, str(login))["email"] for login in logins] == emails
