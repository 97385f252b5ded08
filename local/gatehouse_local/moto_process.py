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
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from types import FrameType
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple

from gatehouse_local import moto_transactions

WsgiApp = Callable[[dict[str, Any], Any], Iterable[bytes]]


def serialised(app: WsgiApp) -> WsgiApp:
    lock = threading.Lock()

    def handle(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        with lock:
            # The body is produced inside the lock: a lazy iterable would run the
            # backend after the lock was released.
            return list(app(environ, start_response))

    return handle


class PromptRequestHandler(MotoRequestHandler):
    """Answers without Nagle's delay: werkzeug writes headers and body separately, and the
    second write would wait for the client's delayed ACK (~40 ms a call)."""

    disable_nagle_algorithm = True


def _exit(signum: int, frame: FrameType | None) -> None:
    sys.exit(0)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m gatehouse_local.moto_process")
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    arguments = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _exit)
    signal.signal(signal.SIGINT, _exit)
    # Refuses (and the server does not start) if moto is not the reviewed version.
    moto_transactions.install()
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
