"""The rate limit's counter: one conditional UpdateItem per request, answered with only the
updated attributes (the count), never a model of the whole item."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import botocore.client
import pytest

from gatehouse.data import rate_limits
from gatehouse.data.models import RateLimitItem


@pytest.fixture
def updates(embedded_aws: Any) -> Iterator[list[dict[str, Any]]]:
    seen: list[dict[str, Any]] = []
    original = botocore.client.BaseClient._make_api_call

    def recording(client: Any, operation: str, params: Any) -> Any:
        if operation == "UpdateItem":
            seen.append(params)
        return original(client, operation, params)

    botocore.client.BaseClient._make_api_call = recording
    try:
        yield seen
    finally:
        botocore.client.BaseClient._make_api_call = original


def test_counts_each_hit_and_refuses_at_the_limit_without_counting(updates: list[dict[str, Any]]) -> None:
    counts = [rate_limits.count_hit("ip:192.0.2.1", 100, 160, limit=3) for _ in range(4)]
    assert counts == [1, 2, 3, None]
    assert len(updates) == 4
    assert {params["ReturnValues"] for params in updates} == {"UPDATED_NEW"}
    stored = RateLimitItem.get(*RateLimitItem.key("ip:192.0.2.1", 100))
    assert (stored.hits, stored.expires_at) == (3, 160 + 60)
    assert isinstance(stored, RateLimitItem)  # the discriminator is written on the first hit


def test_a_new_window_or_client_counts_from_one(embedded_aws: Any) -> None:
    assert rate_limits.count_hit("ip:192.0.2.1", 100, 160, limit=3) == 1
    assert rate_limits.count_hit("ip:192.0.2.1", 101, 220, limit=3) == 1
    assert rate_limits.count_hit("user:7", 100, 160, limit=3) == 1
