"""C's user list at 100, 10k and 100k users: DynamoDB calls and read units per request.

For each size the directory is seeded, then five requests go through the service that answers
`GET /api/users` (gatehouse.services.org_structure_users.list_users, as a global actor): page 1, the last page
(a deep page: page 6,667 of 15 at 100k), a search for a rare term and one for a common term,
and the last page of one department (`department_id`: the first organization's members, a
tenth of the users, are all in one department).
Each request's calls and read units are counted on every botocore call it makes; one more call
is added for the authentication in front of it (a JWT: one BatchGetItem, asserted by
tests/api/test_org_structure_directory.py).

Read units are computed from the items DynamoDB answers, by its rules for eventually
consistent reads (what PynamoDB asks for): a GetItem or each item of a BatchGetItem is
ceil(size / 4 KB) × 0.5, a Query is ceil(sum of the sizes / 4 KB) × 0.5.

Seeding 100k users through moto's HTTP server takes minutes, so this section runs in a child
process against in-process moto (`mock_aws`): the items are built by the data layer (the same
`UserItem`s, postings, heads, page blocks and counts the service writes; see
gatehouse_local.directory_seed) and put straight into moto's table, and only the search tokens
the requests read are written (each of them completely). Everything a request reads is there.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.figures import Figure, Progress, section_main

SECTION = "C search and deep pages"
SIZES = (100, 10_000, 100_000)
PER_PAGE = 15
RARE_TERM = "qwert"  # a prefix of the seeded rare last name (1 user in 5,000)
COMMON_TERM = "а"  # Cyrillic: Анна, Алия, Ахметова... about half the users
MAX_CALLS = 4
MAX_RCU = 15
AUTH_CALLS = 1


def run(progress: Progress) -> list[Figure]:
    progress(f"{SECTION}: seeding and measuring in a child process (in-process moto)")
    answer = subprocess.run(
        [sys.executable, "-m", "bench.org_search", "--child"],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
        env={**os.environ, "BENCH_STARTED": str(progress.started)},
    )
    return [Figure(**figure) for figure in json.loads(answer.stdout)]


# ---- the child ----


def item_size(item: dict[str, Any]) -> int:
    """An item's size as DynamoDB counts it: names plus values (numbers ~1 byte per 2 digits)."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: dict[str, Any]) -> int:
    kind, inner = next(iter(value.items()))
    if kind == "S":
        return len(str(inner).encode())
    if kind == "N":
        return math.ceil(len(str(inner).lstrip("-").replace(".", "")) / 2) + 1
    if kind == "B":
        return len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + _value_size(v) + 1 for k, v in inner.items())
    if kind == "L":
        return 3 + sum(_value_size(v) + 1 for v in inner)
    return sum(len(str(v).encode()) for v in inner)  # SS, NS, BS


def _units(size: int) -> float:
    return max(math.ceil(size / 4096), 1) * 0.5


def read_units(operation: str, response: dict[str, Any]) -> float:
    if operation == "GetItem":
        return _units(item_size(response["Item"])) if "Item" in response else 0.5
    if operation == "BatchGetItem":
        return sum(_units(item_size(i)) for items in response.get("Responses", {}).values() for i in items)
    if operation == "Query":
        return _units(sum(item_size(i) for i in response.get("Items", [])))
    return 0.0


class Meter:
    """Calls and read units of every DynamoDB call made while installed."""

    def __init__(self) -> None:
        self.calls = 0
        self.units = 0.0
        self._lock = threading.Lock()

    @contextmanager
    def installed(self) -> Iterator[Meter]:
        import botocore.client

        original = botocore.client.BaseClient._make_api_call
        meter = self

        def metered(client: Any, operation: str, params: Any) -> Any:
            response = original(client, operation, params)
            if client.meta.service_model.service_name == "dynamodb":
                with meter._lock:
                    meter.calls += 1
                    meter.units += read_units(operation, response)
            return response

        botocore.client.BaseClient._make_api_call = metered
        try:
            yield self
        finally:
            botocore.client.BaseClient._make_api_call = original


def _child() -> None:
    started = float(os.environ.get("BENCH_STARTED", "0")) or None
    progress = Progress(started) if started is not None else Progress()
    from gatehouse_local.template import load_template, table_create_kwargs
    from gatehouse_local.testing import harness_environment

    template = load_template()
    with tempfile.TemporaryDirectory(prefix="gatehouse-bench-search-") as work_dir:
        environment = harness_environment(template, Path(work_dir))
        os.environ.update(environment)
        for name in ("AWS_ENDPOINT_URL", "DYNAMODB_ENDPOINT", "AWS_ENDPOINT_URL_DYNAMODB"):
            os.environ.pop(name, None)
        from moto import mock_aws

        from bench import moto_order

        moto_order.install()  # moto answers a GSI Query by sorting every item of the table
        with mock_aws():
            import boto3

            client = boto3.client("dynamodb")
            table_name = os.environ["TABLE_NAME"]
            figures: list[Figure] = []
            sizes = [int(n) for n in os.environ.get("ORG_SEARCH_SIZES", "").split(",") if n] or SIZES
            for size in sizes:
                client.create_table(**table_create_kwargs(template, table_name))
                figures += _measure_size(size, progress)
                client.delete_table(TableName=table_name)
    print(json.dumps([asdict(figure) for figure in figures]))


def _moto_writer() -> Callable[[Iterable[Any]], None]:
    """Puts items straight into moto's table: its put_item re-sizes an item on every attribute
    (quadratic), about 3 ms an item; this is what it stores, without the checks."""
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.dynamo_type import Item as MotoItem

    from gatehouse.data.models import Item

    table = dynamodb_backends[DEFAULT_ACCOUNT_ID][os.environ["AWS_DEFAULT_REGION"]].get_table(
        Item.Meta.table_name
    )

    shared: dict[tuple[str, Any], Any] = {}  # values many items hold alike: one DynamoType each

    def typed(value: dict[str, Any]) -> Any:
        ((kind, inner),) = value.items()
        key = (kind, inner if not isinstance(inner, (dict, list)) else json.dumps(inner))
        if key not in shared:
            shared[key] = DynamoType(value)
        return shared[key]

    def write(items: Iterable[dict[str, Any]]) -> None:
        for raw in items:
            hash_key, range_key = DynamoType(raw["PK"]), DynamoType(raw["SK"])
            stored = MotoItem(hash_key, range_key, {})
            dict.update(stored.attrs, {name: typed(value) for name, value in raw.items()})
            table.items[hash_key][range_key] = stored

    return write


def _measure_size(size: int, progress: Progress) -> list[Figure]:
    from gatehouse.data.models import UserItem
    from gatehouse.services import org_structure_users
    from gatehouse.services.paging import Paging
    from gatehouse_local import directory_seed

    tokens = {RARE_TERM, COMMON_TERM}
    progress(f"{SECTION}: seeding {size:,} users")
    seeded = directory_seed.seed(
        size, organizations=10, tokens_only=tokens, write=_moto_writer(), departments=True
    )
    actor = UserItem.new(
        1, email="root@example.com", password_hash="-", role="super", created_at="", updated_at=""
    )
    last_page = math.ceil(size / PER_PAGE)
    department = seeded.department_ids[0]
    department_last = math.ceil(len(range(0, size, 10)) / PER_PAGE)
    everyone = org_structure_users.UserFilters()
    requests = {
        "page 1": (Paging(1, PER_PAGE), everyone),
        f"last page ({last_page:,})": (Paging(last_page, PER_PAGE), everyone),
        f"search rare '{RARE_TERM}'": (Paging(1, PER_PAGE, RARE_TERM), everyone),
        f"search common '{COMMON_TERM}'": (Paging(1, PER_PAGE, COMMON_TERM), everyone),
        f"department's last page ({department_last:,})": (
            Paging(department_last, PER_PAGE),
            org_structure_users.UserFilters(department_id=department),
        ),
    }
    figures: list[Figure] = []
    for label, (paging, filters) in requests.items():
        with Meter().installed() as meter:
            page = org_structure_users.list_users(actor, paging, filters)
        if not page.items or page.total <= 0:
            raise RuntimeError(f"{label} at {size} users found nothing: {page.total}")
        progress(
            f"{SECTION}: {size:,} users, {label}: {len(page.items)} of {page.total:,}, "
            f"{meter.calls} calls, {meter.units:g} RCU"
        )
        name = f"{label} at {size:,} users"
        figures.append(
            Figure(SECTION, f"{name}: calls", meter.calls + AUTH_CALLS, "calls", at_most=MAX_CALLS)
        )
        figures.append(Figure(SECTION, f"{name}: read units", meter.units, "RCU", at_most=MAX_RCU))
    return figures


if __name__ == "__main__":
    if sys.argv[1:] == ["--child"]:
        _child()
    else:
        section_main(run)
