"""`make bench-timing`: can a client tell a known account from an unknown one by the time (or the
DynamoDB calls) an answer takes? (ASVS 6.3.8.)

Through the real handlers against the embedded DynamoDB, it sends pairs of requests, one naming
a known account and one an unknown one, in alternating order, and prints per route the median of
each side, the median of the paired differences, how many pairs the known side was slower in,
and the DynamoDB calls of each side:

- sign-in with a wrong password on A, B, C and E (known account vs unknown one);
- B's registration (a taken address vs a new one);
- A's recover (a known address vs an unknown one).

A measured comparison, not a test: timings depend on the machine. Each request comes from its
own source IP (so neither the rate limit nor the brute-force lockout answers instead), and each
surface's known account is its own, kept below the lockout's account ceiling.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gatehouse_local.template import load_template, routes
from gatehouse_local.testing import ApiClient, ApiResponse, CallCounter, local_aws

PASSWORD = "bench-password-1"
Send = Callable[[str, str], ApiResponse]  # (identifier, source ip) -> answer


@dataclass
class Comparison:
    route: str
    pairs: int
    known_ms: float
    unknown_ms: float
    median_difference_ms: float
    known_slower: int
    known_calls: float
    unknown_calls: float


def _ips() -> Callable[[], str]:
    sequence = iter(range(1, 1 << 24))

    def next_ip() -> str:
        n = next(sequence)
        return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"

    return next_ip


def compare(
    route: str,
    pairs: int,
    counter: CallCounter,
    known: Callable[[int], tuple[str, str]],
    unknown: Callable[[int], tuple[str, str]],
    send: Send,
) -> Comparison:
    """`known(n)`/`unknown(n)` give the identifier and source IP of pair n's two requests."""
    times: dict[str, list[float]] = {"known": [], "unknown": []}
    calls: dict[str, int] = {"known": 0, "unknown": 0}
    for n in range(pairs):
        order = [("known", known), ("unknown", unknown)]
        if n % 2:
            order.reverse()
        for side, make in order:
            identifier, ip = make(n)
            counter.reset()
            started = time.perf_counter()
            answer = send(identifier, ip)
            times[side].append((time.perf_counter() - started) * 1000)
            calls[side] += counter.calls
            if answer.status >= 500 or answer.status == 429:
                raise RuntimeError(f"{route} answered {answer.status}: {answer.body}")
    differences = [k - u for k, u in zip(times["known"], times["unknown"], strict=True)]
    return Comparison(
        route=route,
        pairs=pairs,
        known_ms=round(statistics.median(times["known"]), 2),
        unknown_ms=round(statistics.median(times["unknown"]), 2),
        median_difference_ms=round(statistics.median(differences), 2),
        known_slower=sum(difference > 0 for difference in differences),
        known_calls=round(calls["known"] / pairs, 2),
        unknown_calls=round(calls["unknown"] / pairs, 2),
    )


def _b_registration(name: str) -> dict[str, Any]:
    return {"username": name, "password": PASSWORD, "email": f"{name}@example.com", "sex": 0, "age": 30}


def run(api: ApiClient, counter: CallCounter, pairs: int) -> list[Comparison]:
    next_ip = _ips()
    for surface in ("a", "b", "c", "e"):
        assert api.post("/api/auth/register", json=_b_registration(f"known{surface}")).status == 200

    def sign_in(path: str, field: str) -> Send:
        def send(identifier: str, ip: str) -> ApiResponse:
            return api.post(path, json={field: identifier, "password": "wrong-password"}, source_ip=ip)

        return send

    def known(address: str) -> Callable[[int], tuple[str, str]]:
        return lambda n: (address, next_ip())

    def unknown(prefix: str) -> Callable[[int], tuple[str, str]]:
        return lambda n: (f"{prefix}{n}@example.com", next_ip())

    results = [
        compare(
            "A POST /api/v1/login", pairs, counter, known("knowna@example.com"), unknown("nobodya"),
            sign_in("/api/v1/login", "email"),
        ),
        compare(
            "B POST /api/auth/login", pairs, counter, known("knownb@example.com"), unknown("nobodyb"),
            sign_in("/api/auth/login", "email"),
        ),
        compare(
            "C POST /api/login", pairs, counter, known("knownc@example.com"), unknown("nobodyc"),
            sign_in("/api/login", "email"),
        ),
        compare(
            "E POST /api/v0/tokens", pairs, counter, known("knowne@example.com"), unknown("nobodye"),
            sign_in("/api/v0/tokens", "email"),
        ),
    ]  # fmt: skip

    def register(identifier: str, ip: str) -> ApiResponse:
        name = identifier.split("@", 1)[0]
        body = {**_b_registration(f"r{name}"), "email": identifier}
        return api.post("/api/auth/register", json=body, source_ip=ip)

    results.append(
        compare(
            "B POST /api/auth/register", pairs, counter,
            known("knownb@example.com"), unknown("newcomer"), register,
        )
    )  # fmt: skip

    def recover(identifier: str, ip: str) -> ApiResponse:
        return api.post("/api/v1/recover", json={"email": identifier}, source_ip=ip)

    results.append(
        compare(
            "A POST /api/v1/recover", pairs, counter, known("knowna@example.com"), unknown("nobodyr"), recover,
        )
    )  # fmt: skip
    return results


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pairs", type=int, default=40, help="known/unknown pairs per route (below 100)")
    options = parser.parse_args()
    if not 1 <= options.pairs < 100:
        parser.error("--pairs must be 1-99: the known accounts must stay below the lockout's account ceiling")
    logging.getLogger("mangum").setLevel(logging.WARNING)  # one line per request otherwise
    counter = CallCounter()
    with (
        tempfile.TemporaryDirectory(prefix="gatehouse-bench-timing-") as work_dir,
        local_aws(Path(work_dir)),
        counter.installed(),
    ):
        # The functions' INFO lines would bury the table (powertools owns the `gatehouse` logger).
        os.environ["LOG_LEVEL"] = "WARNING"
        logging.getLogger("gatehouse").setLevel(logging.WARNING)
        # Deployed, no request waits for mail (the mailer runs later, from the stream).
        results = run(ApiClient(routes(load_template()), deliver_mail=False), counter, options.pairs)
    header = f"{'route':<28}{'pairs':>6}{'known ms':>10}{'unknown ms':>12}{'Δ median':>10}{'known slower':>14}{'calls k/u':>12}"
    print(header)
    for c in results:
        print(
            f"{c.route:<28}{c.pairs:>6}{c.known_ms:>10}{c.unknown_ms:>12}{c.median_difference_ms:>10}"
            f"{f'{c.known_slower}/{c.pairs}':>14}{f'{c.known_calls:g}/{c.unknown_calls:g}':>12}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
