"""What a warm request does before its route runs: no thread-pool hop for work without I/O,
and one JWT parse however many dependencies ask who is calling."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from gatehouse_local.lambda_runtime import function_app
from gatehouse_local.template import load_template, routes

# Dependencies FastAPI may run in its thread pool: only those that block on I/O belong here
# (none does today: authentication's reads run on the loop, as a Lambda serves one request).
SYNC_IO_DEPENDENCIES: frozenset[str] = frozenset()

API_FUNCTIONS = {route.function_id: route for route in routes(load_template()) if route.path != "/{proxy+}"}


def _app_of(function_id: str) -> FastAPI | None:
    return function_app(API_FUNCTIONS[function_id])


def _api_routes(app: FastAPI) -> Iterator[APIRoute]:
    """Every APIRoute the app serves, however its routers were included."""
    pending: list[Any] = list(app.router.routes)
    while pending:
        route = pending.pop()
        if isinstance(route, APIRoute):
            yield route
        for attribute in ("routes", "original_router"):
            nested = getattr(route, attribute, None)
            if isinstance(nested, list):
                pending.extend(nested)
            elif nested is not None:
                pending.extend(getattr(nested, "routes", []))


def _dependencies(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _dependencies(sub)


@pytest.mark.parametrize("function_id", sorted({route.function_id for route in API_FUNCTIONS.values()}))
def test_no_route_depends_on_sync_work_without_io(function_id: str) -> None:
    app = _app_of(function_id)
    if app is None:
        return
    app_wide = [dependency.dependency for dependency in app.router.dependencies]
    served = list(_api_routes(app))
    assert served
    sync = {
        f"{route.path}: {call.__qualname__}"
        for route in served
        for call in [*app_wide, *_dependencies(route.dependant)]
        if call is not None
        and not inspect.iscoroutinefunction(call)
        and call.__qualname__ not in SYNC_IO_DEPENDENCIES
    }
    assert not sync, "sync dependencies run in the thread pool:\n" + "\n".join(sorted(sync))


def test_each_declared_route_is_built_once_as_the_apps_own(monkeypatch: pytest.MonkeyPatch) -> None:
    from gatehouse.surfaces.envelope import PLAIN
    from gatehouse.web.app import Routes, create_app

    built: list[str] = []
    original = APIRoute.__init__

    def counting(self: APIRoute, path: str, *args: Any, **kwargs: Any) -> None:
        built.append(path)
        original(self, path, *args, **kwargs)

    monkeypatch.setattr(APIRoute, "__init__", counting)
    routes_ = Routes(prefix="/api")

    @routes_.get("/things/{thing}")
    async def thing(thing: int) -> dict[str, Any]:
        return {"id": thing}

    @routes_.post("/things")
    async def make_thing() -> dict[str, Any]:
        return {}

    assert built == []  # declaring records, builds nothing
    app = create_app(routes_, surfaces=[("/api/", PLAIN)])
    assert built == ["/api/things/{thing}", "/api/things"]
    assert [route.path for route in _api_routes(app)] == ["/api/things", "/api/things/{thing}"]


@pytest.mark.parametrize("function_id", sorted({route.function_id for route in API_FUNCTIONS.values()}))
def test_the_rate_limit_is_no_node_of_dependency_solving(function_id: str) -> None:
    from gatehouse.web.app import LazilyRateLimitedRoute, RateLimitedRoute
    from gatehouse.web.throttle import enforce_rate_limit

    app = _app_of(function_id)
    if app is None:
        return
    assert not app.router.dependencies
    for route in _api_routes(app):
        assert enforce_rate_limit not in set(_dependencies(route.dependant)), route.path
    limited = any(surface.rate_limited for _, surface in getattr(app.state, "surfaces", ()))
    # The fallback imports the rate limit with the first request it counts (a B path).
    route_class = LazilyRateLimitedRoute if function_id == "FallbackFunction" else RateLimitedRoute
    assert all(isinstance(route, route_class) == limited for route in _api_routes(app))
