"""The rate limit of the Laravel surfaces, as an app-wide dependency (see create_app)."""

from __future__ import annotations

from fastapi import Request

from gatehouse.errors import TooManyRequests
from gatehouse.services import rate_limits
from gatehouse.settings import get_settings
from gatehouse.web.deps import optional_principal
from gatehouse.web.edge import RATE_LIMIT_STATE
from gatehouse.web.errors import surface_for
from gatehouse.web.request_info import client_ip

_limit = get_settings().rate_limit_per_minute


async def enforce_rate_limit(request: Request) -> None:
    """Count the request against its client: the token's user, else the source IP."""
    if _limit == 0 or not surface_for(request).rate_limited:
        return
    principal = await optional_principal(request)
    client = f"user:{principal.user.id}" if principal is not None else f"ip:{client_ip(request)}"
    verdict = rate_limits.hit(client, _limit)
    setattr(request.state, RATE_LIMIT_STATE, verdict)
    if not verdict.allowed:
        raise TooManyRequests(verdict.limit, verdict.retry_after)
