"""The moto server process that ``EmbeddedAws`` starts: ``python -m gatehouse_local.moto_process``.

It is moto's own server application (what ``moto_server`` runs) with two
differences. Its ``TransactWriteItems`` rolls back only the items a cancelled
transaction touched, instead of deep-copying whole tables before every
transaction (``moto_transactions``: same semantics, O(items) instead of
O(table size)). And requests are handled one at a time. ``moto_server`` handles them on
concurrent threads with no locking in the DynamoDB backend, so concurrent
``UpdateItem ADD``s and conditional writes occasionally lose an update (about
one run in ten of 16 threads x 20 ADDs ends at 319). DynamoDB itself applies
writes to an item atomically, so the tests need a server that does too. (The
GIL leaves little to gain from running the backend on two threads anyway: the
lock covers moto's work, while reading requests and writing answers overlap.)

Per request, moto lists its own package directory (to tell a service name from a host) and
walks the responses class with ``inspect.getmembers``, and werkzeug logs a line: a third of a
call's time. Both lookups answer the same for the life of the process, so they are made once
(``remember_lookups``), and only errors are logged. DynamoDB's and its stream's answers are
written by ``moto_serialization`` (moto's generic serializer spent ~5 ms a call on a user
item's attribute values: most of a ``BatchGetItem``), byte for byte what moto writes. An update
expression's action counts and overlapping paths are checked once, not at every level of its
tree (``moto_update_expressions``: ~20 ms of a 25-action ``SET``), with moto's errors. And a client's
connection serves its next request (``PromptRequestHandler``): werkzeug's server closed each
one, so every AWS call paid a connection and a thread.

It also counts the requests that may change the stored data (DynamoDB and S3 writes),
answered at ``CHANGES_PATH``: the local run snapshots its store only when that count moved,
and knows a snapshot is consistent when it did not move during the dump.
"""

from __future__ import annotations

import argparse
import functools
import io
import os
import re
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import FrameType
from typing import Any

from moto import backends
from moto.core import responses
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple

from gatehouse_local import moto_serialization, moto_transactions, moto_update_expressions
from gatehouse_local.embedded_aws import CHANGES_PATH

WsgiApp = Callable[[dict[str, Any], Any], Iterable[bytes]]

# The services whose data the local run keeps (gatehouse_local.persistence).
STORED_SERVICES = frozenset({"dynamodb", "s3"})
# The service in a SigV4 credential scope: <key>/<date>/<region>/<service>/aws4_request.
_SIGNED_SERVICE = re.compile(r"Credential=[^/,\s]+/\d{8}/[^/]+/([^/]+)/aws4_request")
_READ_ONLY_OPERATION = re.compile(r"(?:Get|BatchGet|TransactGet|Describe|List)[A-Z]\w*|Query|Scan")
_READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def may_change_stored_data(environ: Mapping[str, Any]) -> bool:
    """False only for requests known to leave DynamoDB and S3 as they were (an unknown one counts)."""
    signed = _SIGNED_SERVICE.search(environ.get("HTTP_AUTHORIZATION", ""))
    if signed is None:
        # A presigned URL: X-Amz-Credential in the query, its slashes percent-encoded.
        signed = _SIGNED_SERVICE.search(environ.get("QUERY_STRING", "").replace("%2F", "/"))
    if signed is not None and signed.group(1) not in STORED_SERVICES:
        return False
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return _READ_ONLY_OPERATION.fullmatch(target.rpartition(".")[2]) is None
    return environ.get("REQUEST_METHOD", "GET").upper() not in _READ_ONLY_METHODS


def serialised(app: WsgiApp) -> WsgiApp:
    lock = threading.Lock()
    changes = 0

    def handle(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        nonlocal changes
        if environ.get("PATH_INFO") == CHANGES_PATH:
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [str(changes).encode()]
        with lock:
            # The body is produced inside the lock: a lazy iterable would run the
            # backend after the lock was released.
            body = list(app(environ, start_response))
            if may_change_stored_data(environ):
                changes += 1
            return body

    return handle


class PromptRequestHandler(MotoRequestHandler):
    """Answers in one write, without Nagle's delay, and keeps the connection for the client's
    next request. werkzeug's server closes every connection after one answer (it cannot tell
    how much of a body the application left unread), so each AWS call cost a new connection
    here and a new thread to serve it; this handler reads the whole body before the
    application runs, so the next request starts where it ends. Logs only errors."""

    disable_nagle_algorithm = True

    def run_wsgi(self) -> None:
        if self.headers.get("Expect", "").lower().strip(" \t") == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        environ = self.environ = self.make_environ()
        environ["wsgi.input"] = io.BytesIO(self._request_body(environ))
        try:
            status, headers, body = answer(self.server.app, environ)
        except Exception:
            print(
                f"Error on {self.command} {self.path}:\n{traceback.format_exc()}", file=sys.stderr, flush=True
            )
            self.close_connection = True
            status, headers, body = (
                "500 Internal Server Error",
                [("Content-Type", "text/plain")],
                b"Internal Server Error",
            )
        self._send(status, headers, body)

    def _request_body(self, environ: dict[str, Any]) -> bytes:
        if environ.get("wsgi.input_terminated"):  # chunked: werkzeug's DechunkedInput
            return bytes(environ["wsgi.input"].read())
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
            self.close_connection = True  # where the next request starts is unknown
        return bytes(self.rfile.read(length)) if length > 0 else b""

    def _send(self, status: str, headers: Sequence[tuple[str, str]], body: bytes) -> None:
        code = int(status.split(None, 1)[0])
        lines = [f"{self.protocol_version} {status}", f"Server: {self.version_string()}"]
        lines.append(f"Date: {self.date_time_string()}")
        lines += [f"{name}: {value}" for name, value in headers]
        bodiless = self.command == "HEAD" or 100 <= code < 200 or code in _BODILESS_STATUSES
        if not bodiless and not any(name.lower() == "content-length" for name, _ in headers):
            lines.append(f"Content-Length: {len(body)}")
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head if bodiless else head + body)
        self.log_request(code, len(body))

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if str(code).startswith("5"):
            super().log_request(code, size)


# Answers that carry no body (RFC 9110): nothing follows their headers on the connection.
_BODILESS_STATUSES = frozenset({204, 304})


def answer(app: WsgiApp, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    """Run a WSGI application on ``environ``: its status, headers and whole body."""
    started: list[tuple[str, list[tuple[str, str]]]] = []
    parts: list[bytes] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        if started and not exc_info:
            raise AssertionError("start_response called twice without exc_info")
        started[:] = [(status, headers)]
        return parts.append  # PEP 3333's write(): what it writes precedes what is returned

    returned = app(environ, start_response)
    try:
        parts.extend(returned)
    finally:
        close = getattr(returned, "close", None)
        if close is not None:
            close()
    if not started:
        raise AssertionError("the application returned without calling start_response")
    status, headers = started[0]
    return status, headers, b"".join(parts)


def remember_lookups() -> None:
    """Moto's per-request lookups of what never changes while the server runs, made once: the
    list of its service modules (a directory listing) and each responses class's methods."""
    if hasattr(backends.list_of_moto_modules, "cache_info"):
        return  # already remembered in this process
    list_modules = backends.list_of_moto_modules
    remembered = functools.cache(lambda: tuple(list_modules()))
    backends.list_of_moto_modules = functools.update_wrapper(
        remembered, list_modules
    )  # __wrapped__: the original
    responses.method_names_from_class = functools.cache(responses.method_names_from_class)  # type: ignore[attr-defined]


def install_reviewed_changes() -> list[str]:
    """This process's moto as the local run and the tests use it: ``moto_transactions`` (raises
    MotoChanged when moto is not the reviewed one), then the speed-ups that leave moto's own code
    in place when it is not (their names and why, returned), then ``remember_lookups``."""
    moto_transactions.install()
    slow = [
        f"{module.__name__} ({', '.join(module.changes())})"
        for module in (moto_serialization, moto_update_expressions)
        if not module.install()
    ]
    remember_lookups()
    return slow


def _exit(signum: int, frame: FrameType | None) -> None:
    sys.exit(0)


def exit_with_parent(interval_s: float = 1.0) -> None:
    """Stop when the process that started this one is gone (killed, so it could not stop us)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval_s)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m gatehouse_local.moto_process")
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    arguments = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _exit)
    # Ctrl-C in a terminal reaches the whole process group: the local run stops this server
    # itself (SIGTERM) once it has saved the store's last snapshot from it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_with_parent()
    # Refuses (and the server does not start) if moto is not the reviewed version.
    for slow in install_reviewed_changes():
        print(f"gatehouse_local: moto changed, the slow way stays: review {slow}", file=sys.stderr)
    application = DomainDispatcherApplication(create_backend_app)
    run_simple(
        arguments.host,
        arguments.port,
        serialised(application),
        threaded=True,
        request_handler=PromptRequestHandler,
    )


if __name__ == "__main__":
    main()
