"""Warm overhead: what a hot route costs in a warm container beyond a bare async FastAPI route.

Each hot route runs through its function's real Lambda handler (Mangum, the edge middleware,
the rate limit, authentication, the route, its serialisation, powertools) with the very API
Gateway event the local gateway builds for it. Its DynamoDB calls are recorded once against
moto and then REPLAYED (`BaseClient._make_api_call` answers the recorded responses in order), so
the figure is the app's own work, not moto's. The reference is a bare `async def` FastAPI route
returning a small JSON object through Mangum, handed the same event, timed interleaved with
the route (alternating which goes first). Figure: p50 per route, goal ≤ 2× the reference's p50.

`.venv/bin/python -m bench.warm_overhead` runs this section alone.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import botocore.client

from bench.figures import Figure, Progress

SECTION = "warm overhead"
GOAL_RATIO = 2.0
ROUNDS = 300  # timed pairs per route (after WARMUP untimed ones)
WARMUP = 30
PASSWORD = "bench-password-1"
SOURCE_IP = "198.51.100.7"

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass(frozen=True)
class HotRoute:
    name: str
    path: str
    surface: str  # whose sign-in token the request carries: a, b, c or e
    query: str = ""


def _hot_routes(user_id: int) -> list[HotRoute]:
    return [
        HotRoute("B GET /api/auth/me", "/api/auth/me", "b"),
        HotRoute("E GET /api/v0/tokens/validate", "/api/v0/tokens/validate", "e"),
        HotRoute("A GET /api/v1/user", "/api/v1/user", "a", "limit=20"),
        HotRoute("A GET /api/v1/user/{user}", f"/api/v1/user/{user_id:024x}", "a"),
        HotRoute("C GET /api/organizations", "/api/organizations", "c"),
        HotRoute("C GET /api/users", "/api/users", "c", "per_page=15"),
        HotRoute("D GET /api/v1/users/current", "/api/v1/users/current", "b"),
        HotRoute("D GET /api/v1/users/list", "/api/v1/users/list", "b"),
        HotRoute("D GET /api/v1/groups", "/api/v1/groups", "b"),
        HotRoute("D GET /api/v1/logs/list/filtered", "/api/v1/logs/list/filtered", "b"),
    ]


@dataclass
class _Call:
    service: str
    operation: str
    response: Any


class Replay:
    """Stands in for every botocore call: records them (passing through to moto), or answers
    the recorded responses in order (checking each is the same operation)."""

    def __init__(self) -> None:
        self.recorded: list[_Call] = []
        self.mode = "pass"  # pass (to moto), record (and pass) or replay
        self.position = 0

    @contextmanager
    def installed(self) -> Iterator[Replay]:
        original = botocore.client.BaseClient._make_api_call
        replay = self

        def call(client: Any, operation: str, params: Any) -> Any:
            service = client.meta.service_model.service_name
            if replay.mode != "replay":
                response = original(client, operation, params)
                if replay.mode == "record":
                    replay.recorded.append(_Call(service, operation, response))
                return response
            expected = replay.recorded[replay.position]
            if (expected.service, expected.operation) != (service, operation):
                raise RuntimeError(
                    f"replay expected {expected.service}.{expected.operation}, got {service}.{operation}"
                )
            replay.position += 1
            return expected.response

        botocore.client.BaseClient._make_api_call = call
        try:
            yield self
        finally:
            botocore.client.BaseClient._make_api_call = original

    def record(self) -> None:
        self.recorded = []
        self.mode = "record"

    def rewind(self) -> None:
        if self.position != len(self.recorded):
            raise RuntimeError(f"replay answered {self.position} of {len(self.recorded)} recorded calls")
        self.position = 0


def _reference_handler() -> Handler:
    from fastapi import FastAPI
    from mangum import Mangum

    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/{path:path}")
    async def bare(path: str) -> dict[str, Any]:
        return {"ok": True, "path": path}

    handler: Handler = Mangum(app, lifespan="off")
    return handler


def _seed(api: Any) -> dict[str, Any]:
    """A super with a token from each surface, an organization, a group and a few users."""
    from gatehouse_local.testing import bearer

    def check(response: Any, status: int = 200) -> Any:
        if response.status != status:
            raise RuntimeError(f"seeding answered {response.status}: {response.body}")
        return response.json

    register = {"username": "root", "password": PASSWORD, "email": "root@example.com", "sex": 0, "age": 40}
    check(api.post("/api/auth/register", json=register, source_ip=SOURCE_IP))
    credentials = {"email": "root@example.com", "password": PASSWORD}
    tokens = {
        "b": check(api.post("/api/auth/login", json=credentials, source_ip=SOURCE_IP))["access_token"],
        "a": check(api.post("/api/v1/login", json=credentials, source_ip=SOURCE_IP))["data"]["token"],
        "c": check(api.post("/api/login", json={**credentials, "device_name": "bench"}, source_ip=SOURCE_IP))[
            "data"
        ]["token"],
        "e": check(api.post("/api/v0/tokens", json=credentials, source_ip=SOURCE_IP), 201)["jwt"],
    }
    me = check(api.get("/api/auth/me", headers=bearer(tokens["b"]), source_ip=SOURCE_IP))
    root = bearer(tokens["b"])
    check(api.post("/api/v1/groups", json={"name": "bench"}, headers=root, source_ip=SOURCE_IP))
    organization = {"name": "Bench Org", "description": "benchmarks"}
    check(
        api.post("/api/organizations", json=organization, headers=bearer(tokens["c"]), source_ip=SOURCE_IP),
        201,
    )
    for n in range(3):
        user = {"nickname": f"bench{n}", "email": f"bench{n}@example.com", "password": PASSWORD}
        check(api.post("/api/v1/users/new_user", json=user, headers=root, source_ip=SOURCE_IP))
    return {"tokens": tokens, "user_id": me["id"]}


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def _time_pair(
    ours: Callable[[], Any], reference: Callable[[], Any], rounds: int
) -> tuple[list[float], list[float], list[float], list[float]]:
    """Wall and process CPU time (µs) of each call, the two interleaved (alternating order)."""
    mine: list[float] = []
    theirs: list[float] = []
    mine_cpu: list[float] = []
    theirs_cpu: list[float] = []
    wall, cpu = time.perf_counter_ns, time.process_time_ns
    for n in range(rounds):
        first, second = (reference, ours) if n % 2 else (ours, reference)
        started, started_cpu = wall(), cpu()
        first()
        between, between_cpu = wall(), cpu()
        second()
        ended, ended_cpu = wall(), cpu()
        times = [((between - started) / 1000, (between_cpu - started_cpu) / 1000)]
        times.append(((ended - between) / 1000, (ended_cpu - between_cpu) / 1000))
        (ours_wall, ours_cpu), (ref_wall, ref_cpu) = times if not n % 2 else times[::-1]
        mine.append(ours_wall)
        theirs.append(ref_wall)
        mine_cpu.append(ours_cpu)
        theirs_cpu.append(ref_cpu)
    return mine, theirs, mine_cpu, theirs_cpu


@dataclass
class Prepared:
    """A hot route ready to time: its handler, the event, and its DynamoDB calls recorded."""

    hot: HotRoute
    handler: Handler
    event: dict[str, Any]
    context: Any
    calls: list[_Call]
    body: str


@contextmanager
def prepared_routes(progress: Progress) -> Iterator[tuple[list[Prepared], Replay]]:
    """Moto started and seeded, each hot route invoked against it and its calls recorded; inside,
    `Replay` is installed in replay mode (no call reaches moto)."""
    from gatehouse_local.apigw import build_event, match_route
    from gatehouse_local.lambda_runtime import ensure_event_loop, load_handler, make_context
    from gatehouse_local.template import load_template, routes
    from gatehouse_local.testing import TEST_USER_AGENT, ApiClient, bearer, local_aws

    with tempfile.TemporaryDirectory(prefix="gatehouse-bench-warm-") as work_dir:
        progress("warm overhead: starting moto")
        with local_aws(Path(work_dir)):
            api_routes = routes(load_template())
            api = ApiClient(api_routes, deliver_mail=False)
            progress("warm overhead: seeding a super with a token per surface")
            # Quiet: the seeding's EMF metric lines (sign-ins, tokens) would bury the table.
            with redirect_stdout(io.StringIO()):
                seeded = _seed(api)
            replay = Replay()
            ensure_event_loop()
            prepared: list[Prepared] = []
            progress("warm overhead: recording each hot route's DynamoDB answers")
            with replay.installed():
                for hot in _hot_routes(seeded["user_id"]):
                    matched = match_route(api_routes, "GET", hot.path)
                    if matched is None:
                        raise RuntimeError(f"no route serves {hot.path}")
                    route = matched[0]
                    handler = load_handler(route)
                    headers = [
                        ("User-Agent", TEST_USER_AGENT),
                        *bearer(seeded["tokens"][hot.surface]).items(),
                    ]
                    event = build_event(
                        route, method="GET", path=hot.path, headers=headers, query=hot.query,
                        source_ip=SOURCE_IP, request_id="bench-warm-request",
                    )  # fmt: skip
                    context = make_context(route, "bench-warm-request")
                    # Twice against moto (the first may write what later ones need not), recording the second.
                    replay.mode = "pass"
                    handler(event, context)
                    replay.record()
                    answer = handler(event, context)
                    replay.mode = "pass"
                    if answer["statusCode"] != 200:
                        raise RuntimeError(f"{hot.name} answered {answer['statusCode']}: {answer['body']}")
                    prepared.append(Prepared(hot, handler, event, context, replay.recorded, answer["body"]))
                replay.mode = "replay"
                yield prepared, replay


def measure(
    route: Prepared, replay: Replay, reference: Handler, rounds: int
) -> tuple[list[float], list[float], list[float], list[float]]:
    """`rounds` timings (µs) of the route (replayed) and of the reference, interleaved: wall
    times of each, then process CPU times of each."""
    handler, event, context = route.handler, route.event, route.context

    def ours() -> Any:
        replay.recorded = route.calls
        replay.position = 0
        answer = handler(event, context)
        replay.rewind()
        return answer

    def bare() -> Any:
        return reference(event, context)

    for _ in range(WARMUP):
        ours()
        bare()
    gc.collect()
    timings = _time_pair(ours, bare, rounds)
    if ours()["body"] != route.body:
        raise RuntimeError(f"{route.hot.name}: the replayed answer differs from the recorded one")
    return timings


def run(progress: Progress) -> list[Figure]:
    figures: list[Figure] = []
    reference = _reference_handler()
    with prepared_routes(progress) as (prepared, replay):
        for route in prepared:
            mine, theirs, mine_cpu, theirs_cpu = measure(route, replay, reference, ROUNDS)
            p50, ref_p50 = statistics.median(mine), statistics.median(theirs)
            cpu_ratio = statistics.median(mine_cpu) / max(statistics.median(theirs_cpu), 1e-9)
            progress(
                f"warm overhead: {route.hot.name}: p50 {p50:.0f} µs vs {ref_p50:.0f} µs "
                f"({p50 / ref_p50:.2f}×; CPU time {cpu_ratio:.2f}×), p99 {_percentile(mine, 0.99):.0f} µs "
                f"vs {_percentile(theirs, 0.99):.0f} µs, {len(route.calls)} DynamoDB calls replayed"
            )
            figures.append(
                Figure(
                    section=SECTION,
                    name=f"{route.hot.name} p50",
                    ours=round(p50, 1),
                    unit="µs",
                    reference=round(ref_p50, 1),
                    reference_name="bare async FastAPI route via Mangum",
                    ratio_at_most=GOAL_RATIO,
                )
            )
    return figures


def main() -> int:
    """Alone: print the figures. With `--json-out PATH` (how `python -m bench` runs a section,
    in its own process): write them there as JSON."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json-out", type=Path, default=None)
    options = parser.parse_args()
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")  # EMF lines would bury the figures
    figures = run(Progress())
    if options.json_out is not None:
        options.json_out.write_text(json.dumps([asdict(figure) for figure in figures]), encoding="utf-8")
        return 0
    print(f"{'figure':<44}{'ours':>10}{'reference':>11}{'ratio':>8}  goal")
    for figure in figures:
        ratio = f"{figure.ratio:.2f}" if figure.ratio is not None else "-"
        print(
            f"{figure.name:<44}{figure.ours:>10}{figure.reference or '-':>11}{ratio:>8}  "
            f"{figure.goal}{'' if figure.met else '  (not met)'}"
        )
    return 0 if all(figure.met for figure in figures) else 1


if __name__ == "__main__":
    raise SystemExit(main())
