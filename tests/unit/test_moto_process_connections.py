"""The moto process keeps a client's connection for its next request (werkzeug's server closed
every one): each answer carries its length and goes out whole, and a request body the
application does not read is read anyway, so the next request starts where it ends."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import urllib3.connection
from werkzeug.serving import make_server

from gatehouse_local.embedded_aws import EmbeddedAws
from gatehouse_local.moto_process import PromptRequestHandler, answer


def _echo(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """Answers with what it saw; reads the body only when asked to (`?read`)."""
    if environ["PATH_INFO"] == "/fail":
        raise RuntimeError("the application failed")
    if environ["PATH_INFO"] == "/empty":
        start_response("204 No Content", [])
        return []
    body = environ["wsgi.input"].read() if environ["QUERY_STRING"] == "read" else b"(unread)"
    seen = {
        "method": environ["REQUEST_METHOD"],
        "path": environ["PATH_INFO"],
        "peer_port": environ["REMOTE_PORT"],
        "body": body.decode(),
    }
    encoded = json.dumps(seen).encode()
    headers = [("Content-Type", "application/json")]
    if environ["REQUEST_METHOD"] == "HEAD":  # as S3's HeadObject: the length of what GET returns
        headers.append(("Content-Length", "1234"))
        return _started(start_response, headers, [])
    return _started(start_response, headers, [encoded[:10], encoded[10:]])


def _started(start_response: Any, headers: list[tuple[str, str]], body: list[bytes]) -> list[bytes]:
    start_response("200 OK", headers)
    return body


@contextmanager
def echo_server() -> Iterator[int]:
    server = make_server("127.0.0.1", 0, _echo, threaded=True, request_handler=PromptRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()


def _send(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    body: bytes | Iterable[bytes] | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[http.client.HTTPResponse, bytes]:
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    return response, response.read()


def test_one_connection_serves_request_after_request() -> None:
    with echo_server() as port:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        first, first_body = _send(connection, "POST", "/a?read", b"first body")
        second, second_body = _send(connection, "GET", "/b")
        connection.close()
    assert first.status == second.status == 200
    assert not first.will_close
    assert first.getheader("Content-Length") == str(len(first_body))
    seen = [json.loads(first_body), json.loads(second_body)]
    assert [(s["method"], s["path"], s["body"]) for s in seen] == [
        ("POST", "/a", "first body"),
        ("GET", "/b", "(unread)"),
    ]
    assert seen[0]["peer_port"] == seen[1]["peer_port"]  # the same connection


def test_a_body_the_application_leaves_unread_does_not_become_the_next_request() -> None:
    with echo_server() as port:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        unread, _ = _send(connection, "PUT", "/ignored", b"GET /smuggled HTTP/1.1\r\n\r\n")
        after, after_body = _send(connection, "POST", "/next?read", b"next")
        connection.close()
    assert unread.status == after.status == 200
    assert json.loads(after_body)["path"] == "/next"
    assert json.loads(after_body)["body"] == "next"


def test_a_chunked_body_reaches_the_application_whole() -> None:
    with echo_server() as port:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        chunked, body = _send(connection, "PUT", "/upload?read", iter([b"chunk one, ", b"chunk two"]))
        after, after_body = _send(connection, "GET", "/after")
        connection.close()
    assert chunked.status == after.status == 200
    assert json.loads(body)["body"] == "chunk one, chunk two"
    assert json.loads(after_body)["path"] == "/after"


def test_head_and_no_content_answers_carry_no_body_and_keep_the_connection() -> None:
    with echo_server() as port:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        head, head_body = _send(connection, "HEAD", "/object")
        empty, empty_body = _send(connection, "DELETE", "/empty")
        after, after_body = _send(connection, "GET", "/after")
        connection.close()
    assert after.status == 200
    assert (head.status, head_body, head.getheader("Content-Length")) == (200, b"", "1234")
    assert (empty.status, empty_body) == (204, b"")
    assert json.loads(after_body)["path"] == "/after"


def test_a_client_that_asks_to_close_is_answered_and_closed() -> None:
    with echo_server() as port:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        response, body = _send(connection, "GET", "/bye", headers={"Connection": "close"})
        connection.close()
    assert response.status == 200
    assert response.getheader("Connection") == "close"
    assert json.loads(body)["path"] == "/bye"


def test_an_application_error_is_a_500_that_closes_the_connection(capsys: pytest.CaptureFixture[str]) -> None:
    with echo_server() as port:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        failed, body = _send(connection, "GET", "/fail")
        connection.close()
    assert failed.status == 500
    assert failed.will_close
    assert body == b"Internal Server Error"
    assert "RuntimeError: the application failed" in capsys.readouterr().err


def test_answer_collects_what_the_application_writes_then_returns() -> None:
    closed: list[bool] = []

    class Body(list[bytes]):
        def close(self) -> None:
            closed.append(True)

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        write = start_response("201 Created", [("X-Test", "1")])
        write(b"written, ")
        return Body([b"returned"])

    assert answer(app, {}) == ("201 Created", [("X-Test", "1")], b"written, returned")
    assert closed == [True]


def test_botocore_reuses_its_connection_to_the_moto_process(monkeypatch: pytest.MonkeyPatch) -> None:
    connects: list[str] = []
    original_connect = urllib3.connection.HTTPConnection.connect

    def connect(connection: urllib3.connection.HTTPConnection) -> None:
        connects.append(connection.host)
        original_connect(connection)

    monkeypatch.setattr(urllib3.connection.HTTPConnection, "connect", connect)
    with EmbeddedAws() as aws:
        dynamodb = aws.client("dynamodb")
        for _ in range(5):
            dynamodb.list_tables()
    assert connects == ["127.0.0.1"]  # werkzeug's server made it connect five times
