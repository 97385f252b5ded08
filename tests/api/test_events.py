"""events/*.json (the samples for `sam local invoke`) replay through the real handlers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gatehouse_local.lambda_runtime import invoke
from gatehouse_local.template import REPO_ROOT, Route

EVENT_FILES = sorted(p for p in (REPO_ROOT / "events").glob("*-*.json") if p.name != "local-env.json")


def route_for(event_file: Path, api_routes: list[Route]) -> Route:
    function_id, event_id = event_file.stem.split("-", 1)
    return next(r for r in api_routes if r.function_id == function_id and r.event_id == event_id)


def test_there_is_an_event_for_every_route(api_routes: list[Route]) -> None:
    assert {f"{r.function_id}-{r.event_id}" for r in api_routes} == {p.stem for p in EVENT_FILES}


@pytest.mark.parametrize("event_file", EVENT_FILES, ids=lambda p: p.stem)
def test_each_sample_event_gets_a_well_formed_answer(
    event_file: Path, api_routes: list[Route], embedded_aws: object
) -> None:
    event = json.loads(event_file.read_text())
    result = invoke(route_for(event_file, api_routes), event)
    assert result["statusCode"] < 500
    headers = {name.lower(): value for name, value in (result.get("headers") or {}).items()}
    if headers.get("content-type", "").startswith("text/html"):  # the link pages in mail
        assert result["body"].startswith("<!DOCTYPE html>")
    else:
        json.loads(result["body"])
    if event_file.stem.endswith("Register"):
        assert result["statusCode"] == 200
