"""Work the local run repeats in the background (the mail stream's drain, the data snapshot)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def repeating(
    work: Callable[[], object],
    interval_s: float,
    *,
    name: str,
    on_error: Callable[[Exception], None],
    join_timeout_s: float,
) -> Iterator[None]:
    """Run `work` every `interval_s` on a daemon thread until the block exits (then wait up to
    `join_timeout_s` for a round under way). A failed round goes to `on_error`; the next one runs."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(interval_s):
            try:
                work()
            except Exception as error:  # the local run stays up; the next round retries
                on_error(error)

    thread = threading.Thread(target=loop, name=name, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=join_timeout_s)
