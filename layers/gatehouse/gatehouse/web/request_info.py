"""What a request says about where it comes from and where it was sent, for routes and the
services they call: the caller (source IP, user agent, device, request id) and the API's public
URL. Only the request and the settings: no table, so a function that serves none (the docs)
imports no data layer through it."""

from typing import Annotated, Any

from fastapi import Depends, Request

from gatehouse.services.caller import ClientInfo
from gatehouse.settings import get_settings

_settings = get_settings()


def _event(request: Request) -> dict[str, Any]:
    event: dict[str, Any] = request.scope.get("aws.event") or {}
    return event


def client_ip(request: Request) -> str | None:
    """API Gateway's source IP (the TCP peer of the gateway), else the ASGI client's."""
    identity = (_event(request).get("requestContext") or {}).get("identity") or {}
    return identity.get("sourceIp") or (request.client.host if request.client else None)


def caller_of(request: Request) -> ClientInfo:
    """The request's caller: API Gateway's source IP, user agent, X-Device-Id and request id."""
    context = _event(request).get("requestContext") or {}
    return ClientInfo(
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
        device_id=request.headers.get("x-device-id"),
        request_id=str(context.get("requestId") or "-"),
    )


async def public_base_url(request: Request) -> str:
    """Where links in mail should point: configured, else this API's own URL (with its stage)."""
    if _settings.public_base_url:
        return _settings.public_base_url.rstrip("/")
    context = _event(request).get("requestContext") or {}
    stage = context.get("stage")
    host = request.headers.get("host", "localhost")
    return f"https://{host}/{stage}" if stage else f"https://{host}"


PublicBaseUrl = Annotated[str, Depends(public_base_url)]
