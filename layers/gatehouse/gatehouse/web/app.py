"""The FastAPI app factory every function uses, and its Lambda entry point."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from types import MappingProxyType
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies.utils import get_typed_return_annotation
from fastapi.routing import APIRoute
from mangum import Mangum

from gatehouse.contracts.answers import AnswerTypes, Responses
from gatehouse.observability import LambdaHandler, instrument
from gatehouse.services import caller
from gatehouse.web.edge import EdgeMiddleware, MethodsOf, methods_of_app_routes
from gatehouse.web.errors import SurfacePrefixes, install_error_handlers, surface_for
from gatehouse.web.request_info import caller_of

# `openapi_extra={BODY_MODEL: Model}` / `{QUERY_MODEL: Model}`: the model a route reads its body
# or query string with itself (rather than through `Body[Model]` / `Query[Model]`), for the API
# documents; nothing reads them at run time.
BODY_MODEL = "x-gatehouse-body-model"
QUERY_MODEL = "x-gatehouse-query-model"


def create_app(
    *routers: Routes,
    surfaces: SurfacePrefixes,
    methods_of: MethodsOf = methods_of_app_routes,
    rate_limit_at_init: bool = True,
) -> FastAPI:
    """An app serving `routers`; `surfaces` maps each path prefix to the surface that owns it.

    `methods_of` tells the edge which methods a path serves (for `OPTIONS` and `Allow`):
    by default this app's own routes. `rate_limit_at_init=False`: the rate limit (and the data
    layer and authentication it needs) is imported by the first request it counts rather than
    when the app is built, for an app that seldom counts one (FallbackFunction).
    """
    # No OpenAPI/docs routes in Lambda: the contracts live in the surfaces' own documents.
    app = FastAPI(
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        # The edge drops trailing slashes before routing; a redirect would only cost a round trip.
        redirect_slashes=False,
    )
    # Only where a surface is rate limited: elsewhere the check would answer "no limit" on
    # every request (the plain surface of unknown paths is not limited either).
    if not any(surface.rate_limited for _, surface in surfaces):
        app.router.route_class = GatehouseRoute
    else:
        app.router.route_class = RateLimitedRoute if rate_limit_at_init else LazilyRateLimitedRoute
    install_error_handlers(app, surfaces)
    app.add_middleware(EdgeMiddleware, methods_of=methods_of)
    for router in routers:
        _add_routes(app, router)
    return app


class GatehouseRoute(APIRoute):
    """A route that binds its request's caller (`gatehouse.services.caller`) before anything
    else of the route runs, so the services it calls record and key on the right client: once
    per request, without a node of FastAPI's dependency solving.

    `answers` is what the route answers besides its success, status → the type of the body
    (`contracts.answers`), for an OpenAPI document; its success body is its endpoint's return
    annotation."""

    answers: AnswerTypes = MappingProxyType({})

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def with_caller(request: Request) -> Response:
            caller.bind(caller_of(request))
            return await handler(request)

        return with_caller


class RateLimitedRoute(GatehouseRoute):
    """A route that counts the request against its client (`enforce_rate_limit`) before
    anything else of the route runs: where the app-wide dependency ran, first of the route's
    dependencies, but without a node of FastAPI's dependency solving on every request. A
    refusal (429) is raised inside the route, so the same error handlers render it."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        # Imported by the first rate-limited route, not with this module: counting reads the
        # table and authenticates, which an app without a rate-limited surface (the docs, the
        # links) never does, and its cold start need not import the data layer for it.
        from gatehouse.web.throttle import enforce_rate_limit

        handler = super().get_route_handler()

        async def rate_limited(request: Request) -> Response:
            await enforce_rate_limit(request)
            return await handler(request)

        return rate_limited


class LazilyRateLimitedRoute(GatehouseRoute):
    """A `RateLimitedRoute` whose app imports the rate limit with the first request it counts:
    FallbackFunction counts only B's unknown paths, and its cold start (every CORS preflight of
    the API, every 404) needs no data layer."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def rate_limited(request: Request) -> Response:
            if surface_for(request).rate_limited:
                from gatehouse.web.throttle import enforce_rate_limit

                await enforce_rate_limit(request)
            return await handler(request)

        return rate_limited


class Routes(APIRouter):
    """A function's routes, declared with FastAPI's decorators (`@routes.get(...)`) and only
    recorded: `create_app` builds each route once, as the app's own. (An `APIRouter` builds an
    `APIRoute` per declaration, analysing its signature and return type, and copying its routes
    into the app built each one a second time: on every cold start.)

    A route's return annotation (a TypedDict of `gatehouse.contracts`) types its answer for mypy
    and the OpenAPI document only: FastAPI would otherwise make it the `response_model` and
    validate every answer against it. Its `response_model` is `Any` instead (see
    `_serialised_as`). The types of the other answers (`responses=...`, contracts.answers)
    become the route's `answers`, leaving FastAPI only their descriptions: it would build a
    pydantic field per status on every cold start."""

    def __init__(self, prefix: str = "") -> None:
        super().__init__(prefix=prefix)
        self.declared: list[tuple[str, Callable[..., Any], dict[str, Any], AnswerTypes]] = []

    def add_api_route(self, path: str, endpoint: Callable[..., Any], **options: Any) -> None:
        if isinstance(options.get("response_model"), DefaultPlaceholder):
            options["response_model"] = _serialised_as(endpoint)
        responses: Responses = options.pop("responses", None) or {}
        answers = {int(status): response.get("model") for status, response in responses.items()}
        options["responses"] = {
            status: {key: value for key, value in response.items() if key != "model"}
            for status, response in responses.items()
        }
        self.declared.append((self.prefix + path, endpoint, options, answers))


def _serialised_as(endpoint: Callable[..., Any]) -> object:
    """The `response_model` of a route: `Any`, which pydantic neither validates nor converts
    and serialises straight to JSON bytes in Rust (as it did the `dict[str, Any]` routes
    returned before they were typed); without one, FastAPI would walk every answer with its
    pure-Python `jsonable_encoder` (some 25x slower on a page of users). None where the
    route answers a `Response` of its own (a redirect, an empty 204)."""
    annotation = get_typed_return_annotation(endpoint)
    if annotation is None or (isinstance(annotation, type) and issubclass(annotation, Response)):
        return None
    return Any


def _add_routes(app: FastAPI, router: Routes) -> None:
    """`router`'s routes as the app's own (what `include_router` did before FastAPI resolved
    included routers per request): a request is matched once against a flat list, and each
    route's dependencies are solved as declared (after the rate limit, see RateLimitedRoute)."""
    if router.routes:
        raise TypeError(f"{router!r}: only routes declared with its decorators are served")
    for path, endpoint, options, answers in router.declared:
        app.router.add_api_route(path, endpoint, **options)
        route = app.router.routes[-1]
        if isinstance(route, GatehouseRoute):
            route.answers = answers


def lambda_handler(app: FastAPI, service: str) -> LambdaHandler:
    """The Lambda entry point: Mangum around `app`, with logs, traces and metrics as
    `service` (see gatehouse.observability)."""
    return instrument(Mangum(app, lifespan="off"), service)
