"""Regression tests named by the OWASP ASVS 5.0 and API Security Top 10 (2023) cases an attack
suite found open; each goes through the real handlers and template.yaml's routes."""

from __future__ import annotations

import base64
import io
import os
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, PngImagePlugin

from gatehouse import clock
from gatehouse.data import users
from gatehouse.services import lockouts
from gatehouse.services.identity import canonical
from gatehouse.settings import get_settings
from gatehouse_local.embedded_aws import MotoAws
from gatehouse_local.testing import ApiClient, CallCounter, bearer
from tests.api import documentarian_client as a_client
from tests.api.emf import emf_metrics
from tests.api.goncord_client import as_app, audit_trail, create_app, register, registered_super, sign_in
from tests.api.users_admin_support import cast


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


# ---- ASVS 6.3.1: brute force is locked out per account and client ----

ATTACKER_IP = "198.51.100.66"
OWNER_IP = "192.0.2.7"
B_PASSWORD = "correct-horse-1"


def _b_user(api: ApiClient, name: str = "victim") -> str:
    email = f"{name}@example.com"
    body = {"username": name, "password": B_PASSWORD, "email": email, "sex": 0, "age": 30}
    assert api.post("/api/auth/register", json=body).status == 200
    return email


def _b_login(api: ApiClient, email: str, password: str, ip: str = ATTACKER_IP) -> Any:
    return api.post("/api/auth/login", json={"email": email, "password": password}, source_ip=ip)


def _shift_clock(monkeypatch: pytest.MonkeyPatch, seconds: int) -> None:
    moment = clock.epoch_ms() + seconds * 1000
    monkeypatch.setattr(clock, "epoch_ms", lambda: moment)


def test_asvs_6_3_1_wrong_passwords_lock_the_client_out_with_429_and_retry_after(
    api: ApiClient, capsys: pytest.CaptureFixture[str]
) -> None:
    email = _b_user(api)
    capsys.readouterr()
    answers = [_b_login(api, email, f"wrong-{n}") for n in range(35)]
    assert [a.status for a in answers[:10]] == [401] * 10
    assert {a.status for a in answers[10:]} == {429}
    assert answers[10].json == {"message": "Too Many Attempts."}
    assert 55 <= int(answers[10].headers["retry-after"]) <= 60  # the first lock: 60 s from the 10th failure
    # Locked means locked: the right password from that client is refused too, unchecked.
    assert _b_login(api, email, B_PASSWORD).status == 429
    # The owner, from a client with no failures, is not locked out by the attacker.
    assert _b_login(api, email, B_PASSWORD, ip=OWNER_IP).status == 200
    assert ("auth.lockout", "failure", "user") in audit_trail()
    # Counted as the Lockout metric (EMF, namespace Gatehouse): one lock, one count.
    assert emf_metrics(capsys.readouterr().out)["Lockout"] == 1


def test_asvs_6_3_1_each_failure_after_a_lock_doubles_it_up_to_15_minutes(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    email = _b_user(api)
    _shift_clock(monkeypatch, 0)  # the clock stands still but where the test moves it
    for n in range(10):
        _b_login(api, email, f"wrong-{n}")
    waits = [_b_login(api, email, "wrong").headers["retry-after"]]
    for _ in range(6):
        _shift_clock(monkeypatch, int(waits[-1]))
        assert _b_login(api, email, "wrong").status == 401  # the lock is over: counted again
        waits.append(_b_login(api, email, "wrong").headers["retry-after"])
    assert waits == ["60", "120", "240", "480", "900", "900", "900"]


def test_asvs_6_3_1_a_successful_sign_in_clears_the_clients_failures(api: ApiClient) -> None:
    email = _b_user(api)
    for n in range(9):
        assert _b_login(api, email, f"wrong-{n}").status == 401
    assert _b_login(api, email, B_PASSWORD).status == 200
    for n in range(9):
        assert _b_login(api, email, f"again-{n}").status == 401
    assert _b_login(api, email, B_PASSWORD).status == 200


def test_asvs_6_3_1_a_password_reset_clears_the_lock(api: ApiClient, outbox_dir: Path) -> None:
    a_client.register(api, "owner@example.com")
    wrong = {"email": "owner@example.com", "password": "forgotten"}
    answers = [api.post("/api/v1/login", json=wrong, source_ip=OWNER_IP) for _ in range(11)]
    assert answers[10].status == 429
    api.post("/api/v1/recover", json={"email": "owner@example.com"}, source_ip=OWNER_IP)
    token = a_client.link_token(outbox_dir, "owner@example.com", "/links/reset")
    body = {"token": token, "password": "brand-new-pass", "password_confirmation": "brand-new-pass"}
    assert api.post("/api/v1/reset", json=body, source_ip=OWNER_IP).status == 200
    fresh = {"email": "owner@example.com", "password": "brand-new-pass"}
    assert api.post("/api/v1/login", json=fresh, source_ip=OWNER_IP).status == 200


def test_asvs_6_3_1_many_clients_together_lock_the_account_only_at_the_far_higher_ceiling(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lockouts._settings, "lockout_account_ceiling", 30)
    email = _b_user(api)
    for client in range(5):
        for n in range(5):
            assert _b_login(api, email, f"wrong-{n}", ip=f"198.51.100.{client}").status == 401
    assert _b_login(api, email, B_PASSWORD, ip=OWNER_IP).status == 200  # 25 failures: below 30
    for client in range(5, 10):
        for n in range(5):
            _b_login(api, email, f"wrong-{n}", ip=f"198.51.100.{client}")
    locked = _b_login(api, email, B_PASSWORD, ip=OWNER_IP)
    assert locked.status == 429
    assert int(locked.headers["retry-after"]) > 0


def test_asvs_6_3_1_unknown_accounts_are_locked_out_like_known_ones(api: ApiClient) -> None:
    answers = [_b_login(api, "nobody@example.com", f"guess-{n}") for n in range(11)]
    assert [a.status for a in answers] == [401] * 10 + [429]


@pytest.mark.parametrize(
    ("path", "body", "locked"),
    [
        (
            "/api/v1/login",
            {"email": "victim@example.com", "password": "wrong"},
            {"success": False, "error": {"code": 429, "message": "Too Many Attempts."}},
        ),
        (
            "/api/login",
            {"email": "victim@example.com", "password": "wrong"},
            {"status": "error", "message": "Too Many Attempts."},
        ),
        (
            "/api/v0/tokens",
            {"login": "victim", "password": "wrong"},
            {"errors": {"detail": "Too Many Requests"}},
        ),
    ],
)
def test_asvs_6_3_1_every_surfaces_sign_in_answers_its_own_429_when_locked(
    api: ApiClient, path: str, body: dict[str, str], locked: dict[str, Any]
) -> None:
    _b_user(api)
    answers = [api.post(path, json=body, source_ip=ATTACKER_IP) for _ in range(11)]
    assert answers[9].status in (401, 422)
    assert answers[10].status == 429
    assert answers[10].json == locked
    assert "retry-after" in answers[10].headers


def test_asvs_6_3_1_guessed_reset_tokens_lock_the_client_out(api: ApiClient) -> None:
    body = {"token": "0" * 40, "password": "brand-new-pass", "password_confirmation": "brand-new-pass"}
    answers = [api.post("/api/v1/reset", json=body, source_ip=ATTACKER_IP) for _ in range(11)]
    assert [a.status for a in answers] == [422] * 10 + [429]
    assert answers[10].json == {"success": False, "error": {"code": 429, "message": "Too Many Attempts."}}
    assert api.post("/api/v1/reset", json=body, source_ip=OWNER_IP).status == 422


def test_asvs_6_3_1_guessed_verification_tokens_lock_the_client_out(api: ApiClient) -> None:
    answers = [
        api.get("/api/v1/verify", query={"token": f"{n:040d}"}, source_ip=ATTACKER_IP) for n in range(11)
    ]
    assert [a.status for a in answers] == [404] * 10 + [429]


def test_asvs_6_3_1_guessed_app_tokens_lock_the_client_out(api: ApiClient) -> None:
    register(api)
    token = sign_in(api)
    headers = as_app(token, "00000000-0000-0000-0000-000000000000")
    answers = [
        api.patch("/api/v0/resource/self_update", json={"k": 1}, headers=headers, source_ip=ATTACKER_IP)
        for _ in range(11)
    ]
    assert [a.status for a in answers] == [404] * 10 + [429]
    assert answers[10].json == {"errors": {"detail": "Too Many Requests"}}


def test_asvs_6_3_8_known_and_unknown_accounts_cost_the_same_dynamodb_calls(api: ApiClient) -> None:
    email = _b_user(api)

    def operations(identifier: str) -> dict[str, int]:
        counter = CallCounter()
        with counter.installed():
            assert _b_login(api, identifier, "wrong-password", ip=OWNER_IP).status == 401
        return dict(counter.operations)

    assert operations(email) == operations("nobody@example.com")


# ---- ASVS 10.4.5: refresh token reuse revokes the whole family ----


def test_asvs_10_4_5_replaying_a_refreshed_token_after_the_grace_window_revokes_its_family(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    email = _b_user(api)
    first = _b_login(api, email, B_PASSWORD, ip=OWNER_IP).json["access_token"]
    second = api.post("/api/auth/refresh", headers=bearer(first)).json["access_token"]
    third = api.post("/api/auth/refresh", headers=bearer(second)).json["access_token"]
    elsewhere = _b_login(api, email, B_PASSWORD, ip=OWNER_IP).json["access_token"]  # another family
    assert api.get("/api/auth/me", headers=bearer(third)).status == 200

    _shift_clock(monkeypatch, 11)  # past the 10-second grace window
    replayed = api.post("/api/auth/refresh", headers=bearer(first))
    assert replayed.status == 401
    assert replayed.json == {"message": "Unauthenticated."}
    # The token that replaced it, and the one after, are revoked with it; the other family is not.
    assert api.get("/api/auth/me", headers=bearer(third)).status == 401
    assert api.post("/api/auth/refresh", headers=bearer(third)).status == 401
    assert api.get("/api/auth/me", headers=bearer(elsewhere)).status == 200
    assert ("auth.refresh_reuse", "failure", "user") in audit_trail()


def test_asvs_10_4_5_a_retry_within_the_grace_window_keeps_the_user_signed_in(api: ApiClient) -> None:
    email = _b_user(api)
    first = _b_login(api, email, B_PASSWORD, ip=OWNER_IP).json["access_token"]
    refreshed = api.post("/api/auth/refresh", headers=bearer(first)).json["access_token"]
    retried = api.post("/api/auth/refresh", headers=bearer(first))
    assert retried.status == 200
    assert retried.json["access_token"] == refreshed
    assert api.get("/api/auth/me", headers=bearer(refreshed)).status == 200
    assert api.get("/api/auth/me", headers=bearer(first)).status == 401


# ---- ASVS 6.2.11 (context-specific / common passwords): refused behind RejectCommonPasswords ----


@pytest.fixture
def common_passwords_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "reject_common_passwords", True)


def test_asvs_6_2_11_common_passwords_are_accepted_while_the_setting_is_off(api: ApiClient) -> None:
    body = {"username": "demo", "password": "12345678", "email": "demo@example.com", "sex": 0, "age": 24}
    assert api.post("/api/auth/register", json=body).status == 200  # B's own documented example


@pytest.mark.usefixtures("common_passwords_refused")
def test_asvs_6_2_11_common_passwords_are_refused_in_each_surfaces_words(api: ApiClient) -> None:
    b = api.post(
        "/api/auth/register",
        json={"username": "demo", "password": "12345678", "email": "demo@example.com", "sex": 0, "age": 24},
    )
    assert b.status == 422
    assert b.json["errors"] == {
        "password": ["The given password has appeared in a data leak. Please choose a different password."]
    }
    e = api.post(
        "/api/v0/users", json={"login": "demo", "password": "Password1", "email": "demo@example.com"}
    )
    assert e.status == 422
    assert e.json == {"errors": {"password": ["is too common"]}}
    a = api.post(
        "/api/v1/register", json={**a_client.registration("demo@example.com"), "password": "qwertyuiop"}
    )
    assert a.status == 422
    assert a.json["error"]["errors"] == {
        "password": ["The given password has appeared in a data leak. Please choose a different password."]
    }
    assert (
        api.post("/api/auth/login", json={"email": "demo@example.com", "password": "12345678"}).status == 401
    )
    # A password that is not on the list is fine.
    fine = api.post(
        "/api/auth/register",
        json={
            "username": "demo",
            "password": "correct-horse-1",
            "email": "demo@example.com",
            "sex": 0,
            "age": 24,
        },
    )
    assert fine.status == 200


# ---- ASVS 5.2 (file handling): userpics are re-encoded, never stored as uploaded ----

TRAILER = b"<?php system($_GET['c']); ?>PK\x03\x04"


def test_asvs_5_2_an_uploaded_userpic_is_stored_without_its_exif_or_trailing_bytes(
    api: ApiClient, embedded_aws: MotoAws
) -> None:
    people = cast(api)
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x8825] = {2: (55.0, 45.0, 0.0)}  # GPS latitude
    buffer = io.BytesIO()
    Image.new("RGB", (512, 512), (10, 120, 200)).save(buffer, format="JPEG", exif=exif)
    uploaded = buffer.getvalue() + TRAILER
    response = api.post(
        f"/api/v1/users/id/{people.user.id}/update/userpic",
        json={"upload_userpic": base64.b64encode(uploaded).decode()},
        headers=people.user.auth,
    )
    assert response.status == 200, response.body
    file_name = response.json["user"]["userpic"].rsplit("/", 1)[1]
    stored = (
        embedded_aws.client("s3")
        .get_object(Bucket=os.environ["USERPIC_BUCKET"], Key=f"userpics/{people.user.id}/{file_name}")["Body"]
        .read()
    )
    assert TRAILER not in stored
    assert b"SpyCam" not in stored
    assert b"Exif" not in stored
    assert stored.endswith(b"\xff\xd9")  # the JPEG ends where its image ends
    with Image.open(io.BytesIO(stored)) as kept:
        assert kept.format == "JPEG"
        assert kept.size == (512, 512)
        assert not kept.getexif()
        assert kept.getpixel((256, 256)) == pytest.approx((10, 120, 200), abs=3)


def test_asvs_5_2_a_png_userpic_loses_its_text_chunks_and_appended_archive(
    api: ApiClient, embedded_aws: MotoAws
) -> None:
    people = cast(api)
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret-location")
    buffer = io.BytesIO()
    Image.new("RGBA", (512, 512), (1, 2, 3, 128)).save(buffer, format="PNG", pnginfo=info)
    response = api.post(
        f"/api/v1/users/id/{people.user.id}/update/userpic",
        json={"upload_userpic": base64.b64encode(buffer.getvalue() + TRAILER).decode()},
        headers=people.user.auth,
    )
    assert response.status == 200, response.body
    file_name = response.json["user"]["userpic"].rsplit("/", 1)[1]
    stored = (
        embedded_aws.client("s3")
        .get_object(Bucket=os.environ["USERPIC_BUCKET"], Key=f"userpics/{people.user.id}/{file_name}")["Body"]
        .read()
    )
    assert b"secret-location" not in stored
    assert TRAILER not in stored
    assert stored.endswith(b"IEND\xaeB`\x82")
    with Image.open(io.BytesIO(stored)) as kept:
        assert kept.mode == "RGBA"
        assert kept.getpixel((0, 0)) == (1, 2, 3, 128)
