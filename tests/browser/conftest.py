"""The browser tests' fixtures: the real local run (`python -m gatehouse_local`, the server
`make start` runs) on a free port, and Debian's headless chromium driven by Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Flags for a closed network and a root user (the machines this runs on have both).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class StartingLocalRun:
    port: int
    server: subprocess.Popen[bytes]
    log: Path


@pytest.fixture(scope="module")
def local_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StartingLocalRun]:
    """The real local run on a free port, with its own state directory, starting."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    port = free_port()
    state = tmp_path_factory.mktemp("local-run")
    environment = {name: value for name, value in os.environ.items() if name != "ALLOWED_ORIGINS"}
    environment.pop("JWT_SECRET", None)
    with (state / "server.log").open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gatehouse_local", "--port", str(port), "--state-dir", str(state)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=environment,
        )
        try:
            yield StartingLocalRun(port, server, state / "server.log")
        finally:
            server.terminate()
            server.wait(timeout=30)


@pytest.fixture(scope="module")
def api_url(local_run: StartingLocalRun) -> str:
    """The local run's address, once it answers."""
    _wait_for_port(local_run.port, local_run.server, local_run.log)
    return f"http://127.0.0.1:{local_run.port}"


def _wait_for_port(port: int, server: subprocess.Popen[bytes], log: Path, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the local run exited:\n{log.read_text()}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0 and "Gatehouse local API" in log.read_text():
                return
        time.sleep(0.2)
    pytest.fail(f"the local run did not start in {timeout_s}s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def browser(local_run: StartingLocalRun) -> Iterator[Browser]:
    """Chromium, launched while the local run (started first) boots."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()
