"""The FastAPI app factory every function uses, and its Lambda entry point."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, FastAPI
from mangum import Mangum

from gatehouse.settings import get_settings
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
    logging.basicConfig(level=get_settings().log_level, format="%(levelname)s %(name)s %(message)s")
    # botocore logs every credential lookup at INFO; that is noise in every function's log.
    logging.getLogger("botocore").setLevel(logging.WARNING)
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


def lambda_handler(app: FastAPI) -> Mangum:
    return Mangum(app, lifespan="off")
