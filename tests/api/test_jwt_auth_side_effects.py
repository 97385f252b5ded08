"""What B's routes leave behind: a verification mail, and audit events for each action."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from gatehouse.data.audit import AuditEventItem
from gatehouse.data.audit_queries import shard_keys
from gatehouse.data.models import UserItem, user_key
from gatehouse.services import mail, verification
from gatehouse_local.testing import ApiClient, bearer

DEMO = {"username": "demo", "password": "12345678", "email": "me@example.com", "sex": 0, "age": 24}


def audit_actions() -> list[tuple[str, str]]:
    found: list[AuditEventItem] = []
    for key in shard_keys():
        for item in AuditEventItem.gsi1.query(key):
            if isinstance(item, AuditEventItem):
                found.append(item)
    return [(e.action, e.outcome) for e in sorted(found, key=lambda e: e.GSI1SK or "")]


def test_registration_mails_a_link_that_verifies_the_address(api: ApiClient, outbox_dir: Path) -> None:
    api.post("/api/auth/register", json=DEMO)
    mails = [json.loads(p.read_text()) for p in outbox_dir.glob("*.json")]
    assert len(mails) == 1
    assert mails[0]["to"] == "me@example.com"
    link = next(word for word in mails[0]["text"].split() if word.startswith("http"))
    assert urlsplit(link).path == mail.VERIFY_PAGE
    token = parse_qs(urlsplit(link).query)["token"][0]
    stored = UserItem.get(*user_key(1))
    assert token not in json.dumps(stored.attribute_values, default=str)
    assert not stored.is_verified
    verification.verify_email(token)
    assert UserItem.get(*user_key(1)).is_verified


def test_every_action_is_audited_with_the_callers_details(api: ApiClient) -> None:
    api.post("/api/auth/register", json=DEMO)
    api.post("/api/auth/login", json={"email": "me@example.com", "password": "wrong-one"})
    token = api.post(
        "/api/auth/login",
        json={"email": "me@example.com", "password": "12345678"},
        headers={"X-Device-Id": "phone-1"},
    ).json["access_token"]
    token = api.post("/api/auth/refresh", headers=bearer(token)).json["access_token"]
    api.post("/api/auth/logout", headers=bearer(token))
    assert audit_actions() == [
        ("user.register", "success"),
        ("auth.login", "failure"),
        ("auth.login", "success"),
        ("auth.refresh", "success"),
        ("auth.logout", "success"),
    ]
    device_events: list[Any] = list(AuditEventItem.gsi4.query("AUDIT#DEVICE#phone-1"))
    assert len(device_events) == 1
    assert device_events[0].ip == "203.0.113.10"
    assert "12345678" not in json.dumps([e.attribute_values for e in device_events], default=str)
