"""Typed dependencies: what a route needs, declared in its signature."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from gatehouse.data.models import UserItem
from gatehouse.errors import NotAuthenticated
from gatehouse.services import sessions
from gatehouse.services.audit import ClientInfo
from gatehouse.services.sessions import Principal
from gatehouse.settings import get_settings
from gatehouse.web.body import request_body

_settings = get_settings()


def bearer_token(request: Request) -> str | None:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        return None
    return credentials.strip()


async def current_principal(request: Request) -> Principal:
    token = bearer_token(request)
    if token is None:
        raise NotAuthenticated("no token")
    principal = sessions.authenticate(token)
    sessions.note_activity(principal.user)
    return principal


async def current_user(principal: Annotated[Principal, Depends(current_principal)]) -> UserItem:
    return principal.user


def _event(request: Request) -> dict[str, Any]:
    event: dict[str, Any] = request.scope.get("aws.event") or {}
    return event


def client_info(request: Request) -> ClientInfo:
    """Caller details for the audit log: API Gateway's source IP, user agent and X-Device-Id."""
    context = _event(request).get("requestContext") or {}
    identity = context.get("identity") or {}
    return ClientInfo(
        ip=identity.get("sourceIp") or (request.client.host if request.client else None),
        user_agent=request.headers.get("user-agent"),
        device_id=request.headers.get("x-device-id"),
        request_id=str(context.get("requestId") or "-"),
    )


def public_base_url(request: Request) -> str:
    """Where links in mail should point: configured, else this API's own URL (with its stage)."""
    if _settings.public_base_url:
        return _settings.public_base_url.rstrip("/")
    context = _event(request).get("requestContext") or {}
    stage = context.get("stage")
    host = request.headers.get("host", "localhost")
    return f"https://{host}/{stage}" if stage else f"https://{host}"


RequestBody = Annotated[dict[str, Any], Depends(request_body)]
CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
CurrentUser = Annotated[UserItem, Depends(current_user)]
Client = Annotated[ClientInfo, Depends(client_info)]
PublicBaseUrl = Annotated[str, Depends(public_base_url)]


# Methods a cross-site HTML form can send; with a cookie they must carry a JSON body (see below).
_FORM_METHODS = frozenset({"POST"})


def header_or_cookie_token(request: Request) -> str | None:
    """Goncord's rule: the `Authorization: Bearer` header when that header is present at all
    (even if unusable); only without it, the `jwt` cookie."""
    if "authorization" in request.headers:
        return bearer_token(request)
    cookie = request.cookies.get("jwt") or None
    # A browser sends the cookie with a cross-site form POST too; such a form cannot send
    # `application/json` without a CORS preflight, so cookie-authenticated POSTs must.
    if cookie and request.method in _FORM_METHODS and not _is_json(request):
        return None
    return cookie


def _is_json(request: Request) -> bool:
    return request.headers.get("content-type", "").split(";")[0].strip().lower() == "application/json"


async def header_or_cookie_principal(request: Request) -> Principal:
    token = header_or_cookie_token(request)
    if token is None:
        raise NotAuthenticated("no token")
    return sessions.authenticate(token)


async def header_or_cookie_user(
    principal: Annotated[Principal, Depends(header_or_cookie_principal)],
) -> UserItem:
    return principal.user


HeaderOrCookiePrincipal = Annotated[Principal, Depends(header_or_cookie_principal)]
HeaderOrCookieUser = Annotated[UserItem, Depends(header_or_cookie_user)]
