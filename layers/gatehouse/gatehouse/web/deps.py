"""Typed dependencies: what a route needs, declared in its signature."""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import Depends, Request

from gatehouse.data.models import UserItem
from gatehouse.errors import MalformedRequest, NotAuthenticated
from gatehouse.services import sessions
from gatehouse.services.sessions import Principal


async def request_body(request: Request) -> dict[str, Any]:
    """The body as a dict, from JSON or a urlencoded form (Laravel clients send both)."""
    raw = await request.body()
    if not raw.strip():
        return {}
    content_type = request.headers.get("content-type", "").lower()
    if "application/x-www-form-urlencoded" in content_type:
        try:
            return dict(parse_qsl(raw.decode(), keep_blank_values=True))
        except UnicodeDecodeError:
            raise MalformedRequest() from None
    try:
        parsed = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise MalformedRequest() from None
    if not isinstance(parsed, dict):
        raise MalformedRequest()
    return parsed


def bearer_token(request: Request) -> str | None:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        return None
    return credentials.strip()


async def current_principal(request: Request) -> Principal:
    token = bearer_token(request)
    if token is None:
        raise NotAuthenticated("no token")
    return sessions.authenticate(token)


async def current_user(principal: Annotated[Principal, Depends(current_principal)]) -> UserItem:
    return principal.user


RequestBody = Annotated[dict[str, Any], Depends(request_body)]
CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
CurrentUser = Annotated[UserItem, Depends(current_user)]
