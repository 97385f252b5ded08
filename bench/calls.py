"""Counting the DynamoDB calls a piece of code makes (the bench and the tests' cost bounds)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import botocore.client


class CallCounter:
    """Counts DynamoDB API calls made by this process (every botocore client)."""

    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()

    @contextmanager
    def installed(self) -> Iterator[None]:
        original = botocore.client.BaseClient._make_api_call
        counter = self

        def counting(client: Any, operation: str, params: Any) -> Any:
            if client.meta.service_model.service_name == "dynamodb":
                with counter._lock:
                    counter.calls += 1
            return original(client, operation, params)

        botocore.client.BaseClient._make_api_call = counting
        try:
            yield
        finally:
            botocore.client.BaseClient._make_api_call = original
