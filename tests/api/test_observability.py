"""Logs, metrics and the 500 path, read as CloudWatch would read them: the functions' real
JSON log lines and EMF metric lines, captured over full flows."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gatehouse import observability
from gatehouse.data import users
from gatehouse.services import accounts
from gatehouse_local.testing import ApiClient, bearer
from tests.api.documentarian_client import link_token
from tests.api.emf import emf_metrics


class JsonLog:
    """What the functions wrote to their log (the powertools handler's stream), line by line."""

    def __init__(self) -> None:
        self.stream = io.StringIO()

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    @property
    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]


@pytest.fixture
def json_log() -> Iterator[JsonLog]:
    """Every line the `gatehouse` logger writes, at DEBUG so that nothing escapes the check."""
    log = JsonLog()
    gatehouse_logger = logging.getLogger(observability.LOGGER_NAME)
    handlers = [
        handler for handler in gatehouse_logger.handlers if isinstance(handler, logging.StreamHandler)
    ]
    assert handlers, "the gatehouse logger has no powertools handler"
    previous_level = gatehouse_logger.level
    previous_streams = [handler.setStream(log.stream) for handler in handlers]
    gatehouse_logger.setLevel(logging.DEBUG)
    try:
        yield log
    finally:
        gatehouse_logger.setLevel(previous_level)
        for handler, stream in zip(handlers, previous_streams, strict=True):
            if stream is not None:
                handler.setStream(stream)


def test_a_full_flow_logs_json_with_no_password_token_hash_or_link(
    api: ApiClient, outbox_dir: Path, json_log: JsonLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Built at run time: a stack trace quotes source lines, never values.
    password, new_password = "-".join(("correct", "horse", "7")), "-".join(("battery", "staple", "9"))
    secrets: list[str] = [password, new_password]
    # B: register, login, me, refresh, logout.
    registered = api.post(
        "/api/auth/register",
        json={"username": "logger", "password": password, "email": "log@example.com", "sex": 0, "age": 30},
    )
    assert registered.status == 200, registered.body
    login = api.post("/api/auth/login", json={"email": "log@example.com", "password": password})
    assert login.status == 200
    token = login.json["access_token"]
    assert api.get("/api/auth/me", headers=bearer(token)).status == 200
    refreshed = api.post("/api/auth/refresh", headers=bearer(token))
    assert refreshed.status == 200
    second = refreshed.json["access_token"]
    assert api.post("/api/auth/logout", headers=bearer(second)).status == 200
    assert (
        api.post("/api/auth/login", json={"email": "log@example.com", "password": "wrong-pass"}).status == 401
    )
    # C and E sign-ins: a personal access token and a Goncord JWT.
    staff = api.post("/api/login", json={"email": "log@example.com", "password": password})
    assert staff.status == 200, staff.body
    goncord = api.post("/api/v0/tokens", json={"email": "log@example.com", "password": password})
    assert goncord.status in (200, 201), goncord.body
    # A: the reset flow, with the link from the outbox.
    assert api.post("/api/v1/recover", json={"email": "log@example.com"}).status == 200
    reset_token = link_token(outbox_dir, "log@example.com", "/links/reset")
    reset = api.post(
        "/api/v1/reset",
        json={"token": reset_token, "password": new_password, "password_confirmation": new_password},
    )
    assert reset.status == 200, reset.body
    verify_token = link_token(outbox_dir, "log@example.com", "/links/verify")
    # A forced 500 with a password in the body.
    monkeypatch.setattr(accounts, "register", _explode)
    failed = api.post(
        "/api/auth/register",
        json={"username": "boom", "password": password, "email": "boom@example.com", "sex": 0, "age": 1},
    )
    assert failed.status == 500

    user = users.find_by("email", "log@example.com")
    assert user is not None
    assert user.password_hash
    secrets += [
        token,
        second,
        *_tokens_in(staff.json),
        *_tokens_in(goncord.json),
        reset_token,
        verify_token,
        "/api/v1/reset?token=",
        "/api/v1/verify?token=",
        user.password_hash,
        "$argon2",
    ]
    records = json_log.records
    assert records, "nothing was logged"
    for secret in (s for s in secrets if s and len(s) >= 8):
        assert secret not in json_log.text, f"{secret[:12]}... is in the log"
    # Every line is a JSON object with the powertools fields and the request's correlation id.
    for record in records:
        assert {"level", "message", "timestamp", "service"} <= record.keys()
    invocation_lines = [record for record in records if "function_request_id" in record]
    assert invocation_lines
    assert all(record.get("correlation_id") for record in invocation_lines)


def test_the_request_id_of_a_500_is_in_the_error_s_log_line(
    api: ApiClient, json_log: JsonLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(accounts, "register", _explode)
    password = "-".join(("sesame", "open", "sesame"))  # not in the source a stack trace quotes
    response = api.post(
        "/api/auth/register",
        json={"username": "boom", "password": password, "email": "boom@example.com", "sex": 0, "age": 1},
    )
    assert response.status == 500
    request_id = response.json["request_id"]
    errors = [record for record in json_log.records if record["level"] == "ERROR"]
    assert len(errors) == 1
    (line,) = errors
    assert line["message"] == "unhandled error"
    assert line["correlation_id"] == request_id
    assert line["request_id"] == request_id
    assert line["error"] == "RuntimeError"
    assert line["status"] == 500
    assert line["path"] == "/api/auth/register"
    assert line["service"] == "jwt-auth"
    assert "RuntimeError" in line["exception"]
    assert password not in json.dumps(line)


def test_a_refused_request_logs_its_class_status_path_and_request_id(
    api: ApiClient, json_log: JsonLog
) -> None:
    response = api.get("/api/auth/me", headers=bearer("not-a-token"))
    assert response.status == 401
    refused = [record for record in json_log.records if record["message"] == "request refused"]
    assert len(refused) == 1
    line = refused[0]
    assert line["status"] == 401
    assert line["path"] == "/api/auth/me"
    assert line["error"] == "NotAuthenticated"
    assert line["request_id"] == line["correlation_id"] != "-"


def test_sign_ins_and_tokens_are_counted_as_emf_metrics(
    api: ApiClient, capsys: pytest.CaptureFixture[str]
) -> None:
    body = {"username": "metric", "password": "12345678", "email": "metric@example.com", "sex": 0, "age": 30}
    assert api.post("/api/auth/register", json=body).status == 200
    capsys.readouterr()
    token = api.post("/api/auth/login", json={"email": "metric@example.com", "password": "12345678"}).json[
        "access_token"
    ]
    assert (
        api.post("/api/auth/login", json={"email": "metric@example.com", "password": "nope-nope"}).status
        == 401
    )
    assert (
        api.post("/api/auth/login", json={"email": "ghost@example.com", "password": "nope-nope"}).status
        == 401
    )
    refreshed = api.post("/api/auth/refresh", headers=bearer(token)).json["access_token"]
    assert api.post("/api/auth/logout", headers=bearer(refreshed)).status == 200
    assert api.post("/api/login", json={"email": "metric@example.com", "password": "12345678"}).status == 200
    totals = emf_metrics(capsys.readouterr().out)
    assert totals == {
        observability.SIGN_IN_SUCCEEDED: 2,
        observability.SIGN_IN_FAILED: 2,
        # login, refresh, C's personal access token
        observability.TOKEN_ISSUED: 3,
        # refresh (the presented token), logout
        observability.TOKEN_REVOKED: 2,
    }


def test_a_request_that_counts_nothing_writes_no_metric_line(
    api: ApiClient, capsys: pytest.CaptureFixture[str]
) -> None:
    assert api.get("/api/auth/me").status == 401
    assert emf_metrics(capsys.readouterr().out) == {}


def _explode(**_: object) -> None:
    raise RuntimeError("database on fire")


def _tokens_in(value: Any) -> list[str]:
    """Every token inside a JSON response body: JWTs and C's `{id}|{secret}`."""
    if isinstance(value, str):
        return [value] if value.startswith("eyJ") or "|" in value else []
    if isinstance(value, dict):
        return [found for item in value.values() for found in _tokens_in(item)]
    if isinstance(value, list):
        return [found for item in value for found in _tokens_in(item)]
    return []
