"""The HTTP edge every function shares, as one ASGI middleware around the app.

On the way in: a trailing slash is dropped (Laravel trims it, so `/api/v1/user/` is
`/api/v1/user`) and `OPTIONS` is answered here (CORS preflight, or the `Allow` list).
On the way out, every answer, errors included, gets the CORS headers for the caller's origin,
`X-Content-Type-Options: nosniff`, `Cache-Control: no-store` unless the route chose its own,
HSTS when the request came over HTTPS, and the rate-limit headers. An unexpected exception is
rendered here too, in the surface's 500 envelope, so that it carries the same headers.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gatehouse.settings import get_settings
from gatehouse.web.cors import CorsPolicy
from gatehouse.web.errors import unexpected_error_response

# The methods a resource serves, or None when no resource has this path.
MethodsOf = Callable[[Scope], tuple[str, ...] | None]

HSTS = "max-age=31536000; includeSubDomains"
RATE_LIMIT_STATE = "rate_limit"

_cors = CorsPolicy.from_setting(get_settings().allowed_origins)


def methods_of_app_routes(scope: Scope) -> tuple[str, ...] | None:
    """The methods the app's own routes serve at this path (GET implies HEAD)."""
    methods: set[str] = set()
    for route in scope["app"].router.routes:
        match, _ = route.matches(scope)
        if match != Match.NONE:
            methods.update(getattr(route, "methods", None) or ())
    return tuple(sorted(methods)) if methods else None


class EdgeMiddleware:
    def __init__(self, app: ASGIApp, methods_of: MethodsOf = methods_of_app_routes) -> None:
        self.app = app
        self.methods_of = methods_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if len(path) > 1 and path.endswith("/"):
            scope["path"] = path.rstrip("/") or "/"
            scope["raw_path"] = scope["path"].encode()
        scope.setdefault("state", {})
        request_headers = Headers(scope=scope)
        origin = request_headers.get("origin")

        started = False

        async def send_with_edge_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                _add_edge_headers(scope, MutableHeaders(scope=message), origin)
            await send(message)

        if scope["method"] == "OPTIONS":
            await self._options(scope, request_headers, origin)(scope, receive, send_with_edge_headers)
            return
        try:
            await self.app(scope, receive, send_with_edge_headers)
        except Exception as error:
            if started:
                raise
            await unexpected_error_response(scope, error)(scope, receive, send_with_edge_headers)

    def _options(self, scope: Scope, request_headers: Headers, origin: str | None) -> Response:
        methods = self.methods_of(scope)
        requested = request_headers.get("access-control-request-method")
        if requested is not None:
            # A preflight. For a path no route serves, Laravel's HandleCors still answers it;
            # the real request then gets the surface's 404, readable by the page.
            offered = (*methods, "OPTIONS") if methods else (requested.upper(), "OPTIONS")
            return Response(status_code=204, headers=dict(_cors.preflight_headers(origin, offered)))
        allow = ", ".join((*methods, "OPTIONS")) if methods else "OPTIONS"
        return Response(status_code=204, headers={"Allow": allow})


def _add_edge_headers(scope: Scope, headers: MutableHeaders, origin: str | None) -> None:
    for name, value in _cors.response_headers(origin):
        if name == "Vary":
            if value.lower() not in headers.get("vary", "").lower():
                headers.add_vary_header(value)
        elif name not in headers:
            headers[name] = value
    headers["X-Content-Type-Options"] = "nosniff"
    if "cache-control" not in headers:
        headers["Cache-Control"] = "no-store"
    if scope.get("scheme") == "https":
        headers["Strict-Transport-Security"] = HSTS
    verdict = scope["state"].get(RATE_LIMIT_STATE)
    if verdict is not None and "x-ratelimit-limit" not in headers:
        headers["X-RateLimit-Limit"] = str(verdict.limit)
        headers["X-RateLimit-Remaining"] = str(verdict.remaining)
