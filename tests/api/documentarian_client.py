"""Helpers for surface A's API tests: sign-up and sign-in through /api/v1, mail from the outbox."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from gatehouse.data import users
from gatehouse.services import accounts
from gatehouse_local.testing import ApiClient, bearer

PASSWORD = "password-1"


def registration(email: str, **overrides: Any) -> dict[str, Any]:
    return {
        "name": "Ivan",
        "surname": "Ivanov",
        "middlename": "Ivanovich",
        "email": email,
        "password": PASSWORD,
        **overrides,
    }


def register(api: ApiClient, email: str, **overrides: Any) -> None:
    response = api.post("/api/v1/register", json=registration(email, **overrides))
    assert response.status == 200, response.body


def login(api: ApiClient, email: str, password: str = PASSWORD) -> str:
    response = api.post("/api/v1/login", json={"email": email, "password": password})
    assert response.status == 200, response.body
    token: str = response.json["data"]["token"]
    return token


def signed_up(api: ApiClient, email: str, role: str | None = None) -> dict[str, str]:
    """Register, optionally give a role below super, sign in: the bearer headers."""
    register(api, email)
    if role is not None:
        user = users.find_by("email", email)
        assert user is not None
        accounts.set_role(user, role)
    return bearer(login(api, email))


People = dict[str, dict[str, str]]


def four_people(api: ApiClient) -> People:
    """super (user 1), an admin (2), alice (3) and bob (4), each with their bearer headers."""
    return {
        "super": signed_up(api, "root@example.com"),
        "admin": signed_up(api, "admin@example.com", role="admin"),
        "alice": signed_up(api, "alice@example.com"),
        "bob": signed_up(api, "bob@example.com"),
    }


def own_id(api: ApiClient, email: str) -> str:
    user = users.find_by("email", email)
    assert user is not None
    return f"{user.id:024x}"


def mails_to(outbox_dir: Path, address: str) -> list[dict[str, Any]]:
    messages = [json.loads(path.read_text()) for path in sorted(outbox_dir.glob("*.json"))]
    return [message for message in messages if message["to"] == address]


def link_token(outbox_dir: Path, address: str, path: str) -> str:
    """The token of the last link to `path` mailed to `address`."""
    tokens: list[str] = [
        found
        for message in mails_to(outbox_dir, address)
        for found in re.findall(re.escape(path) + r"\?token=([\w-]+)", message["text"])
    ]
    assert tokens, f"no {path} link mailed to {address}"
    return tokens[-1]
