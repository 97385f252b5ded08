"""The local run (`make start`) as a developer's client sees it: requests per second over one
keep-alive connection.

Starts `python -m gatehouse_local` on a free port with its own state directory, registers and
signs in one user on surface B, then sends `GET /api/auth/me` back to back on one HTTP/1.1
connection. Every request goes through the emulated API Gateway, the real handler and the
embedded moto server, as `make start` serves it.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

from bench.figures import Figure, Progress, section_main

SECTION = "local run"
REQUESTS = 300
GOAL_PER_SECOND = 100.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_listening(port: int, server: subprocess.Popen[bytes], timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the local run exited with {server.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the local run did not listen on {port} within {timeout_s:.0f}s")


def _call(
    connection: http.client.HTTPConnection, method: str, path: str, body: object = None, token: str = ""
) -> tuple[int, object]:
    headers = {"Accept": "application/json"}
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection.request(method, path, body=payload, headers=headers)
    response = connection.getresponse()
    return response.status, json.loads(response.read() or b"null")


def run(progress: Progress) -> list[Figure]:
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="gatehouse-bench-local-") as state_dir:
        progress(f"local run: starting `python -m gatehouse_local` on port {port}")
        server = subprocess.Popen(  # noqa: S603 - our own module
            [
                sys.executable,
                *("-m", "gatehouse_local", "--port", str(port), "--state-dir", state_dir),
                # One client sends more than a minute's worth: the rate limit would answer 429.
                *("--parameter-overrides", "RateLimitPerMinute=0"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "POWERTOOLS_METRICS_DISABLED": "true"},
        )
        try:
            _wait_until_listening(port, server)
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            account = {
                "username": "bench",
                "email": "bench@example.com",
                "password": "bench-password-1",
                "sex": 0,
                "age": 30,
            }
            status, _ = _call(connection, "POST", "/api/auth/register", account)
            if status >= 400:
                raise RuntimeError(f"register answered {status}")
            credentials = {"email": account["email"], "password": account["password"]}
            status, answer = _call(connection, "POST", "/api/auth/login", credentials)
            if status != 200 or not isinstance(answer, dict):
                raise RuntimeError(f"login answered {status}")
            token = str(answer["access_token"])
            for _ in range(20):  # warm the handler and the connection
                _call(connection, "GET", "/api/auth/me", token=token)
            progress(f"local run: {REQUESTS} × GET /api/auth/me on one keep-alive connection")
            started = time.perf_counter()
            for _ in range(REQUESTS):
                status, _ = _call(connection, "GET", "/api/auth/me", token=token)
                if status != 200:
                    raise RuntimeError(f"/api/auth/me answered {status}")
            per_second = REQUESTS / (time.perf_counter() - started)
            connection.close()
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
    return [
        Figure(
            SECTION,
            "GET /api/auth/me, one keep-alive client",
            round(per_second, 1),
            "req/s",
            at_least=GOAL_PER_SECOND,
        )
    ]


if __name__ == "__main__":
    section_main(run)
