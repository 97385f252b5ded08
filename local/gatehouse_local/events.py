"""Write what is derived from template.yaml's routes: ``events/<FunctionId>-<EventName>.json``
for ``sam local invoke``, one per API route, and ``functions/fallback/resources.json``, the
resources and methods the fallback function answers 405 and preflights from.

``python -m gatehouse_local.events`` (re)generates them; with ``--check`` it only
reports missing or stale files and exits 1 if there are any.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gatehouse_local.apigw import build_event
from gatehouse_local.template import DEFAULT_TEMPLATE, REPO_ROOT, Route, load_template, routes

EVENTS_DIR = REPO_ROOT / "events"
RESOURCES_FILE = REPO_ROOT / "functions" / "fallback" / "resources.json"

SAMPLES_DIR = EVENTS_DIR / "samples"


def _load_samples() -> tuple[dict[str, Any], frozenset[str]]:
    """Sample bodies and public routes, one file per function (events/samples/<FunctionId>.json):
    `{"public": ["METHOD /path", ...], "bodies": {"METHOD /path": {...}}}`."""
    bodies: dict[str, Any] = {}
    public: set[str] = set()
    for sample_file in sorted(SAMPLES_DIR.glob("*.json")):
        samples = json.loads(sample_file.read_text(encoding="utf-8"))
        bodies.update(samples.get("bodies", {}))
        public.update(samples.get("public", []))
    return bodies, frozenset(public)


# Routes in PUBLIC_ROUTES need no bearer token; every other event carries a placeholder one.
SAMPLE_BODIES, PUBLIC_ROUTES = _load_samples()
TOKEN_PLACEHOLDER = "Bearer <token>"
SAMPLE_PATH_VALUES: dict[str, str] = {}
DEFAULT_PATH_VALUE = "1"

FIXED_REQUEST_ID = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
FIXED_TIME = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
SAMPLE_SOURCE_IP = "203.0.113.10"
SAMPLE_USER_AGENT = "curl/8.5.0"


def _sample_path(route: Route) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.endswith("+"):
            return SAMPLE_PATH_VALUES.get(name[:-1], "example/path")
        return SAMPLE_PATH_VALUES.get(name, DEFAULT_PATH_VALUE)

    return re.sub(r"\{([^}]+)\}", value, route.path)


def sample_event(route: Route) -> dict[str, Any]:
    """A stable API Gateway event for ``route``: fixed request id and time, sample body."""
    method = "GET" if route.method == "ANY" else route.method
    key = f"{route.method} {route.path}"
    headers = [("Accept", "application/json"), ("User-Agent", SAMPLE_USER_AGENT)]
    body = SAMPLE_BODIES.get(key)
    if body is not None:
        headers.append(("Content-Type", "application/json"))
    if key not in PUBLIC_ROUTES:
        headers.append(("Authorization", TOKEN_PLACEHOLDER))
    return build_event(
        route,
        method=method,
        path=_sample_path(route),
        headers=headers,
        body=None if body is None else json.dumps(body),
        source_ip=SAMPLE_SOURCE_IP,
        request_id=FIXED_REQUEST_ID,
        request_time=FIXED_TIME,
    )


def event_files(template_routes: Sequence[Route], directory: Path = EVENTS_DIR) -> dict[Path, str]:
    files: dict[Path, str] = {}
    for route in template_routes:
        files[directory / f"{route.function_id}-{route.event_id}.json"] = (
            json.dumps(sample_event(route), indent=2) + "\n"
        )
    return files


def resource_methods(template_routes: Sequence[Route]) -> dict[str, list[str]]:
    """Each resource path and the methods declared on it; the catch-all resources left out."""
    methods: dict[str, set[str]] = {}
    for route in template_routes:
        if route.path != "/" and "+}" not in route.path:
            methods.setdefault(route.path, set()).add(route.method)
    return {path: sorted(declared) for path, declared in sorted(methods.items())}


def resources_file(template_routes: Sequence[Route], path: Path = RESOURCES_FILE) -> dict[Path, str]:
    return {path: json.dumps(resource_methods(template_routes), indent=2) + "\n"}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gatehouse_local.events", description=__doc__)
    parser.add_argument("--check", action="store_true", help="only report missing or stale files")
    parser.add_argument(
        "--dir", type=Path, default=EVENTS_DIR, help="default: events/ at the repository root"
    )
    parser.add_argument("--template", type=Path, default=DEFAULT_TEMPLATE)
    arguments = parser.parse_args(argv)
    template_file: Path = arguments.template.resolve()
    template_routes = routes(load_template(template_file), root=template_file.parent)
    files = event_files(template_routes, arguments.dir) | resources_file(template_routes)
    stale = [
        path for path, text in files.items() if not path.exists() or path.read_text(encoding="utf-8") != text
    ]
    if arguments.check:
        for path in stale:
            print(f"stale or missing: {path}")
        return 1 if stale else 0
    arguments.dir.mkdir(parents=True, exist_ok=True)
    for path in stale:
        path.write_text(files[path], encoding="utf-8")
    print(f"{len(files)} files: events in {arguments.dir} and {RESOURCES_FILE} ({len(stale)} written)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
