"""`make bench-import`: how fast `gatehouse import` loads users, into a fresh moto server and into
the local run (`python -m gatehouse_local`, started here on a free port with its own state).

It writes N made-up users as a B `users.csv` (one bcrypt hash shared by all: hashing is not
what is measured), runs the real command (`gatehouse import B …`) against each target, checks
that every user arrived, and prints users/s and the time 100k users would take at that rate.
New users go 20 to a TransactWriteItems (user + email + login claims + import marker each),
plus their share of two BatchGetItems per chunk; moto serialises requests, and its transactions
roll back only what they touched (gatehouse_local.moto_transactions), so the rate does not fall
as the table grows.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from gatehouse_local.embedded_aws import EmbeddedAws
from gatehouse_local.environment import local_bucket_names
from gatehouse_local.template import REPO_ROOT, load_template

GATEHOUSE = [sys.executable, "-m", "gatehouse_cli"]
# bcrypt of "bench-password-1" ($2y$, cost 10): stored as is, as an import does.
SHARED_HASH = "$2y$10$4.YUdDYSluigIgp62jbnM.thRTKDiIKqO5/jEankzC3vl97OyjVfq"
TARGET_USERS = 100_000


def write_users(path: Path, count: int, tag: str) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "username", "email", "pwd", "sex", "age"])
        for number in range(1, count + 1):
            writer.writerow([number, f"{tag}_{number}", f"{tag}.{number}@bench.example", SHARED_HASH, 0, 30])


def run_import(
    arguments: list[str], environment: dict[str, str], users: Path, report: Path, workers: int
) -> float:
    command = [
        *GATEHOUSE,
        *arguments,
        "import",
        "B",
        str(users),
        "--report",
        str(report),
        "--workers",
        str(workers),
    ]
    started = time.perf_counter()
    subprocess.run(command, env=environment, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    elapsed = time.perf_counter() - started
    with report.open(encoding="utf-8") as handle:
        outcomes = [row["outcome"] for row in csv.DictReader(handle)]
    created = outcomes.count("created")
    if created != len(outcomes):
        raise SystemExit(f"only {created} of {len(outcomes)} users were created; see {report}")
    return elapsed


def bench_moto(work: Path, users: Path, workers: int) -> float:
    template = load_template()
    with EmbeddedAws(log_path=work / "moto.log") as aws:
        aws.create_resources(template, "gatehouse-bench", local_bucket_names(template))
        environment = {
            **os.environ,
            **aws.environment(),
            "TABLE_NAME": "gatehouse-bench",
            "JWT_SECRET": "bench-" + "0123456789abcdef" * 5,
        }
        return run_import([], environment, users, work / "moto-report.csv", workers)


def bench_local_run(work: Path, users: Path, workers: int) -> float:
    state = work / "local-state"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-m", "gatehouse_local", "--port", str(port), "--state-dir", str(state)],
        stdout=subprocess.DEVNULL,
        stderr=(work / "local-run.log").open("wb"),
    )
    try:
        deadline = time.monotonic() + 60
        while not (state / "endpoint.json").exists():
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the local run did not start; see {work / 'local-run.log'}")
            time.sleep(0.2)
        environment = {k: v for k, v in os.environ.items() if k not in ("TABLE_NAME", "AWS_ENDPOINT_URL")}
        return run_import(
            ["--local", "--state-dir", str(state)], environment, users, work / "local-report.csv", workers
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.import_throughput", description=__doc__)
    parser.add_argument("--users", type=int, default=2000, help="users per target (default 2000)")
    parser.add_argument("--workers", type=int, default=8, help="parallel writers (default 8)")
    parser.add_argument("--target", choices=["moto", "local", "both"], default="both")
    arguments = parser.parse_args(argv)
    results: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="gatehouse-import-bench-") as directory:
        work = Path(directory)
        users = work / "users.csv"
        write_users(users, arguments.users, f"b{uuid.uuid4().hex[:6]}")
        if arguments.target in ("moto", "both"):
            results.append(("moto server", bench_moto(work, users, arguments.workers)))
        if arguments.target in ("local", "both"):
            results.append(("local run (make start)", bench_local_run(work, users, arguments.workers)))
    print(f"gatehouse import B: {arguments.users} users, {arguments.workers} workers")
    print(f"{'target':<24} {'seconds':>8} {'users/s':>8} {'100k users':>11}")
    summary = []
    for name, seconds in results:
        rate = arguments.users / seconds
        estimate = TARGET_USERS / rate
        print(f"{name:<24} {seconds:>8.1f} {rate:>8.0f} {estimate / 60:>9.1f} min")
        summary.append(
            {
                "target": name,
                "users": arguments.users,
                "seconds": round(seconds, 2),
                "users_per_s": round(rate, 1),
            }
        )
    results_dir = REPO_ROOT / "bench" / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    (results_dir / "import_throughput.json").write_text(
        json.dumps(summary, indent=2) + "\n", encoding="utf-8"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
