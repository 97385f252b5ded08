"""Surface E (Goncord): sign-in, Goncord's token claims, validation by header or cookie, sign-out,
and the tokens shared with the other surfaces."""

from __future__ import annotations

import time
import uuid

import jwt
import pytest

from gatehouse.data.models import UserItem, user_key
from gatehouse.security.signing_key import signing_key
from gatehouse_local.testing import ApiClient, bearer
from tests.api.goncord_client import PERSON, USER_FIELDS, audit_trail, register, sign_in

BAD_CREDENTIALS = {"error": "Проверьте правильность логина, email или пароля"}
UNAUTHENTICATED = {"error": "Требуется аутентификация"}


def test_sign_in_by_email_answers_201_with_the_user_and_a_jwt(api: ApiClient) -> None:
    register(api)
    response = api.post("/api/v0/tokens", json={"email": "test@gmail.com", "password": "password"})
    assert response.status == 201
    assert list(response.json) == ["user", "jwt"]
    assert list(response.json["user"]) == USER_FIELDS
    assert response.json["user"]["login"] == "test"


def test_sign_in_by_login_works_and_login_wins_when_both_are_sent(api: ApiClient) -> None:
    register(api)
    assert sign_in(api, "TEST")
    both = api.post(
        "/api/v0/tokens", json={"login": "test", "email": "ghost@example.com", "password": "password"}
    )
    assert both.status == 201


def test_the_jwt_carries_goncords_claims(api: ApiClient) -> None:
    register(api)
    token = sign_in(api)
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "HS512"
    claims = jwt.decode(token, signing_key(), algorithms=["HS512"], audience="User:1")
    assert claims["iss"] == "Goncord"
    assert claims["sub"] == claims["aud"] == "User:1"
    assert claims["typ"] == "token"
    assert claims["pem"] == {}
    assert uuid.UUID(claims["jti"])
    assert claims["exp"] - claims["iat"] == 14 * 24 * 3600
    assert abs(claims["iat"] - time.time()) < 60


@pytest.mark.parametrize(
    "credentials",
    [
        {"login": "test", "password": "wrong-password"},
        {"email": "test@gmail.com", "password": "wrong-password"},
        {"login": "ghost", "password": "password"},
        {"email": "ghost@example.com", "password": "password"},
    ],
)
def test_bad_credentials_answer_422_with_the_originals_message(
    api: ApiClient, credentials: dict[str, str]
) -> None:
    register(api)
    response = api.post("/api/v0/tokens", json=credentials)
    assert response.status == 422
    assert response.json == BAD_CREDENTIALS
    assert audit_trail()[-1] == ("auth.login", "failure", None)


def test_sign_in_without_an_identifier_or_password_is_a_validation_error(api: ApiClient) -> None:
    response = api.post("/api/v0/tokens", json={"password": "password"})
    assert response.status == 422
    assert response.json == {"errors": {"login": ["can't be blank"], "email": ["can't be blank"]}}
    response = api.post("/api/v0/tokens", json={"login": "test"})
    assert response.json == {"errors": {"password": ["can't be blank"]}}


def test_a_deactivated_account_cannot_sign_in(api: ApiClient) -> None:
    register(api)
    UserItem.get(*user_key(1)).update(actions=[UserItem.is_active.set(False)])
    response = api.post("/api/v0/tokens", json={"login": "test", "password": "password"})
    assert response.status == 422
    assert response.json == BAD_CREDENTIALS


def test_validate_answers_the_user_for_a_bearer_token(api: ApiClient) -> None:
    register(api)
    token = sign_in(api)
    response = api.get("/api/v0/tokens/validate", headers=bearer(token))
    assert response.status == 200
    assert list(response.json) == USER_FIELDS
    assert response.json["email"] == PERSON["email"]


def test_validate_reads_the_jwt_cookie_when_there_is_no_authorization_header(api: ApiClient) -> None:
    register(api)
    token = sign_in(api)
    response = api.get("/api/v0/tokens/validate", cookies={"jwt": token})
    assert response.status == 200
    assert response.json["login"] == "test"


def test_a_present_authorization_header_wins_over_the_cookie(api: ApiClient) -> None:
    register(api)
    good = sign_in(api)
    bad_header = api.get(
        "/api/v0/tokens/validate", headers={"Authorization": "Bearer junk"}, cookies={"jwt": good}
    )
    assert bad_header.status == 401
    empty_header = api.get("/api/v0/tokens/validate", headers={"Authorization": ""}, cookies={"jwt": good})
    assert empty_header.status == 401
    register(api, login="second", email="second@example.com")
    other = sign_in(api, "second")
    both = api.get("/api/v0/tokens/validate", headers=bearer(other), cookies={"jwt": good})
    assert both.json["login"] == "second"


@pytest.mark.parametrize(
    ("headers", "cookies"),
    [
        pytest.param({}, {}, id="nothing"),
        pytest.param({"Authorization": "Bearer junk"}, {}, id="garbage-header"),
        pytest.param({}, {"jwt": "junk"}, id="garbage-cookie"),
        pytest.param({"Authorization": "Basic dXNlcjpwYXNz"}, {}, id="wrong-scheme"),
    ],
)
def test_validate_without_a_usable_token_is_401(
    api: ApiClient, headers: dict[str, str], cookies: dict[str, str]
) -> None:
    response = api.get("/api/v0/tokens/validate", headers=headers, cookies=cookies)
    assert response.status == 401
    assert response.json == UNAUTHENTICATED


def test_an_expired_or_forged_token_is_401(api: ApiClient) -> None:
    register(api)
    token = sign_in(api)
    claims = jwt.decode(token, signing_key(), algorithms=["HS512"], options={"verify_aud": False})
    expired = jwt.encode({**claims, "exp": int(time.time()) - 3600}, signing_key(), algorithm="HS512")
    forged = jwt.encode(claims, "not-the-key" * 8, algorithm="HS512")
    other_user = jwt.encode({**claims, "sub": "User:2", "aud": "User:2"}, signing_key(), algorithm="HS512")
    for candidate in (expired, forged, other_user):
        response = api.get("/api/v0/tokens/validate", headers=bearer(candidate))
        assert response.status == 401
        assert response.json == UNAUTHENTICATED


def test_sign_out_answers_204_and_the_token_stops_working(api: ApiClient) -> None:
    register(api)
    token = sign_in(api)
    other_session = sign_in(api)
    response = api.delete("/api/v0/tokens", headers=bearer(token))
    assert response.status == 204
    assert response.body == ""
    assert api.get("/api/v0/tokens/validate", headers=bearer(token)).status == 401
    assert api.get("/api/v0/tokens/validate", cookies={"jwt": token}).status == 401
    assert api.delete("/api/v0/tokens", headers=bearer(token)).status == 401
    assert api.get("/api/v0/tokens/validate", headers=bearer(other_session)).status == 200


def test_sign_out_through_the_cookie(api: ApiClient) -> None:
    register(api)
    token = sign_in(api)
    assert api.delete("/api/v0/tokens", cookies={"jwt": token}).status == 204
    assert api.get("/api/v0/tokens/validate", headers=bearer(token)).status == 401


def test_sign_in_and_out_are_audited(api: ApiClient) -> None:
    register(api)
    api.delete("/api/v0/tokens", headers=bearer(sign_in(api)))
    assert audit_trail() == [
        ("user.register", "success", "user"),
        ("auth.login", "success", "user"),
        ("auth.logout", "success", "user"),
    ]


# The same people and sessions on every surface.


def test_a_user_registered_here_signs_in_through_surface_b_by_email_or_login(api: ApiClient) -> None:
    register(api, password="password-1")
    for identifier in ("test@gmail.com", "test"):
        response = api.post("/api/auth/login", json={"email": identifier, "password": "password-1"})
        assert response.status == 200
        me = api.get("/api/auth/me", headers=bearer(response.json["access_token"]))
        assert me.json["username"] == "test"


def test_a_token_from_surface_b_validates_here(api: ApiClient) -> None:
    register(api, password="password-1")
    token = api.post("/api/auth/login", json={"email": "test", "password": "password-1"}).json["access_token"]
    response = api.get("/api/v0/tokens/validate", headers=bearer(token))
    assert response.status == 200
    assert response.json["login"] == "test"
    assert api.get("/api/v0/tokens/validate", cookies={"jwt": token}).status == 200


def test_a_user_registered_through_b_signs_in_here(api: ApiClient) -> None:
    body = {"username": "bee", "password": "12345678", "email": "bee@example.com", "sex": 0, "age": 30}
    assert api.post("/api/auth/register", json=body).status == 200
    response = api.post("/api/v0/tokens", json={"email": "bee@example.com", "password": "12345678"})
    assert response.status == 201
    assert response.json["user"]["login"] == "bee"


def test_a_goncord_token_works_on_surface_b_until_signed_out_here(api: ApiClient) -> None:
    register(api)
    token = sign_in(api)
    assert api.get("/api/auth/me", headers=bearer(token)).json["username"] == "test"
    assert api.delete("/api/v0/tokens", headers=bearer(token)).status == 204
    assert api.get("/api/auth/me", headers=bearer(token)).status == 401


def test_signing_out_through_b_revokes_the_token_here_too(api: ApiClient) -> None:
    register(api, password="password-1")
    token = api.post("/api/auth/login", json={"email": "test", "password": "password-1"}).json["access_token"]
    assert api.post("/api/auth/logout", headers=bearer(token)).status == 200
    assert api.get("/api/v0/tokens/validate", headers=bearer(token)).status == 401


def test_a_cookie_authenticates_a_post_only_with_a_json_body(api: ApiClient) -> None:
    """A cross-site form can carry the `jwt` cookie but not a JSON content type (CSRF)."""
    register(api)
    token = sign_in(api)
    change = {"old_password": PERSON["password"], "new_password": "another-secret"}
    forged = api.post("/api/v0/users/change_password", data=change, cookies={"jwt": token})
    assert forged.status == 401
    plain_text = api.post(
        "/api/v0/users/change_password",
        body='{"old_password": "x", "new_password": "yyyyyy"}',
        headers={"Content-Type": "text/plain"},
        cookies={"jwt": token},
    )
    assert plain_text.status == 401
    assert api.post("/api/v0/users/change_password", json=change, cookies={"jwt": token}).status == 200
