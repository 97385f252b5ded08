"""Surface A's error envelope covers its own paths only, not D's /api/v1/users/... or C's /api/v1/position."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi import FastAPI
from starlette.requests import Request

from gatehouse.surfaces.envelopes import documentarian
from gatehouse.web.errors import envelope_for
from gatehouse_local.lambda_runtime import load_handler, module_name
from gatehouse_local.template import Route
from gatehouse_local.testing import ApiClient
from tests.api.documentarian_client import link_token, login, register


@pytest.fixture(scope="module")
def documentarian_app(api_routes: list[Route]) -> FastAPI:
    route = next(r for r in api_routes if r.function_id == "DocumentarianFunction")
    load_handler(route)
    app: FastAPI = sys.modules[module_name(route.function_id)].app
    return app


def request_for(app: FastAPI, path: str) -> Request:
    return Request(
        {"type": "http", "method": "GET", "path": path, "headers": [], "query_string": b"", "app": app}
    )


@pytest.mark.parametrize(
    "path",
    ["/api/v1/register", "/api/v1/login", "/api/v1/recover", "/api/v1/reset", "/api/v1/verify", "/api/v1/logout",
     "/api/v1/demand", "/api/v1/demand/abc", "/api/v1/user", "/api/v1/user/abc", "/api/v1/user_meta",
     "/api/v1/user_meta/abc"],
)  # fmt: skip
def test_a_paths_use_a_envelope(documentarian_app: FastAPI, path: str) -> None:
    assert envelope_for(request_for(documentarian_app, path)) is documentarian.ENVELOPE


@pytest.mark.parametrize(
    "path",
    ["/api/v1/users/list", "/api/v1/users/id/1", "/api/v1/users", "/api/v1/position", "/api/v1/logs/list"],
)
def test_neighbouring_surfaces_paths_are_not_claimed(documentarian_app: FastAPI, path: str) -> None:
    assert envelope_for(request_for(documentarian_app, path)) is not documentarian.ENVELOPE


def test_a_reset_token_wins_only_once_under_concurrency(api: ApiClient, outbox_dir: Path) -> None:
    register(api, "race@example.com")
    api.post("/api/v1/recover", json={"email": "race@example.com"})
    token = link_token(outbox_dir, "race@example.com", "/links/reset")
    passwords = [f"new-password-{n}" for n in range(4)]

    def attempt(password: str) -> int:
        body = {"token": token, "password": password, "password_confirmation": password}
        return api.post("/api/v1/reset", json=body).status

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(attempt, passwords))
    assert sorted(statuses) == [200, 422, 422, 422]
    winner = passwords[statuses.index(200)]
    assert login(api, "race@example.com", winner)


@pytest.mark.parametrize(
    "body", [[], "text", 42, {"email": ["x"], "password": {"a": 1}, "user__id": {"a": 1}}]
)
@pytest.mark.parametrize(
    "path", ["/api/v1/register", "/api/v1/login", "/api/v1/recover", "/api/v1/reset", "/api/v1/demand",
             "/api/v1/user", "/api/v1/user_meta"],
)  # fmt: skip
def test_client_mistakes_are_never_500s(api: ApiClient, path: str, body: object) -> None:
    register(api, "root@example.com")
    headers = {"Authorization": f"Bearer {login(api, 'root@example.com')}"}
    response = api.post(path, json=body, headers=headers)
    assert response.status in (400, 422), (path, body, response.status)
    assert response.json["success"] is False
