"""Counting the DynamoDB calls a piece of code makes (the bench and the tests' cost bounds)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import botocore.client


class CallCounter:
    """Counts DynamoDB API calls made by this process (every botocore client), in total and by
    operation name (`Query`, `GetItem`, ...)."""

    def __init__(self) -> None:
        self.calls = 0
        self.operations: Counter[str] = Counter()
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self.calls = 0
            self.operations.clear()

    @contextmanager
    def installed(self) -> Iterator[None]:
        original = botocore.client.BaseClient._make_api_call
        counter = self

        def counting(client: Any, operation: str, params: Any) -> Any:
            if client.meta.service_model.service_name == "dynamodb":
                with counter._lock:
                    counter.calls += 1
                    counter.operations[operation] += 1
            return original(client, operation, params)

        botocore.client.BaseClient._make_api_call = counting
        try:
            yield
        finally:
            botocore.client.BaseClient._make_api_call = original
