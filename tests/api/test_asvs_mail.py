"""ASVS regressions about mail: V7.5.1 (changing the account's email needs more than a token:
a link mailed to the new address) and V6.4.3 (one successful reset kills every other reset
link). Each through the real handlers of every surface that can change an email (A's user
update, D's /update; B has no such route, and C's and E's user updates take no email)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from gatehouse_local.testing import ApiClient, bearer

PASSWORD = "password-1"


def register(api: ApiClient, name: str) -> tuple[int, str]:
    """A user registered on B and signed in: (id, token valid on every surface)."""
    body = {"username": name, "password": PASSWORD, "email": f"{name}@example.com", "sex": 0, "age": 30}
    assert api.post("/api/auth/register", json=body).status == 200
    return user_id_and_token(api, f"{name}@example.com")


def user_id_and_token(api: ApiClient, email: str) -> tuple[int, str]:
    signed_in = api.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert signed_in.status == 200, signed_in.body
    token: str = signed_in.json["access_token"]
    return api.get("/api/auth/me", headers=bearer(token)).json["id"], token


def mails_to(outbox_dir: Path, address: str) -> list[dict[str, Any]]:
    messages = [json.loads(path.read_text()) for path in sorted(outbox_dir.glob("*.json"))]
    return [message for message in messages if message["to"] == address]


def token_in(message: dict[str, Any]) -> str:
    text: str = message["text"]
    link = next(word for word in text.split() if word.startswith("http"))
    return parse_qs(urlsplit(link).query)["token"][0]


def change_on_a(api: ApiClient, token: str, user_id: int, email: str) -> Any:
    return api.patch(f"/api/v1/user/{user_id:024x}", headers=bearer(token), json={"email": email})


def change_on_d(api: ApiClient, token: str, user_id: int, email: str) -> Any:
    return api.post(f"/api/v1/users/id/{user_id}/update", headers=bearer(token), json={"email": email})


def email_on_a(api: ApiClient, token: str, user_id: int) -> str:
    email: str = api.get(f"/api/v1/user/{user_id:024x}", headers=bearer(token)).json["email"]
    return email


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        (change_on_a, lambda answer: answer.json["email"]),
        (change_on_d, lambda answer: answer.json["user"]["contacts"]["email"]),
    ],
    ids=["A", "D"],
)
def test_v7_5_1_a_stolen_token_cannot_move_the_email_and_recover_the_account(
    api: ApiClient, outbox_dir: Path, change: Any, shown: Any
) -> None:
    register(api, "root")
    victim_id, stolen = register(api, "victim")
    answer = change(api, stolen, victim_id, "thief@example.com")
    assert answer.status == 200, answer.body
    assert shown(answer) == "victim@example.com"  # nothing changed yet
    # The victim's address is told; the thief's address only gets a link to confirm.
    (notice,) = mails_to(outbox_dir, "victim@example.com")[1:]
    assert "thief@example.com" in notice["text"]
    (confirmation,) = mails_to(outbox_dir, "thief@example.com")
    # Until the link is followed, sign-in and recovery use the current address.
    assert api.post("/api/v1/recover", json={"email": "thief@example.com"}).status == 200
    assert api.post("/api/v1/recover", json={"email": "victim@example.com"}).status == 200
    assert len(mails_to(outbox_dir, "thief@example.com")) == 1
    assert "/links/reset?token=" in mails_to(outbox_dir, "victim@example.com")[-1]["text"]
    assert (
        api.post("/api/auth/login", json={"email": "thief@example.com", "password": PASSWORD}).status == 401
    )
    assert user_id_and_token(api, "victim@example.com")[0] == victim_id
    assert token_in(confirmation)


def test_v7_5_1_following_the_link_mailed_to_the_new_address_moves_and_verifies_it(
    api: ApiClient, outbox_dir: Path
) -> None:
    register(api, "root")
    user_id, token = register(api, "mia")
    assert change_on_a(api, token, user_id, "Mia.New@example.com").status == 200
    (confirmation,) = mails_to(outbox_dir, "Mia.New@example.com")
    confirmed = api.get("/api/v1/verify", query={"token": token_in(confirmation)})
    assert confirmed.status == 200, confirmed.body
    view = api.get(f"/api/v1/user/{user_id:024x}", headers=bearer(token)).json
    assert (view["email"], view["is_verified"]) == ("Mia.New@example.com", 1)
    assert user_id_and_token(api, "mia.new@example.com")[0] == user_id
    assert api.post("/api/auth/login", json={"email": "mia@example.com", "password": PASSWORD}).status == 401
    # The old address is free again; the link is single-use.
    assert api.get("/api/v1/verify", query={"token": token_in(confirmation)}).status == 404
    again = {"username": "someone", "password": PASSWORD, "email": "mia@example.com", "sex": 0, "age": 30}
    assert api.post("/api/auth/register", json=again).status == 200


def test_v7_5_1_a_pending_change_reserves_nothing_and_loses_to_whoever_takes_the_address_first(
    api: ApiClient, outbox_dir: Path
) -> None:
    register(api, "root")
    user_id, token = register(api, "ann")
    assert change_on_d(api, token, user_id, "wanted@example.com").status == 200
    register(api, "wanted")  # the address was never claimed by the pending change
    (confirmation, *_) = mails_to(outbox_dir, "wanted@example.com")
    late = api.get("/api/v1/verify", query={"token": token_in(confirmation)})
    assert late.status == 422
    assert late.json["error"]["errors"] == {"email": ["The email has already been taken."]}
    assert email_on_a(api, token, user_id) == "ann@example.com"


@pytest.mark.parametrize("change", [change_on_a, change_on_d], ids=["A", "D"])
def test_v7_5_1_asking_for_someone_elses_address_is_refused_and_mails_nothing(
    api: ApiClient, outbox_dir: Path, change: Any
) -> None:
    register(api, "root")
    register(api, "bob")
    user_id, token = register(api, "eve")
    refused = change(api, token, user_id, "BOB@example.com")
    assert refused.status == 422, refused.body
    assert len(mails_to(outbox_dir, "eve@example.com")) == 1  # only the registration's
    assert mails_to(outbox_dir, "BOB@example.com") == []


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        (change_on_a, lambda answer: answer.json["email"]),
        (change_on_d, lambda answer: answer.json["user"]["contacts"]["email"]),
    ],
    ids=["A", "D"],
)
def test_v7_5_1_an_admin_changing_someone_elses_email_applies_it_unverified_and_tells_both_addresses(
    api: ApiClient, outbox_dir: Path, change: Any, shown: Any
) -> None:
    _, root = register(api, "root")
    user_id, token = register(api, "max")
    answer = change(api, root, user_id, "max2@example.com")
    assert answer.status == 200, answer.body
    assert shown(answer) == "max2@example.com"
    view = api.get(f"/api/v1/user/{user_id:024x}", headers=bearer(token)).json
    assert (view["email"], view["is_verified"]) == ("max2@example.com", 0)
    assert "max2@example.com" in mails_to(outbox_dir, "max@example.com")[-1]["text"]
    (verification,) = mails_to(outbox_dir, "max2@example.com")
    assert api.get("/api/v1/verify", query={"token": token_in(verification)}).status == 200
    assert api.get(f"/api/v1/user/{user_id:024x}", headers=bearer(token)).json["is_verified"] == 1


def test_v7_5_1_cs_user_update_never_changes_an_email(api: ApiClient) -> None:
    _, root = register(api, "root")
    user_id, token = register(api, "kim")
    updated = api.put(f"/api/users/{user_id}", headers=bearer(root), json={"email": "x@example.com"})
    assert updated.status in (200, 422), updated.body
    assert email_on_a(api, token, user_id) == "kim@example.com"


def test_v6_4_3_a_successful_reset_kills_every_other_outstanding_reset_link(
    api: ApiClient, outbox_dir: Path
) -> None:
    register(api, "root")
    register(api, "lea")
    for _ in range(3):
        assert api.post("/api/v1/recover", json={"email": "lea@example.com"}).status == 200
    first, second, third = (token_in(m) for m in mails_to(outbox_dir, "lea@example.com")[1:])
    body = {"password": "password-2", "password_confirmation": "password-2"}
    assert api.post("/api/v1/reset", json={**body, "token": second}).status == 200
    for older_or_newer in (first, third):
        refused = api.post("/api/v1/reset", json={**body, "token": older_or_newer})
        assert refused.status == 422, refused.body
    signed_in = api.post("/api/auth/login", json={"email": "lea@example.com", "password": "password-2"})
    assert signed_in.status == 200
