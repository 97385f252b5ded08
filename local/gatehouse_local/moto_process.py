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
(``remember_lookups``), and only errors are logged. DynamoDB's answers are written by
``moto_serialization`` (moto's generic serializer spent ~5 ms a call on a user item's
attribute values: most of a ``BatchGetItem``), byte for byte what moto writes.

It also counts the requests that may change the stored data (DynamoDB and S3 writes),
answered at ``CHANGES_PATH``: the local run snapshots its store only when that count moved,
and knows a snapshot is consistent when it did not move during the dump.
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import FrameType
from typing import Any

from moto import backends
from moto.core import responses
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple

from gatehouse_local import moto_serialization, moto_transactions
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
    """Answers without Nagle's delay: werkzeug writes headers and body separately, and the
    second write would wait for the client's delayed ACK (~40 ms a call). Logs only errors."""

    disable_nagle_algorithm = True

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if str(code).startswith("5"):
            super().log_request(code, size)


def remember_lookups() -> None:
    """Moto's per-request lookups of what never changes while the server runs, made once: the
    list of its service modules (a directory listing) and each responses class's methods."""
    list_modules = backends.list_of_moto_modules
    backends.list_of_moto_modules = functools.cache(lambda: tuple(list_modules()))
    responses.method_names_from_class = functools.cache(responses.method_names_from_class)  # type: ignore[attr-defined]


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
    moto_transactions.install()
    if not moto_serialization.install():
        print(
            "gatehouse_local: moto's serializer changed, DynamoDB answers are serialized the slow way: "
            f"review gatehouse_local.moto_serialization ({', '.join(moto_serialization.changes())})",
            file=sys.stderr,
        )
    remember_lookups()
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
