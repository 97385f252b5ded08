"""The FastAPI app factory every function uses, and its Lambda entry point."""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI
from fastapi.routing import APIRoute
from mangum import Mangum

from gatehouse.observability import LambdaHandler, instrument
from gatehouse.web.edge import EdgeMiddleware, MethodsOf, methods_of_app_routes
from gatehouse.web.errors import SurfacePrefixes, install_error_handlers
from gatehouse.web.throttle import enforce_rate_limit


def create_app(
    *routers: APIRouter, surfaces: SurfacePrefixes, methods_of: MethodsOf = methods_of_app_routes
) -> FastAPI:
    """An app serving `routers`; `surfaces` maps each path prefix to the surface that owns it.

    `methods_of` tells the edge which methods a path serves (for `OPTIONS` and `Allow`):
    by default this app's own routes.
    """
    # No OpenAPI/docs routes in Lambda: the contracts live in the surfaces' own documents.
    app = FastAPI(
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        # The edge drops trailing slashes before routing; a redirect would only cost a round trip.
        redirect_slashes=False,
        # Only where a surface is rate limited: elsewhere the dependency would answer "no limit"
        # on every request (the plain surface of unknown paths is not limited either).
        dependencies=[Depends(enforce_rate_limit)] if any(s.rate_limited for _, s in surfaces) else [],
    )
    install_error_handlers(app, surfaces)
    app.add_middleware(EdgeMiddleware, methods_of=methods_of)
    for router in routers:
        _add_routes(app, router)
    return app


def _add_routes(app: FastAPI, router: APIRouter) -> None:
    """`router`'s routes as the app's own (what `include_router` did before FastAPI resolved
    included routers per request): a request is matched once against a flat list, and each
    route's dependencies (the app-wide rate limit first) are solved as declared."""
    for route in router.routes:
        if not isinstance(route, APIRoute):
            raise TypeError(f"{route!r}: only API routes are served")
        app.router.add_api_route(
            route.path,
            route.endpoint,
            response_model=route.response_model,
            status_code=route.status_code,
            dependencies=route.dependencies,
            methods=route.methods,
            include_in_schema=route.include_in_schema,
            response_class=route.response_class,
            name=route.name,
            response_model_include=route.response_model_include,
            response_model_exclude=route.response_model_exclude,
            response_model_by_alias=route.response_model_by_alias,
            response_model_exclude_unset=route.response_model_exclude_unset,
            response_model_exclude_defaults=route.response_model_exclude_defaults,
            response_model_exclude_none=route.response_model_exclude_none,
        )


def lambda_handler(app: FastAPI, service: str) -> LambdaHandler:
    """The Lambda entry point: Mangum around `app`, with logs, traces and metrics as
    `service` (see gatehouse.observability)."""
    return instrument(Mangum(app, lifespan="off"), service)
