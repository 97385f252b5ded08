"""DynamoDB calls per request of the hot routes, through the real handlers, at two table sizes.

The call count must not grow with the table (no Scan, bounded work per request): each route's
calls at the larger table are the figure, its calls at the smaller one the reference (ratio ≤ 1).
D's whole log is one Query per audit shard (16) plus the reader's read, whatever the table's size
or sparseness.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

from bench.figures import Figure, Progress, section_main
from bench.harness import in_process_aws
from gatehouse_local.template import load_template, routes
from gatehouse_local.testing import ApiClient, ApiResponse, CallCounter, bearer

SECTION = "calls per request"
READ_ROUTES = [
    "/api/v0/tokens/validate",
    "/api/v1/user?limit=50",
    "/api/v1/demand?limit=50",
    "/api/users?per_page=15",
    "/api/users?per_page=15&search=t1",
    "/api/organizations",
    "/api/v1/users/list",
    "/api/v1/logs/list/filtered",
    "/api/v1/groups",
]


@dataclass
class Measurement:
    route: str
    table_users: int
    requests: int
    p50_ms: float
    p95_ms: float
    dynamodb_calls: float


def measure(
    name: str, table_users: int, requests: int, counter: CallCounter, call: Callable[[int], ApiResponse]
) -> Measurement:
    timings: list[float] = []
    counter.calls = 0
    for n in range(requests):
        started = time.perf_counter()
        response = call(n)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status >= 400:
            raise RuntimeError(f"{name} answered {response.status}: {response.body}")
    timings.sort()
    return Measurement(
        route=name,
        table_users=table_users,
        requests=requests,
        p50_ms=round(statistics.median(timings), 1),
        p95_ms=round(timings[int(len(timings) * 0.95) - 1], 1),
        dynamodb_calls=round(counter.calls / requests, 2),
    )


def register_body(n: int, prefix: str) -> dict[str, Any]:
    return {
        "username": f"{prefix}{n}",
        "password": "bench-password",
        "email": f"{prefix}{n}@example.com",
        "sex": 0,
        "age": 30,
    }


def _reader(api: ApiClient, path: str, token: str) -> Callable[[int], ApiResponse]:
    def read(_: int) -> ApiResponse:
        return api.get(path, headers=bearer(token))

    return read


def seed_users(api: ApiClient, prefix: str, table_users: int) -> None:
    """The table's users, each signed up through B's register route as a client would, with one
    argon2 hash of the shared password made once (the items are those of a sign-up; only the
    ~25-60 ms of hashing per user is left out: it makes no DynamoDB call)."""
    from gatehouse.security import passwords
    from gatehouse.services import accounts

    hashed = passwords.hash_password(register_body(0, prefix)["password"])
    with mock.patch.object(accounts, "hash_password", return_value=hashed):
        for n in range(table_users):
            answer = api.post("/api/auth/register", json=register_body(n, prefix))
            if answer.status >= 400:
                raise RuntimeError(f"seeding user {n} answered {answer.status}: {answer.body}")


def bench_routes(api: ApiClient, counter: CallCounter, table_users: int, requests: int) -> list[Measurement]:
    prefix = f"t{table_users}u"
    seed_users(api, prefix, table_users)
    credentials = {"email": f"{prefix}0@example.com", "password": "bench-password"}
    token = api.post("/api/auth/login", json=credentials).json["access_token"]
    tokens = [api.post("/api/auth/login", json=credentials).json["access_token"] for _ in range(requests)]

    return [
        measure(
            "POST /api/auth/register",
            table_users,
            requests,
            counter,
            lambda n: api.post("/api/auth/register", json=register_body(n, f"{prefix}new")),
        ),
        measure(
            "POST /api/auth/login",
            table_users,
            requests,
            counter,
            lambda n: api.post("/api/auth/login", json=credentials),
        ),
        measure(
            "GET /api/auth/me",
            table_users,
            requests,
            counter,
            lambda n: api.get("/api/auth/me", headers=bearer(token)),
        ),
        measure(
            "POST /api/auth/refresh",
            table_users,
            requests,
            counter,
            lambda n: api.post("/api/auth/refresh", headers=bearer(tokens[n])),
        ),
        # Reads of every surface, as the super (the first user): lists must not grow with the table.
        *[
            measure(f"GET {path}", table_users, requests, counter, _reader(api, path, token))
            for path in READ_ROUTES
        ],
    ]


SIZES = (10, 150)
REQUESTS = 12


def run(progress: Progress) -> list[Figure]:
    """Each route's DynamoDB calls per request at the larger table against the smaller: never more."""
    counter = CallCounter()
    results: list[Measurement] = []
    with (
        tempfile.TemporaryDirectory(prefix="gatehouse-bench-") as work_dir,
        # Every request comes from one client: the rate limit would answer 429 after 60.
        in_process_aws(Path(work_dir), parameter_overrides={"RateLimitPerMinute": "0"}) as aws,
        counter.installed(),
    ):
        api = ApiClient(routes(load_template()), deliver_mail=False)
        for size in SIZES:
            progress(f"calls per request: {size} users, {REQUESTS} requests per route")
            aws.reset()
            results.extend(bench_routes(api, counter, size, REQUESTS))
    small, large = ({m.route: m for m in results if m.table_users == size} for size in SIZES)
    return [
        Figure(
            SECTION,
            f"{route} calls at {SIZES[1]} users",
            measured.dynamodb_calls,
            "calls",
            reference=small[route].dynamodb_calls,
            reference_name=f"at {SIZES[0]} users",
            ratio_at_most=1.0,
        )
        for route, measured in large.items()
    ]


if __name__ == "__main__":
    section_main(run)
