"""`make bench`: measure the hot routes through the real handlers against the embedded DynamoDB.

For each route it reports the median and 95th-percentile latency and the number of
DynamoDB calls one request makes, at two table sizes: the call count must not grow
with the table (no Scan, bounded work per request). It also times each function's
cold import in a fresh interpreter. Latency here includes moto's HTTP round trips,
so compare runs with each other, not with AWS.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from gatehouse_local.template import REPO_ROOT, load_template, routes
from gatehouse_local.testing import ApiClient, ApiResponse, CallCounter, bearer, local_aws

RESULTS = REPO_ROOT / "bench" / "results"
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


def bench_routes(api: ApiClient, counter: CallCounter, table_users: int, requests: int) -> list[Measurement]:
    prefix = f"t{table_users}u"
    for n in range(table_users):
        api.post("/api/auth/register", json=register_body(n, prefix))
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


def cold_imports() -> dict[str, float]:
    probe = (
        "import importlib.util, sys, time; started = time.perf_counter(); "
        "spec = importlib.util.spec_from_file_location('fn', sys.argv[1]); "
        "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module); "
        "print((time.perf_counter() - started) * 1000)"
    )
    timings: dict[str, float] = {}
    for route in {r.function_id: r for r in routes(load_template())}.values():
        runs = [
            float(
                subprocess.run(  # noqa: S603
                    [sys.executable, "-c", probe, str(route.code_uri / "app.py")],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
            )
            for _ in range(3)
        ]
        timings[route.function_id] = round(min(runs), 1)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=30, help="requests per route and table size")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 300], help="users in the table")
    options = parser.parse_args()

    counter = CallCounter()
    results: list[Measurement] = []
    with (
        tempfile.TemporaryDirectory(prefix="gatehouse-bench-") as work_dir,
        local_aws(Path(work_dir)) as aws,
        counter.installed(),
    ):
        api = ApiClient(routes(load_template()), deliver_mail=False)
        for size in options.sizes:
            aws.reset()
            results.extend(bench_routes(api, counter, size, options.requests))
        imports = cold_imports()

    print(f"{'route':<28}{'users':>7}{'p50 ms':>9}{'p95 ms':>9}{'DynamoDB calls':>16}")
    for m in results:
        print(f"{m.route:<28}{m.table_users:>7}{m.p50_ms:>9}{m.p95_ms:>9}{m.dynamodb_calls:>16}")
    print("\ncold import of each function's module (ms, best of 3):")
    for function_id, ms in imports.items():
        print(f"  {function_id:<24}{ms:>8}")

    # A route may cost fewer calls on a fuller table (a log walk fills its page sooner), never more.
    by_route: dict[str, list[Measurement]] = {}
    for m in results:
        by_route.setdefault(m.route, []).append(m)
    growing = [
        route
        for route, runs in by_route.items()
        if any(later.dynamodb_calls > earlier.dynamodb_calls for earlier, later in itertools.pairwise(runs))
    ]

    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(
        json.dumps({"requests": [asdict(m) for m in results], "cold_import_ms": imports}, indent=2)
    )
    if growing:
        print(f"\nDynamoDB calls per request grew with the table size: {growing}")
        return 1
    print("\nNo route's DynamoDB calls per request grow with the table size.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
