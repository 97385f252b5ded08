"""Unexpected failures: a generic body with a request id, logged without secrets."""

from __future__ import annotations

import logging

import pytest

from gatehouse.services import accounts
from gatehouse_local.testing import ApiClient


def test_an_unhandled_error_answers_500_with_a_request_id_and_no_internals(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def explode(**_: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(accounts, "register", explode)
    secret_password = "hunter2-hunter2"
    with caplog.at_level(logging.INFO):
        response = api.post(
            "/api/auth/register",
            json={
                "username": "xavier",
                "password": secret_password,
                "email": "x@example.com",
                "sex": 0,
                "age": 1,
            },
        )
    assert response.status == 500
    assert response.json["message"] == "Server Error"
    assert response.json["request_id"] not in ("", "-")
    assert "database on fire" not in response.body
    assert "Traceback" not in response.body
    assert secret_password not in caplog.text
    assert any(record.levelno == logging.ERROR for record in caplog.records)


def test_client_mistakes_are_never_500s(api: ApiClient) -> None:
    bodies: list[object] = [[], "string", 42, None, {"email": ["list"], "password": {"a": 1}}]
    for body in bodies:
        response = api.post("/api/auth/login", json=body)
        assert response.status in (400, 422), (body, response.status)
    assert (
        api.post("/api/auth/login", body=b"\xff\xfe", headers={"Content-Type": "application/json"}).status
        == 400
    )


def test_a_body_nested_deeper_than_the_parser_can_go_is_a_bad_request(api: ApiClient) -> None:
    # json.loads raises RecursionError (not ValueError) on deep nesting.
    deep = "[" * 100_000 + "]" * 100_000
    response = api.post("/api/auth/login", body=deep, headers={"Content-Type": "application/json"})
    assert (response.status, response.json) == (400, {"message": "The request body is not valid JSON."})
