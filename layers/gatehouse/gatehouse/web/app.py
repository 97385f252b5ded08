"""The FastAPI app factory every function uses, and its Lambda entry point."""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI
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
        dependencies=[Depends(enforce_rate_limit)],
    )
    install_error_handlers(app, surfaces)
    app.add_middleware(EdgeMiddleware, methods_of=methods_of)
    for router in routers:
        app.include_router(router)
    return app


def lambda_handler(app: FastAPI, service: str) -> LambdaHandler:
    """The Lambda entry point: Mangum around `app`, with logs, traces and metrics as
    `service` (see gatehouse.observability)."""
    return instrument(Mangum(app, lifespan="off"), service)
