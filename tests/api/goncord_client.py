"""Helpers for surface E's API tests: sign-up, sign-in, apps and the audit trail."""

from __future__ import annotations

from typing import Any

from gatehouse.data.audit import AuditEventItem
from gatehouse.data.audit_queries import shard_keys
from gatehouse_local.testing import ApiClient, bearer

PERSON = {
    "login": "test",
    "password": "password",
    "email": "test@gmail.com",
    "first_name": "Дмитрий",
    "last_name": "Дубина",
    "second_name": "Евгеньевич",
    "birthday": "1995-03-30",
}
USER_FIELDS = ["second_name", "roles", "login", "last_name", "first_name", "email", "birthday", "apps"]


def register(api: ApiClient, **overrides: Any) -> dict[str, Any]:
    response = api.post("/api/v0/users", json={**PERSON, **overrides})
    assert response.status == 201, response.body
    user: dict[str, Any] = response.json
    return user


def sign_in(api: ApiClient, login: str = "test", password: str = "password") -> str:
    response = api.post("/api/v0/tokens", json={"login": login, "password": password})
    assert response.status == 201, response.body
    token: str = response.json["jwt"]
    return token


def registered_super(api: ApiClient) -> str:
    """The first user of a deployment is super: register one and return their token."""
    register(api, login="root", email="root@example.com")
    return sign_in(api, "root")


def create_app(api: ApiClient, token: str, **fields: Any) -> dict[str, Any]:
    body = {"name": "HR", "url": "https://hr.example.com", **fields}
    response = api.post("/api/v0/apps", json=body, headers=bearer(token))
    assert response.status == 201, response.body
    app: dict[str, Any] = response.json
    return app


def as_app(token: str, app_token: str) -> dict[str, str]:
    return {**bearer(token), "x-app-token": app_token}


def audit_trail() -> list[tuple[str, str, str | None]]:
    """(action, outcome, target type) of the audit events, oldest first."""
    found = [
        e for key in shard_keys() for e in AuditEventItem.gsi1.query(key) if isinstance(e, AuditEventItem)
    ]
    return [(e.action, e.outcome, e.target_type) for e in sorted(found, key=lambda e: e.GSI1SK or "")]
