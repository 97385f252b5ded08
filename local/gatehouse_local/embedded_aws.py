"""A private moto: DynamoDB, S3 and the rest for the local run and the tests.

``EmbeddedAws`` is a moto server in a separate process (``moto_process``), for the local run:
other processes (the operator CLI) reach it, and it serialises requests. ``InProcessAws`` is
moto inside this process (``mock_aws``), for the tests: each test worker has its own, and a call
costs a third of a call to the server (no HTTP on either side). Plain ``mock_aws`` is not
thread-safe (concurrent atomic ADDs lose updates), so ``InProcessAws`` answers one call at a
time, as the server does.
"""

from __future__ import annotations

import atexit
import os
import queue
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

import boto3

from gatehouse_local.template import (
    Template,
    bucket_logical_ids,
    table_create_kwargs,
    ttl_attribute,
)

REGION = "us-east-1"
FAKE_CREDENTIAL = "testing"


MOTO_COMMAND = (sys.executable, "-m", "gatehouse_local.moto_process")
# Where the moto process answers how many requests may have changed DynamoDB or S3.
CHANGES_PATH = "/gatehouse-local/changes"
# Our own server on loopback: never through an HTTP(S)_PROXY from the environment.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


class EmbeddedAwsError(RuntimeError):
    """The moto server could not be started or did not answer."""


class MotoAws(ABC):
    """What the tests and the local run use of a private moto, wherever it runs: clients bound to
    it, the template's resources, an empty store again (``reset``)."""

    def __init__(self) -> None:
        self._resources: tuple[Template, str, dict[str, str]] | None = None
        self._clients: dict[str, Any] = {}
        self._clients_lock = threading.Lock()

    @abstractmethod
    def start(self) -> Self: ...

    @abstractmethod
    def stop(self) -> None: ...

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def environment(self) -> dict[str, str]:
        """The variables that send every boto3/botocore/PynamoDB client to this moto."""
        return self.environment_without_endpoint()

    @staticmethod
    def environment_without_endpoint() -> dict[str, str]:
        """Fake credentials and the region: nothing can reach a real AWS account with them."""
        return {
            "AWS_ACCESS_KEY_ID": FAKE_CREDENTIAL,
            "AWS_SECRET_ACCESS_KEY": FAKE_CREDENTIAL,
            "AWS_SESSION_TOKEN": FAKE_CREDENTIAL,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
        }

    def configure_environment(self) -> None:
        os.environ.update(self.environment())

    def client(self, service: str) -> Any:
        """A boto3 client bound to this moto (cached: creating one costs ~70 ms)."""
        with self._clients_lock:
            if service not in self._clients:
                self._clients[service] = self._new_client(service)
            return self._clients[service]

    def _new_client(self, service: str) -> Any:
        return boto3.session.Session().client(
            service,
            region_name=REGION,
            aws_access_key_id=FAKE_CREDENTIAL,
            aws_secret_access_key=FAKE_CREDENTIAL,
            aws_session_token=FAKE_CREDENTIAL,
            **self._endpoint(),
        )

    def _endpoint(self) -> dict[str, str]:
        return {}

    def create_resources(self, template: Template, table_name: str, bucket_names: Mapping[str, str]) -> None:
        """Create the template's table (with TTL) and buckets; ``reset()`` recreates them."""
        buckets = {logical_id: bucket_names.get(logical_id) for logical_id in bucket_logical_ids(template)}
        unnamed = sorted(logical_id for logical_id, name in buckets.items() if not name)
        if unnamed:
            raise EmbeddedAwsError(f"no local bucket name for {', '.join(unnamed)}")
        dynamodb = self.client("dynamodb")
        dynamodb.create_table(**table_create_kwargs(template, table_name))
        attribute = ttl_attribute(template)
        if attribute:
            dynamodb.update_time_to_live(
                TableName=table_name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute},
            )
        s3 = self.client("s3")
        for name in buckets.values():
            s3.create_bucket(Bucket=name)
        self._resources = (template, table_name, dict(bucket_names))

    def reset(self) -> None:
        """Empty every moto backend, then recreate the resources ``create_resources`` made."""
        self._empty_backends()
        if self._resources is not None:
            self.create_resources(*self._resources)

    @abstractmethod
    def _empty_backends(self) -> None: ...


class InProcessAws(MotoAws):
    """moto in this process, one call at a time (see the module's docstring); one per process."""

    def __init__(self) -> None:
        super().__init__()
        self._mock: Any = None
        self._moto_thread: _MotoThread | None = None

    def start(self) -> Self:
        if self._mock is not None:
            return self
        from moto import mock_aws
        from moto.core.models import botocore_stubber

        from gatehouse_local.moto_process import install_reviewed_changes

        # As in the server process; when moto is not the reviewed one, its own serializer and
        # update-expression checks stay (tests/unit/test_moto_serialization.py and
        # test_moto_update_expressions.py say so).
        install_reviewed_changes()
        self._moto_thread = _on_moto_thread(botocore_stubber)
        self._mock = mock_aws()
        self._mock.start()
        return self

    def environment(self) -> dict[str, str]:
        # botocore sends a call naming a stream's ARN to the account's own endpoint
        # (<account>.streams-ddb.<region>.amazonaws.com), which moto does not recognise.
        return {**super().environment(), "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled"}

    def stop(self) -> None:
        mock, self._mock = self._mock, None
        self._clients.clear()
        if mock is not None:
            mock.stop()

    def _empty_backends(self) -> None:
        from moto.core.base_backend import BackendDict

        if self._moto_thread is None:
            raise EmbeddedAwsError("InProcessAws is not started")
        self._moto_thread.run(BackendDict.reset)


class _MotoThread:
    """The one thread that runs moto in this process: calls from any thread wait their turn.

    Besides answering one call at a time, it keeps moto off the caller's deep stack: CPython
    grows a thread's frame stack in 16 KiB chunks and unmaps a chunk as soon as its first frame
    returns, so moto's recursive (de)serialisers, called 200 frames deep under pytest, a handler
    and botocore, kept crossing a chunk boundary: a map and an unmap each time, 20 times the
    page faults of the whole test run otherwise. On a thread of its own, moto starts shallow.
    """

    def __init__(self) -> None:
        self._calls: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]]] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name="moto", daemon=True)
        self._thread.start()

    def run(self, call: Callable[[], Any]) -> Any:
        if threading.current_thread() is self._thread:
            return call()
        done: Future[Any] = Future()
        self._calls.put((call, done))
        return done.result()

    def _serve(self) -> None:
        while True:
            call, done = self._calls.get()
            try:
                done.set_result(call())
            except BaseException as error:  # handed to the caller, whatever it is
                done.set_exception(error)


_moto_thread: _MotoThread | None = None


def _on_moto_thread(stubber: Any) -> _MotoThread:
    global _moto_thread
    if _moto_thread is None:
        _moto_thread = _MotoThread()
        process_request = stubber.process_request
        worker = _moto_thread

        def one_at_a_time(request: Any) -> Any:
            return worker.run(lambda: process_request(request))

        stubber.process_request = one_at_a_time
    return _moto_thread


class EmbeddedAws(MotoAws):
    """A moto server in a separate process (``moto_process``) on a free local port."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        log_path: Path | None = None,
        startup_timeout_s: float = 30.0,
    ) -> None:
        super().__init__()
        self.host = host
        self.requested_port = port
        self.log_path = log_path
        self.startup_timeout_s = startup_timeout_s
        self.port: int | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def endpoint_url(self) -> str:
        if self.port is None:
            raise EmbeddedAwsError("EmbeddedAws is not started")
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> Self:
        if self.running:
            return self
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self._log = self.log_path.open("ab")
        atexit.register(self.stop)
        attempts = 1 if self.requested_port else 3
        for attempt in range(1, attempts + 1):
            self.port = self.requested_port or _free_port(self.host)
            output: IO[bytes] | int = self._log if self._log is not None else subprocess.DEVNULL
            self._process = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
                [*MOTO_COMMAND, "-H", self.host, "-p", str(self.port)],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
            if self._wait_until_ready():
                return self
            # The free port may have been taken between probing and binding.
            self._kill()
            if attempt == attempts:
                break
        self.stop()
        where = f"; see {self.log_path}" if self.log_path else "; pass log_path to see why"
        raise EmbeddedAwsError(f"the moto server did not start on {self.host}:{self.port}{where}")

    def _wait_until_ready(self) -> bool:
        deadline = time.monotonic() + self.startup_timeout_s
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                return False
            try:
                if self._moto_api("", timeout_s=2) == 200:
                    return True
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.05)
        return False

    def changes(self) -> int:
        """How many requests so far may have changed DynamoDB or S3 (counted by ``moto_process``)."""
        with _DIRECT.open(f"{self.endpoint_url}{CHANGES_PATH}", timeout=10) as answer:
            return int(answer.read())

    def _moto_api(self, path: str, *, method: str = "GET", timeout_s: float = 10) -> int:
        url = f"{self.endpoint_url}/moto-api/{path}"
        data = b"" if method == "POST" else None
        request = urllib.request.Request(url, method=method, data=data)  # noqa: S310 - http, our own server
        with _DIRECT.open(request, timeout=timeout_s) as answer:
            answer.read()
            return int(answer.status)

    def _kill(self) -> None:
        self._clients.clear()
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    def stop(self) -> None:
        self._kill()
        atexit.unregister(self.stop)
        if self._log is not None:
            self._log.close()
            self._log = None

    def environment(self) -> dict[str, str]:
        """The variables that send every boto3/botocore/PynamoDB client to this server."""
        return {"AWS_ENDPOINT_URL": self.endpoint_url, **self.environment_without_endpoint()}

    def _endpoint(self) -> dict[str, str]:
        return {"endpoint_url": self.endpoint_url}

    def _empty_backends(self) -> None:
        self._moto_api("reset", method="POST")
