"""The FastAPI app factory every function uses, and its Lambda entry point."""

from __future__ import annotations

import logging

from fastapi import APIRouter, FastAPI
from mangum import Mangum

from gatehouse.settings import get_settings
from gatehouse.web.errors import SurfaceEnvelopes, install_error_handlers


def create_app(*routers: APIRouter, envelopes: SurfaceEnvelopes) -> FastAPI:
    """An app serving `routers`; `envelopes` maps each surface's path prefix to its error envelope."""
    logging.basicConfig(level=get_settings().log_level, format="%(levelname)s %(name)s %(message)s")
    # botocore logs every credential lookup at INFO; that is noise in every function's log.
    logging.getLogger("botocore").setLevel(logging.WARNING)
    # No OpenAPI/docs routes in Lambda: the contracts live in the surfaces' own documents.
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    install_error_handlers(app, envelopes)
    for router in routers:
        app.include_router(router)
    return app


def lambda_handler(app: FastAPI) -> Mangum:
    return Mangum(app, lifespan="off")
