"""The local run answers a keep-alive client without Nagle's delay (headers and body are two writes)."""

from __future__ import annotations

import http.client
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from gatehouse_local.moto_process import PromptRequestHandler
from gatehouse_local.server import GatewayRequestHandler, LocalApiServer


@contextmanager
def recording_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[LocalApiServer, list[int]]]:
    options: list[int] = []
    original_setup = GatewayRequestHandler.setup

    def setup(handler: Any) -> None:
        original_setup(handler)
        options.append(handler.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    monkeypatch.setattr(GatewayRequestHandler, "setup", setup)
    server = LocalApiServer(("127.0.0.1", 0), [])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, options
    finally:
        server.shutdown()
        server.server_close()


def test_the_local_api_server_sets_tcp_nodelay_on_every_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    with recording_server(monkeypatch) as (server, options):
        connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
        for _ in range(2):
            connection.request("GET", "/no/such/route")
            response = connection.getresponse()
            response.read()
            assert response.status == 403  # API Gateway's "Missing Authentication Token"
        connection.close()
    assert options == [1]  # one connection, kept alive for both requests, without Nagle


def test_the_embedded_moto_server_answers_without_nagle_too() -> None:
    assert PromptRequestHandler.disable_nagle_algorithm is True


def test_the_local_api_server_sends_each_answer_in_one_write(monkeypatch: pytest.MonkeyPatch) -> None:
    writes: list[bytes] = []
    original_setup = GatewayRequestHandler.setup

    def setup(handler: Any) -> None:
        original_setup(handler)
        real_write = handler.wfile.write

        def write(data: bytes) -> int:
            writes.append(bytes(data))
            return int(real_write(data))

        handler.wfile.write = write

    monkeypatch.setattr(GatewayRequestHandler, "setup", setup)
    server = LocalApiServer(("127.0.0.1", 0), [])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
        connection.request("GET", "/no/such/route")
        response = connection.getresponse()
        body = response.read()
        connection.request("HEAD", "/no/such/route")
        head = connection.getresponse()
        head_body = head.read()
        connection.close()
    finally:
        server.shutdown()
        server.server_close()
    assert (response.status, response.reason) == (403, "Forbidden")
    assert response.getheader("Content-Length") == str(len(body))
    assert json.loads(body) == {"message": "Missing Authentication Token"}
    assert (head.status, head_body, head.getheader("Content-Length")) == (403, b"", str(len(body)))
    assert len(writes) == 2  # one per answer
    assert writes[0].startswith(b"HTTP/1.1 403 Forbidden\r\n")
    assert writes[0].endswith(b"\r\n\r\n" + body)
    assert writes[1].endswith(b"\r\n\r\n")
