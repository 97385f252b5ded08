"""Request bodies: read once per request, in whichever format the client sent."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request

from gatehouse.errors import MalformedRequest

_UNREADABLE = object()


async def read_body(request: Request) -> dict[str, Any] | None:
    """The body as a dict, or None when it cannot be read; parsed once and kept on the request."""
    cached = getattr(request.state, "parsed_body", None)
    if cached is None:
        cached = await _parse(request)
        request.state.parsed_body = cached
    if cached is _UNREADABLE:
        return None
    body: dict[str, Any] = cached
    return body


async def request_body(request: Request) -> dict[str, Any]:
    """The body as a dict, from JSON or a urlencoded form (Laravel clients send both)."""
    body = await read_body(request)
    if body is None:
        raise MalformedRequest()
    return body


async def _parse(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return {}
    content_type = request.headers.get("content-type", "").lower()
    if "application/x-www-form-urlencoded" in content_type:
        try:
            return dict(parse_qsl(raw.decode(), keep_blank_values=True))
        except UnicodeDecodeError:
            return _UNREADABLE
    try:
        parsed = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        # RecursionError: nesting deeper than the interpreter's stack (`[[[[...`) is unreadable too.
        return _UNREADABLE
    if not isinstance(parsed, dict):
        return _UNREADABLE
    return parsed
