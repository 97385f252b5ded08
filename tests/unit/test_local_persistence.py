"""The local run keeps its data across restarts (gatehouse_local.persistence), as DynamoDB Local does.

The round trips run the real local run (`python -m gatehouse_local`, what `make start` runs) with
its own state directory under tmp_path: never the repository's `.local/`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest

from gatehouse_local.embedded_aws import REGION, EmbeddedAws, MotoAws
from gatehouse_local.moto_process import may_change_stored_data
from gatehouse_local.persistence import (
    SNAPSHOT_FILE,
    SnapshotError,
    StoredResources,
    StoreKeeper,
    dump,
    load,
    reset,
    write_snapshot,
)

pytestmark = pytest.mark.heavy

EMAIL = "keeper@example.com"
PASSWORD = "kept-password-1"
USER = {"username": "keeper", "email": EMAIL, "password": PASSWORD, "sex": 1, "age": 30}
USERPIC_BUCKET = "gatehouse-userpics-local"
USERPIC_KEY = "userpics/1/kept.png"
USERPIC_BODY = b"\x89PNG\r\n\x1a\n-kept-"
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class LocalRun:
    process: subprocess.Popen[str]
    state: Path
    base_url: str = ""
    output: list[str] = field(default_factory=list)

    def request(self, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.base_url}{path}", data=data, headers=headers, method=method)  # noqa: S310
        try:
            with _DIRECT.open(request, timeout=30) as answer:
                return int(answer.status), json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as error:
            return int(error.code), json.loads(error.read() or b"null")

    def sign_in(self, password: str = PASSWORD) -> tuple[int, Any]:
        return self.request("POST", "/api/auth/login", {"email": EMAIL, "password": password})

    def moto_endpoint(self) -> str:
        endpoint: str = json.loads((self.state / "endpoint.json").read_text())["endpoint_url"]
        return endpoint

    def s3(self) -> Any:
        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.moto_endpoint(),
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def text(self) -> str:
        return "".join(self.output)


@contextmanager
def local_run(state: Path, *, snapshot_interval_s: float = 30) -> Iterator[LocalRun]:
    environment = {name: value for name, value in os.environ.items() if name != "JWT_SECRET"}
    command = [sys.executable, "-m", "gatehouse_local", "--port", "0", "--state-dir", str(state)]
    process = subprocess.Popen(
        [*command, "--snapshot-interval", str(snapshot_interval_s)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=environment,
    )
    run = LocalRun(process, state)
    started = threading.Event()

    def read_output() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            run.output.append(line)
            if line.startswith("Gatehouse local API on "):
                run.base_url = line.split()[4]
                started.set()

    reader = threading.Thread(target=read_output, daemon=True)
    reader.start()
    try:
        if not started.wait(120):
            pytest.fail(f"the local run did not start:\n{run.text()}")
        yield run
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # as Ctrl-C
        process.wait(timeout=60)
        reader.join(timeout=10)


def registered_and_signed_in(run: LocalRun) -> str:
    assert run.request("POST", "/api/auth/register", USER)[0] == 200
    status, body = run.sign_in()
    assert status == 200
    token: str = body["access_token"]
    return token


def wait_for(condition: Any, what: str, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


def put_userpic(run: LocalRun) -> None:
    run.s3().put_object(
        Bucket=USERPIC_BUCKET,
        Key=USERPIC_KEY,
        Body=USERPIC_BODY,
        ContentType="image/png",
        Metadata={"owner": "1"},
    )


def assert_userpic_kept(run: LocalRun) -> None:
    stored = run.s3().get_object(Bucket=USERPIC_BUCKET, Key=USERPIC_KEY)
    assert stored["Body"].read() == USERPIC_BODY
    assert stored["ContentType"] == "image/png"
    assert stored["Metadata"] == {"owner": "1"}


def assert_user_kept(run: LocalRun, token: str) -> None:
    status, me = run.request("GET", "/api/auth/me", token=token)
    assert status == 200
    assert me["email"] == EMAIL
    assert run.sign_in()[0] == 200
    assert run.sign_in("a-wrong-password")[0] == 401


def test_users_tokens_and_userpics_survive_a_graceful_restart(tmp_path: Path) -> None:
    with local_run(tmp_path) as first:
        token = registered_and_signed_in(first)
        put_userpic(first)
    assert "Data saved to" in first.text()
    assert first.process.returncode == 0

    with local_run(tmp_path) as second:
        assert "Restored " in second.text()
        assert_user_kept(second, token)
        assert_userpic_kept(second)


def test_the_periodic_snapshot_survives_a_kill_and_the_store_process_goes_with_it(tmp_path: Path) -> None:
    snapshot = tmp_path / SNAPSHOT_FILE
    with local_run(tmp_path, snapshot_interval_s=0.2) as first:
        token = registered_and_signed_in(first)
        # The last write: a snapshot holding it was dumped after every write of the sign-in.
        put_userpic(first)
        wait_for(lambda: snapshot.exists() and USERPIC_KEY in snapshot.read_text(), "the periodic snapshot")
        moto_changes = first.moto_endpoint() + "/gatehouse-local/changes"
        first.process.kill()
        first.process.wait(timeout=30)

        def moto_is_gone() -> bool:
            try:
                _DIRECT.open(moto_changes, timeout=1).close()
            except (urllib.error.URLError, ConnectionError):
                return True
            return False

        wait_for(moto_is_gone, "the moto process to stop with the killed local run")
    assert "Data saved to" not in first.text()
    assert snapshot.stat().st_mode & 0o077 == 0

    with local_run(tmp_path) as second:
        assert_user_kept(second, token)
        assert_userpic_kept(second)


def test_an_unreadable_snapshot_is_set_aside_and_the_run_starts_empty(tmp_path: Path) -> None:
    (tmp_path / SNAPSHOT_FILE).write_text(
        '{"format": "gatehouse-local-store/1", "table": {"ite', encoding="utf-8"
    )
    with local_run(tmp_path) as run:
        assert "WARNING: the data snapshot" in run.text()
        assert "starts empty" in run.text()
        assert run.sign_in()[0] == 401
        assert run.request("POST", "/api/auth/register", USER)[0] == 200
    (aside,) = tmp_path.glob(f"{SNAPSHOT_FILE}.unreadable-*")
    assert aside.read_text(encoding="utf-8").endswith('"table": {"ite')
    assert EMAIL in (tmp_path / SNAPSHOT_FILE).read_text(encoding="utf-8")


def _resources() -> StoredResources:
    return StoredResources(os.environ["TABLE_NAME"], (os.environ["USERPIC_BUCKET"],))


def _put_item_with_every_kind_of_value(aws: MotoAws) -> dict[str, Any]:
    item = {
        "PK": {"S": "USER#1"},
        "SK": {"S": "PROFILE"},
        "count": {"N": "3"},
        "hash": {"B": b"\x00\xffbinary"},
        "hashes": {"BS": [b"\x01", b"\x02"]},
        "nested": {"M": {"list": {"L": [{"S": "a"}, {"B": b"\x03"}, {"NULL": True}, {"BOOL": False}]}}},
        "tags": {"SS": ["x", "y"]},
    }
    aws.client("dynamodb").put_item(TableName=os.environ["TABLE_NAME"], Item=item)
    return item


def test_a_snapshot_round_trip_keeps_every_attribute_type_and_object_property(
    embedded_aws: MotoAws, tmp_path: Path
) -> None:
    item = _put_item_with_every_kind_of_value(embedded_aws)
    s3 = embedded_aws.client("s3")
    s3.put_object(
        Bucket=os.environ["USERPIC_BUCKET"], Key="a/b.png", Body=b"\x89PNG", ContentType="image/png"
    )
    path = tmp_path / SNAPSHOT_FILE
    write_snapshot(path, dump(embedded_aws, _resources()))
    embedded_aws.reset()

    snapshot = json.loads(path.read_text(encoding="utf-8"))
    assert load(embedded_aws, _resources(), snapshot) == []
    stored = embedded_aws.client("dynamodb").get_item(
        TableName=os.environ["TABLE_NAME"], Key={"PK": item["PK"], "SK": item["SK"]}
    )["Item"]
    assert stored == item
    restored = s3.get_object(Bucket=os.environ["USERPIC_BUCKET"], Key="a/b.png")
    assert (restored["Body"].read(), restored["ContentType"]) == (b"\x89PNG", "image/png")


def test_the_keeper_saves_only_after_a_change(moto_server: EmbeddedAws, tmp_path: Path) -> None:
    keeper = StoreKeeper(moto_server, _resources(), tmp_path / SNAPSHOT_FILE, report=lambda _: None)
    keeper.restore()
    assert keeper.save_if_changed() is False
    moto_server.client("dynamodb").scan(TableName=os.environ["TABLE_NAME"])
    moto_server.client("s3").list_objects_v2(Bucket=os.environ["USERPIC_BUCKET"])
    assert keeper.save_if_changed() is False
    _put_item_with_every_kind_of_value(moto_server)
    assert keeper.save_if_changed() is True
    assert keeper.save_if_changed() is False
    assert len(json.loads((tmp_path / SNAPSHOT_FILE).read_text())["table"]["items"]) == 1


def test_a_snapshot_of_another_format_is_refused(embedded_aws: MotoAws) -> None:
    with pytest.raises(SnapshotError, match="format"):
        load(embedded_aws, _resources(), {"format": "something-else", "table": {"items": []}, "buckets": {}})


@pytest.mark.parametrize(
    ("environ", "changes"),
    [
        ({"REQUEST_METHOD": "POST", "HTTP_X_AMZ_TARGET": "DynamoDB_20120810.PutItem"}, True),
        ({"REQUEST_METHOD": "POST", "HTTP_X_AMZ_TARGET": "DynamoDB_20120810.TransactWriteItems"}, True),
        ({"REQUEST_METHOD": "POST", "HTTP_X_AMZ_TARGET": "DynamoDB_20120810.Scan"}, False),
        ({"REQUEST_METHOD": "POST", "HTTP_X_AMZ_TARGET": "DynamoDB_20120810.Query"}, False),
        ({"REQUEST_METHOD": "POST", "HTTP_X_AMZ_TARGET": "DynamoDBStreams_20120810.GetRecords"}, False),
        ({"REQUEST_METHOD": "PUT", "PATH_INFO": "/bucket/key"}, True),
        ({"REQUEST_METHOD": "GET", "PATH_INFO": "/bucket/key"}, False),
        (
            {
                "REQUEST_METHOD": "POST",
                "HTTP_AUTHORIZATION": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/sqs/aws4_request",
            },
            False,
        ),
    ],
)
def test_the_moto_process_counts_only_what_may_change_the_kept_data(
    environ: dict[str, str], changes: bool
) -> None:
    assert may_change_stored_data(environ) is changes


def test_reset_removes_the_snapshot_and_keeps_the_rest(tmp_path: Path) -> None:
    (tmp_path / SNAPSHOT_FILE).write_text("{}", encoding="utf-8")
    (tmp_path / f"{SNAPSHOT_FILE}.tmp").write_text("{", encoding="utf-8")
    (tmp_path / "jwt-secret").write_text("key", encoding="utf-8")
    (tmp_path / "outbox").mkdir()
    assert sorted(path.name for path in reset(tmp_path)) == [SNAPSHOT_FILE, f"{SNAPSHOT_FILE}.tmp"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["jwt-secret", "outbox"]


def test_reset_refuses_while_a_local_run_uses_the_state(tmp_path: Path) -> None:
    (tmp_path / SNAPSHOT_FILE).write_text("{}", encoding="utf-8")
    (tmp_path / "endpoint.json").write_text(json.dumps({"pid": os.getpid()}), encoding="utf-8")
    with pytest.raises(SnapshotError, match="stop it first"):
        reset(tmp_path)
    assert (tmp_path / SNAPSHOT_FILE).exists()


def test_after_reset_the_local_run_starts_empty(tmp_path: Path) -> None:
    with local_run(tmp_path) as first:
        registered_and_signed_in(first)
    reset(tmp_path)
    with local_run(tmp_path) as second:
        assert "No data snapshot" in second.text()
        assert second.sign_in()[0] == 401
