"""Domain errors to HTTP, in one place: the request path picks the surface's envelope."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from gatehouse.errors import GatehouseError, MalformedRequest, MethodNotAllowed, NotFound
from gatehouse.surfaces.envelope import PLAIN, ErrorEnvelope, Surface

logger = logging.getLogger("gatehouse")

# (path prefix, surface): each app declares the surfaces it serves (see create_app).
SurfacePrefixes = Sequence[tuple[str, Surface]]


def surface_at(path: str, surfaces: SurfacePrefixes) -> Surface:
    """The surface that owns `path`: the longest matching prefix, else the plain one."""
    matches = [
        (prefix, surface)
        for prefix, surface in surfaces
        if path.startswith(prefix) or path == prefix.rstrip("/")
    ]
    return max(matches, key=lambda match: len(match[0]))[1] if matches else PLAIN


_SURFACE_KEY = "gatehouse.surface"


def surface_of(scope: Scope) -> Surface:
    """The surface of this request's path, found once per request (token rule, rate limit and
    error envelope all ask)."""
    cached: tuple[str, Surface] | None = scope.get(_SURFACE_KEY)
    if cached is not None and cached[0] == scope["path"]:
        return cached[1]
    surfaces: SurfacePrefixes = getattr(scope["app"].state, "surfaces", ())
    surface = surface_at(scope["path"], surfaces)
    scope[_SURFACE_KEY] = (scope["path"], surface)
    return surface


def surface_for(request: Request) -> Surface:
    return surface_of(request.scope)


def envelope_for(request: Request) -> ErrorEnvelope:
    return surface_for(request).envelope


def request_id_of(scope: Scope) -> str:
    """API Gateway's request id: the `correlation_id` of every log line of this request."""
    event: dict[str, Any] = scope.get("aws.event") or {}
    context = event.get("requestContext") or {}
    return str(context.get("requestId") or "-")


def error_response(scope: Scope, error: GatehouseError) -> JSONResponse:
    status, body = surface_of(scope).envelope.render(error)
    logger.info(
        "request refused",
        extra={
            "error": type(error).__name__,
            "status": status,
            "path": scope["path"],
            "request_id": request_id_of(scope),
        },
    )
    return JSONResponse(status_code=status, content=body, headers=error.headers())


def unexpected_error_response(scope: Scope, error: BaseException) -> JSONResponse:
    rid = request_id_of(scope)
    status, body = surface_of(scope).envelope.unexpected(rid)
    # The exception class and traceback only: never the request body, headers or tokens.
    logger.error(
        "unhandled error",
        exc_info=error,
        extra={"error": type(error).__name__, "status": status, "path": scope["path"], "request_id": rid},
    )
    return JSONResponse(status_code=status, content=body)


async def _domain_error(request: Request, error: Exception) -> JSONResponse:
    if not isinstance(error, GatehouseError):
        return unexpected_error_response(request.scope, error)
    return error_response(request.scope, error)


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    translated: GatehouseError
    status_code = getattr(error, "status_code", 400)
    if status_code == 405:
        allowed = (getattr(error, "headers", None) or {}).get("Allow", "")
        methods = tuple(method.strip() for method in allowed.split(",") if method.strip())
        translated = MethodNotAllowed(request.method, methods, request.url.path)
    elif status_code == 404:
        translated = NotFound()
    else:
        translated = MalformedRequest()
    return error_response(request.scope, translated)


async def _request_validation_error(request: Request, error: Exception) -> JSONResponse:
    # Only path and query parameters are declared to FastAPI (bodies go through gatehouse.validation),
    # and a path id that is not a number names nothing.
    return error_response(request.scope, NotFound())


def install_error_handlers(app: FastAPI, surfaces: SurfacePrefixes) -> None:
    """Domain and HTTP errors; unexpected ones are answered by the edge middleware (web/edge.py),
    inside the CORS headers, rather than by Starlette's outermost server-error handler."""
    app.state.surfaces = tuple(surfaces)
    app.add_exception_handler(GatehouseError, _domain_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _request_validation_error)
