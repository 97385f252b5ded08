"""Domain errors to HTTP, in one place: the request path picks the surface's envelope."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from gatehouse.errors import GatehouseError, MalformedRequest, MethodNotAllowed, NotFound
from gatehouse.surfaces.envelope import ErrorEnvelope, PlainEnvelope

logger = logging.getLogger("gatehouse")

# (path prefix, envelope): each app declares the surfaces it serves (see create_app).
SurfaceEnvelopes = Sequence[tuple[str, ErrorEnvelope]]
_PLAIN = PlainEnvelope()


def envelope_for(request: Request) -> ErrorEnvelope:
    """The envelope of the surface that owns this path (the longest matching prefix)."""
    path = request.url.path
    envelopes: SurfaceEnvelopes = getattr(request.app.state, "envelopes", ())
    matches = [
        (prefix, env) for prefix, env in envelopes if path.startswith(prefix) or path == prefix.rstrip("/")
    ]
    return max(matches, key=lambda match: len(match[0]))[1] if matches else _PLAIN


def request_id(request: Request) -> str:
    event: dict[str, Any] = request.scope.get("aws.event") or {}
    context = event.get("requestContext") or {}
    return str(context.get("requestId") or "-")


def _respond(status: int, body: Any) -> JSONResponse:
    return JSONResponse(status_code=status, content=body)


async def _domain_error(request: Request, error: Exception) -> JSONResponse:
    if not isinstance(error, GatehouseError):
        return await _unexpected_error(request, error)
    status, body = envelope_for(request).render(error)
    logger.info(
        "request refused",
        extra={
            "error": type(error).__name__,
            "status": status,
            "path": request.url.path,
            "request_id": request_id(request),
        },
    )
    return _respond(status, body)


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    translated: GatehouseError
    status_code = getattr(error, "status_code", 400)
    if status_code == 405:
        translated = MethodNotAllowed(request.method)
    elif status_code == 404:
        translated = NotFound()
    else:
        translated = MalformedRequest()
    return await _domain_error(request, translated)


async def _request_validation_error(request: Request, error: Exception) -> JSONResponse:
    # Only path and query parameters are declared to FastAPI (bodies go through gatehouse.validation),
    # and a path id that is not a number names nothing.
    return await _domain_error(request, NotFound())


async def _unexpected_error(request: Request, error: Exception) -> JSONResponse:
    rid = request_id(request)
    # The exception type and traceback only: never the request body, headers or tokens.
    logger.error("unhandled error", exc_info=error, extra={"request_id": rid, "path": request.url.path})
    status, body = envelope_for(request).unexpected(rid)
    return _respond(status, body)


def install_error_handlers(app: FastAPI, envelopes: SurfaceEnvelopes) -> None:
    app.state.envelopes = tuple(envelopes)
    app.add_exception_handler(GatehouseError, _domain_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _request_validation_error)
    app.add_exception_handler(Exception, _unexpected_error)
