"""Surface A: /api/v1/register, verify, login, recover, reset, logout, and its error envelope."""

from __future__ import annotations

import time
from pathlib import Path

import jwt
import pytest

from gatehouse.data import users
from gatehouse.data.one_time_tokens import OneTimeTokenItem
from gatehouse.services import accounts
from gatehouse_local.testing import ApiClient, bearer
from tests.api.documentarian_client import (
    PASSWORD,
    link_token,
    login,
    mails_to,
    register,
    registration,
    signed_up,
)

TOKEN_NOT_PROVIDED = {"success": False, "error": {"code": 0, "message": "Token not provided"}}
# The original AuthController's words for a refused sign-in and a bad verification code.
NO_SUCH_ACCOUNT = (
    "We cant find an account with this credentials. Please make sure you entered the right "
    "information and you have verified your email address."
)
VERIFICATION_CODE_INVALID = {
    "success": False,
    "error": {"code": 404, "message": "Verification code is invalid."},
}


def test_register_answers_success_and_stores_the_canonical_user(api: ApiClient) -> None:
    response = api.post("/api/v1/register", json=registration("ivanov@example.com"))
    assert response.status == 200
    assert response.json == {
        "success": True,
        "message": "Thanks for signing up! Please check your email to complete your registration.",
    }
    user = users.find_by("email", "ivanov@example.com")
    assert user is not None
    assert (user.first_name, user.last_name, user.middle_name) == ("Ivan", "Ivanov", "Ivanovich")
    assert not user.is_verified


def test_register_accepts_a_form_and_an_absent_middlename(api: ApiClient) -> None:
    form = {k: v for k, v in registration("form@example.com").items() if k != "middlename"}
    assert api.post("/api/v1/register", data=form).status == 200
    assert login(api, "form@example.com")


def test_register_needs_only_name_email_and_password(api: ApiClient) -> None:
    body = {"name": "Ivan", "email": "short@example.com", "password": PASSWORD}
    response = api.post("/api/v1/register", json=body)
    assert response.status == 200, response.body
    user = users.find_by("email", "short@example.com")
    assert user is not None
    shown = api.get(f"/api/v1/user/{user.id:024x}", headers=bearer(login(api, "short@example.com")))
    assert (shown.json["name"], shown.json["surname"], shown.json["middlename"]) == ("Ivan", None, None)


def test_register_without_a_body_names_exactly_the_three_required_fields(api: ApiClient) -> None:
    response = api.post("/api/v1/register", json={})
    assert response.status == 422
    assert response.json["error"]["errors"] == {
        "name": ["The name field is required."],
        "email": ["The email field is required."],
        "password": ["The password field is required."],
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", None, "The name field is required."),
        ("name", "x" * 256, "The name may not be greater than 255 characters."),
        ("name", 5, "The name must be a string."),
        ("surname", "x" * 256, "The surname may not be greater than 255 characters."),
        ("middlename", "x" * 256, "The middlename may not be greater than 255 characters."),
        ("email", None, "The email field is required."),
        ("email", "not-an-address", "The email must be a valid email address."),
        ("email", "e" * 250 + "@x.org", "The email may not be greater than 255 characters."),
        ("password", None, "The password field is required."),
        ("password", "short", "The password must be at least 8 characters."),
        ("password", "p" * 257, "The password may not be greater than 256 characters."),
    ],
)
def test_register_validates_each_field_the_laravel_way(
    api: ApiClient, field: str, value: object, message: str
) -> None:
    response = api.post("/api/v1/register", json={**registration("v@example.com"), field: value})
    assert response.status == 422
    assert response.json["success"] is False
    assert response.json["error"]["code"] == 422
    assert response.json["error"]["errors"] == {field: [message]}
    assert users.find_by("email", "v@example.com") is None


def test_register_refuses_a_taken_email(api: ApiClient) -> None:
    register(api, "taken@example.com")
    response = api.post("/api/v1/register", json=registration(" TAKEN@example.com"))
    assert response.status == 422
    assert response.json["error"]["errors"] == {"email": ["The email has already been taken."]}


def test_a_body_that_is_not_json_is_a_400_in_the_envelope(api: ApiClient) -> None:
    response = api.post("/api/v1/register", body="{nope", headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert response.json["success"] is False


def test_the_verification_link_verifies_the_address_once_in_the_originals_words(
    api: ApiClient, outbox_dir: Path
) -> None:
    register(api, "verify@example.com")
    token = link_token(outbox_dir, "verify@example.com", "/links/verify")
    response = api.get("/api/v1/verify", query={"token": token})
    assert response.status == 200
    assert response.json == {"success": True, "message": "You have successfully verified your email address."}
    user = users.find_by("email", "verify@example.com")
    assert user is not None
    assert user.is_verified
    again = api.get("/api/v1/verify", query={"token": token})
    assert again.status == 404
    assert again.json == VERIFICATION_CODE_INVALID


def test_verify_without_a_token_is_a_validation_error(api: ApiClient) -> None:
    response = api.get("/api/v1/verify")
    assert response.status == 422
    assert response.json["error"]["errors"] == {"token": ["The token field is required."]}
    assert api.get("/api/v1/verify", query={"token": "unknown"}).json == VERIFICATION_CODE_INVALID


def test_login_answers_a_jwt_with_a_roles_claim(api: ApiClient) -> None:
    register(api, "first@example.com")
    register(api, "second@example.com")
    response = api.post("/api/v1/login", json={"email": "second@example.com", "password": PASSWORD})
    assert response.status == 200
    assert list(response.json) == ["success", "data"]
    assert response.json["success"] is True
    claims = jwt.decode(response.json["data"]["token"], options={"verify_signature": False})
    assert claims["roles"] == "user"
    assert claims["sub"] == "000000000000000000000002"
    first = jwt.decode(login(api, "first@example.com"), options={"verify_signature": False})
    assert first["roles"] == "super"


def test_the_token_subject_is_the_users_id_so_a_client_can_fetch_itself(api: ApiClient) -> None:
    register(api, "first@example.com")
    register(api, "self@example.com")
    token = login(api, "self@example.com")
    subject = jwt.decode(token, options={"verify_signature": False})["sub"]
    response = api.get(f"/api/v1/user/{subject}", headers=bearer(token))
    assert response.status == 200
    assert (response.json["_id"], response.json["email"]) == (subject, "self@example.com")


def test_a_login_token_authenticates_on_every_surface(api: ApiClient) -> None:
    register(api, "first@example.com")
    register(api, "everywhere@example.com")
    headers = bearer(login(api, "everywhere@example.com"))
    assert api.get("/api/auth/me", headers=headers).json["email"] == "everywhere@example.com"
    assert api.get("/api/users/2", headers=headers).json["data"]["user"]["email"] == "everywhere@example.com"
    current = api.get("/api/v1/users/current", headers=headers)
    assert current.json["user"]["contacts"]["email"] == "everywhere@example.com"
    assert api.get("/api/v0/tokens/validate", headers=headers).json["email"] == "everywhere@example.com"


def test_b_refresh_rotates_an_a_token_into_one_with_b_s_decimal_subject(api: ApiClient) -> None:
    register(api, "first@example.com")
    register(api, "rotate@example.com")
    old = login(api, "rotate@example.com")
    response = api.post("/api/auth/refresh", headers=bearer(old))
    assert response.status == 200
    new = response.json["access_token"]
    assert jwt.decode(new, options={"verify_signature": False})["sub"] == "2"
    assert api.get("/api/v1/user/000000000000000000000002", headers=bearer(new)).status == 200
    assert api.get("/api/v1/logout", headers=bearer(old)).status == 401


def test_login_with_bad_credentials_is_401_with_the_originals_message(api: ApiClient) -> None:
    register(api, "me@example.com")
    for email, password in [("me@example.com", "wrong-password"), ("ghost@example.com", PASSWORD)]:
        response = api.post("/api/v1/login", json={"email": email, "password": password})
        assert response.status == 401
        assert response.json == {"success": False, "error": {"code": 401, "message": NO_SUCH_ACCOUNT}}


def test_login_requires_both_fields(api: ApiClient) -> None:
    response = api.post("/api/v1/login", json={})
    assert response.status == 422
    assert response.json["error"]["errors"] == {
        "email": ["The email field is required."],
        "password": ["The password field is required."],
    }


def test_unverified_accounts_are_refused_when_the_deployment_requires_it(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    register(api, "late@example.com")
    monkeypatch.setattr(accounts._settings, "require_verified_email", True)
    response = api.post("/api/v1/login", json={"email": "late@example.com", "password": PASSWORD})
    assert response.status == 403
    assert response.json == {"success": False, "error": {"code": 403, "message": NO_SUCH_ACCOUNT}}


def test_logout_revokes_the_token_on_every_surface(api: ApiClient) -> None:
    headers = signed_up(api, "out@example.com")
    response = api.get("/api/v1/logout", headers=headers)
    assert response.status == 200
    assert response.json == {"success": True, "message": "You have successfully logged out."}
    assert api.get("/api/v1/logout", headers=headers).status == 401
    assert api.get("/api/auth/me", headers=headers).status == 401


def test_head_logout_revokes_too_and_has_no_body(api: ApiClient) -> None:
    headers = signed_up(api, "head@example.com")
    response = api.head("/api/v1/logout", headers=headers)
    assert response.status == 200
    assert response.body == ""
    assert api.get("/api/v1/demand", headers=headers).status == 401


def test_logout_without_a_token_answers_the_documented_body(api: ApiClient) -> None:
    response = api.get("/api/v1/logout")
    assert response.status == 401
    assert response.json == TOKEN_NOT_PROVIDED
    head = api.head("/api/v1/logout")
    assert (head.status, head.body) == (401, "")


def test_an_invalid_token_is_401_in_the_envelope(api: ApiClient) -> None:
    response = api.get("/api/v1/logout", headers=bearer("nonsense"))
    assert response.status == 401
    assert response.json == {"success": False, "error": {"code": 0, "message": "Token is invalid"}}


def test_recover_answers_the_originals_message_for_known_and_unknown_addresses(
    api: ApiClient, outbox_dir: Path
) -> None:
    register(api, "known@example.com")
    known = api.post("/api/v1/recover", json={"email": "known@example.com"})
    unknown = api.post("/api/v1/recover", json={"email": "nobody@example.com"})
    assert known.status == unknown.status == 200
    assert known.body == unknown.body
    assert known.json == {
        "success": True,
        "data": {"message": "A reset email has been sent! Please check your email."},
    }
    assert len(mails_to(outbox_dir, "known@example.com")) == 2  # verification + reset
    assert mails_to(outbox_dir, "nobody@example.com") == []


def test_recover_validates_the_address(api: ApiClient) -> None:
    for body, message in [({}, "The email field is required."), ({"email": "x"}, "The email must be a valid email address.")]:  # fmt: skip
        response = api.post("/api/v1/recover", json=body)
        assert response.status == 422
        assert response.json["error"]["errors"] == {"email": [message]}


def test_the_reset_token_is_stored_only_as_a_hash(
    api: ApiClient, outbox_dir: Path, embedded_aws: object
) -> None:
    register(api, "hash@example.com")
    api.post("/api/v1/recover", json={"email": "hash@example.com"})
    token = link_token(outbox_dir, "hash@example.com", "/links/reset")
    stored = OneTimeTokenItem.get(*OneTimeTokenItem.key("reset", token))
    assert token not in stored.PK
    assert stored.purpose == "reset"


def test_reset_sets_the_password_once_and_signs_out_everywhere(api: ApiClient, outbox_dir: Path) -> None:
    headers = signed_up(api, "reset@example.com")
    api.post("/api/v1/recover", json={"email": "reset@example.com"})
    token = link_token(outbox_dir, "reset@example.com", "/links/reset")
    body = {"token": token, "password": "brand-new-pass", "password_confirmation": "brand-new-pass"}
    response = api.post("/api/v1/reset", json=body)
    assert response.status == 200
    assert response.json == {"success": True, "message": "Your password has been reset. Please log in again."}
    assert api.get("/api/v1/demand", headers=headers).status == 401
    assert api.post("/api/v1/login", json={"email": "reset@example.com", "password": PASSWORD}).status == 401
    assert login(api, "reset@example.com", "brand-new-pass")
    reused = api.post("/api/v1/reset", json={**body, "password": "another-pass", "password_confirmation": "another-pass"})  # fmt: skip
    assert reused.status == 422
    assert reused.json["error"]["errors"] == {"token": ["The selected token is invalid."]}
    assert login(api, "reset@example.com", "brand-new-pass")


def test_an_expired_reset_token_is_refused(api: ApiClient, outbox_dir: Path) -> None:
    register(api, "expired@example.com")
    api.post("/api/v1/recover", json={"email": "expired@example.com"})
    token = link_token(outbox_dir, "expired@example.com", "/links/reset")
    item = OneTimeTokenItem.get(*OneTimeTokenItem.key("reset", token))
    item.update(actions=[OneTimeTokenItem.expires_at.set(int(time.time()) - 1)])
    body = {"token": token, "password": "brand-new-pass", "password_confirmation": "brand-new-pass"}
    response = api.post("/api/v1/reset", json=body)
    assert response.status == 422
    assert login(api, "expired@example.com")


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"token": ["The token field is required."], "password": ["The password field is required."]}),
        (
            {"token": "t", "password": "short", "password_confirmation": "short"},
            {"password": ["The password must be at least 8 characters."]},
        ),
        (
            {"token": "t", "password": "long-enough", "password_confirmation": "different"},
            {"password": ["The password confirmation does not match."]},
        ),
    ],
)
def test_reset_validates_its_fields_without_using_the_token(
    api: ApiClient, outbox_dir: Path, body: dict[str, str], errors: dict[str, list[str]]
) -> None:
    register(api, "v@example.com")
    api.post("/api/v1/recover", json={"email": "v@example.com"})
    token = link_token(outbox_dir, "v@example.com", "/links/reset")
    response = api.post("/api/v1/reset", json={**body, "token": token} if "token" in body else body)
    assert response.status == 422
    assert response.json["error"]["errors"] == errors
    good = {"token": token, "password": "brand-new-pass", "password_confirmation": "brand-new-pass"}
    assert api.post("/api/v1/reset", json=good).status == 200


def test_registered_here_signs_in_through_surface_b(api: ApiClient) -> None:
    register(api, "cross@example.com")
    response = api.post("/api/auth/login", json={"email": "cross@example.com", "password": PASSWORD})
    assert response.status == 200
    me = api.get("/api/auth/me", headers=bearer(response.json["access_token"]))
    assert me.json["email"] == "cross@example.com"


def test_registered_through_b_signs_in_here(api: ApiClient) -> None:
    b_user = {"username": "bee", "password": "12345678", "email": "bee@example.com", "sex": 0, "age": 30}
    assert api.post("/api/auth/register", json=b_user).status == 200
    token = login(api, "bee@example.com", "12345678")
    assert login(api, "bee", "12345678")  # the login name works too
    me = api.get("/api/v1/user/000000000000000000000001", headers=bearer(token))
    assert me.status == 200
    assert me.json["email"] == "bee@example.com"
    b_token = api.post("/api/auth/login", json={"email": "bee@example.com", "password": "12345678"})
    assert api.get("/api/v1/logout", headers=bearer(b_token.json["access_token"])).status == 200
