"""The operator's chores: the super, apps and their tokens, one user, the audit log, the target."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from gatehouse.security import signing_key
from gatehouse_local.embedded_aws import EmbeddedAws, MotoAws
from gatehouse_local.testing import TEST_JWT_SECRET, ApiClient, bearer
from tests.cli.support import gatehouse, stored

PASSWORD = "correct-horse-1"


def _register(api: ApiClient, username: str) -> int:
    body = {
        "username": username,
        "password": PASSWORD,
        "email": f"{username}@example.com",
        "sex": 0,
        "age": 30,
    }
    response = api.post("/api/auth/register", json=body)
    assert response.status == 200, response.body
    return stored(username).id


def _token(api: ApiClient, identifier: str, password: str = PASSWORD) -> str:
    response = api.post("/api/auth/login", json={"email": identifier, "password": password})
    assert response.status == 200, response.body
    token: str = response.json["access_token"]
    return token


@pytest.fixture
def no_anonymous_super(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stack's AllowAnonymousSuper=false."""
    from gatehouse.services import accounts

    monkeypatch.setattr(accounts._settings, "allow_anonymous_super", False)


def test_by_default_the_first_sign_up_is_the_super(api: ApiClient) -> None:
    _register(api, "first")
    assert stored("first").role == "super"


@pytest.mark.usefixtures("no_anonymous_super")
def test_without_anonymous_super_the_first_sign_up_is_a_plain_user_until_bootstrap_names_one(
    api: ApiClient,
) -> None:
    _register(api, "first")
    assert stored("first").role == "user"
    promoted = gatehouse("bootstrap-super", "--email", "FIRST@example.com")
    assert promoted.exit_code == 0, promoted.output
    assert stored("first").role == "super"
    # Idempotent for the same user; refused for anyone else (there is one super).
    assert gatehouse("bootstrap-super", "--email", "first@example.com").exit_code == 0
    _register(api, "second")
    refused = gatehouse("bootstrap-super", "--email", "second@example.com")
    assert refused.exit_code == 1
    assert "is the super already" in refused.output
    assert stored("second").role == "user"
    # The super's powers work through the API.
    listed = api.get("/api/v0/apps", headers=bearer(_token(api, "first")))
    assert listed.status == 200


@pytest.mark.usefixtures("no_anonymous_super")
def test_bootstrap_super_creates_the_account_when_the_address_is_new(api: ApiClient) -> None:
    created = gatehouse(
        "bootstrap-super", "--email", "root@example.com", "--password-stdin", stdin="root-pass-123\n"
    )
    assert created.exit_code == 0, created.output
    assert "(created)" in created.output
    assert stored("root@example.com").role == "super"
    _token(api, "root@example.com", "root-pass-123")
    too_short = gatehouse("bootstrap-super", "--email", "x@example.com", "--password-stdin", stdin="short\n")
    assert too_short.exit_code == 2


def test_apps_are_created_listed_and_rotated_with_the_token_shown_once(api: ApiClient) -> None:
    assert gatehouse("apps", "list").exit_code == 1  # no super yet
    _register(api, "root")
    created = gatehouse(
        "apps", "create", "--name", "Wiki", "--url", "https://wiki.example", "--role", "staff"
    )
    assert created.exit_code == 0, created.output
    token = created.stdout.strip()
    assert len(token) == 36
    listed = gatehouse("apps", "list")
    assert "https://wiki.example" in listed.stdout
    assert token not in listed.stdout

    user_id = _register(api, "worker")
    user_token = _token(api, "worker")

    def self_update(app_token: str) -> int:
        headers = {**bearer(user_token), "x-app-token": app_token}
        return api.patch("/api/v0/resource/self_update", json={"n": 1}, headers=headers).status

    assert self_update(token) == 200
    app_id = api.get("/api/v0/apps", headers=bearer(_token(api, "root"))).json[0]["id"]
    rotated = gatehouse("apps", "rotate", str(app_id))
    assert rotated.exit_code == 0, rotated.output
    new_token = rotated.stdout.strip()
    assert new_token != token
    assert self_update(token) == 404
    assert self_update(new_token) == 200
    assert user_id > 0


def test_users_show_hides_secrets_and_deactivate_locks_the_user_out_everywhere(api: ApiClient) -> None:
    _register(api, "root")
    user_id = _register(api, "worker")
    token = _token(api, "worker")
    shown = gatehouse("users", "show", str(user_id))
    record = json.loads(shown.stdout)
    assert record["email"] == "worker@example.com"
    assert "password_hash" not in record
    assert "$argon2" not in shown.stdout
    assert gatehouse("users", "deactivate", "worker@example.com").exit_code == 0
    assert api.get("/api/auth/me", headers=bearer(token)).status == 401
    assert api.post("/api/auth/login", json={"email": "worker", "password": PASSWORD}).status == 401
    assert gatehouse("users", "deactivate", "root").exit_code == 1
    assert gatehouse("users", "show", "nobody").exit_code == 1


def test_the_audit_log_exports_as_jsonl_and_csv_for_a_time_range(api: ApiClient, tmp_path: Path) -> None:
    _register(api, "root")
    _token(api, "root")
    api.post("/api/auth/login", json={"email": "root", "password": "wrong-password"})
    jsonl = gatehouse("audit", "export", "--since", "2000-01-01", "--format", "jsonl")
    assert jsonl.exit_code == 0, jsonl.output
    events = [json.loads(line) for line in jsonl.stdout.splitlines()]
    logins = [(e["action"], e["outcome"]) for e in events if e["action"] == "auth.login"]
    assert logins == [("auth.login", "success"), ("auth.login", "failure")]
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    exported = gatehouse(
        "audit", "export", "--since", "2000-01-01", "--format", "csv", "-o", str(tmp_path / "a.csv")
    )
    assert exported.exit_code == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "a.csv").read_text())))
    assert len(rows) == len(events)
    assert "wrong-password" not in (tmp_path / "a.csv").read_text()
    empty = gatehouse("audit", "export", "--since", "2001-01-01", "--until", "2001-02-01")
    assert empty.stdout == ""
    assert gatehouse("audit", "export", "--since", "yesterday").exit_code == 2
    assert gatehouse("audit", "export", "--since", "2000-01-01", "--format", "xml").exit_code == 2


def test_audit_reshard_moves_events_written_before_sharding_once(api: ApiClient) -> None:
    from gatehouse.data import audit as audit_store

    _register(api, "root")
    for n in range(3):
        event = audit_store.new_event(f"legacy-{n}", f"2025-0{n + 1}-15T10:00:00.000000Z", action="legacy")
        event.GSI1PK = audit_store.legacy_month_partition(event.at)
        audit_store.put(event)
    before = gatehouse("audit", "export", "--since", "2025-01-01", "--until", "2025-12-31")
    assert before.stdout == ""  # the log reads only the shard keys
    moved = gatehouse("audit", "reshard", "--every", "2")
    assert moved.exit_code == 0, moved.output
    assert "2 events found, 2 moved" in moved.stderr
    assert "3 events moved to their shard key, 0 already moved or gone (3 found)" in moved.stderr
    after = gatehouse("audit", "export", "--since", "2025-01-01", "--until", "2025-12-31")
    assert [json.loads(line)["event_id"] for line in after.stdout.splitlines()] == [
        "legacy-0",
        "legacy-1",
        "legacy-2",
    ]
    again = gatehouse("audit", "reshard")
    assert again.exit_code == 0
    assert "0 events moved to their shard key, 0 already moved or gone (0 found)" in again.stderr


def test_the_local_target_reaches_the_store_the_running_local_run_announces(
    moto_server: EmbeddedAws, tmp_path: Path
) -> None:
    # A store in another process, as the local run's: what one command writes, the next one reads.
    announced = {"endpoint_url": moto_server.endpoint_url, "table_name": os.environ["TABLE_NAME"]}
    (tmp_path / "endpoint.json").write_text(json.dumps(announced))
    (tmp_path / "jwt-secret").write_text("k" * 80)
    environment = {
        k: v for k, v in os.environ.items() if k not in ("TABLE_NAME", "AWS_ENDPOINT_URL", "JWT_SECRET")
    }
    local = [sys.executable, "-m", "gatehouse_cli", "--local", "--state-dir", str(tmp_path)]
    created = subprocess.run(
        [*local, "bootstrap-super", "--email", "root@example.com", "--password-stdin"],
        input=f"{PASSWORD}\n",
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert created.returncode == 0, created.stderr
    made = re.search(r"user (\d+) <root@example.com> is the super \(created\)", created.stderr)
    assert made is not None, created.stderr
    user_id = int(made.group(1))
    command = [*local, "users", "show", "root@example.com"]
    shown = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=120, check=False)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["id"] == user_id
    assert "the local run's table" in shown.stderr

    (tmp_path / "endpoint.json").unlink()
    stopped = subprocess.run(
        command, env=environment, capture_output=True, text=True, timeout=120, check=False
    )
    assert stopped.returncode == 2
    assert "make start" in stopped.stderr


def _signed_in(api: ApiClient, token: str) -> bool:
    status = api.get("/api/auth/me", headers=bearer(token)).status
    assert status in (200, 401)
    return status == 200


def test_keys_rotate_twice_keeps_tokens_valid_until_drop_previous_and_never_prints_a_key(
    api: ApiClient, embedded_aws: MotoAws, deployed_signing_key: signing_key.SecretsManagerSource
) -> None:
    secrets = embedded_aws.client("secretsmanager")
    arn = deployed_signing_key.secret_id
    _register(api, "keyring")
    before = _token(api, "keyring@example.com")

    def keys(*arguments: str) -> signing_key.KeyRing:
        result = gatehouse("keys", *arguments, "--secret-arn", arn)
        assert result.exit_code == 0, result.output
        ring = signing_key.parse(secrets.get_secret_value(SecretId=arn)["SecretString"])
        previous = ring.previous.kid if ring.previous else "none"
        assert f"current {ring.current.kid}, previous {previous}" in result.output
        stored_keys = json.loads(secrets.get_secret_value(SecretId=arn)["SecretString"])
        for key in filter(None, (stored_keys["current"], stored_keys["previous"])):
            assert key["key"] not in result.output
        assert TEST_JWT_SECRET not in result.output
        signing_key.refresh()  # what every container does once its cache expires
        return ring

    first = keys("rotate")
    assert first.previous is not None
    assert first.previous.kid == signing_key.LEGACY_KID
    assert _signed_in(api, before)  # nobody is signed out by a rotation
    after_first = _token(api, "keyring@example.com")

    second = keys("rotate")
    assert second.previous == first.current
    assert not _signed_in(api, before)  # its key left the secret
    assert _signed_in(api, after_first)

    dropped = keys("drop-previous")
    assert dropped.previous is None
    assert not _signed_in(api, after_first)
    assert _signed_in(api, _token(api, "keyring@example.com"))


def test_keys_rotate_refuses_a_fixed_key_and_a_deployed_table_without_the_secret(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The tests sign with a fixed JWT_SECRET, which nothing can rotate.
    fixed = gatehouse("keys", "rotate")
    assert fixed.exit_code == 2
    assert "JWT_SECRET is fixed" in fixed.output
    from gatehouse.settings import get_settings

    monkeypatch.setattr(get_settings(), "jwt_secret_arn", "unused-by-gatehouse-cli")
    deployed = gatehouse("keys", "drop-previous")
    assert deployed.exit_code == 2
    assert "--secret-arn" in deployed.output
