"""Who is calling: the request's client details, bound once per request and read by the services
that record them (the audit log) or key on them (lockouts, app tokens).

The web layer binds the caller before a route runs (`gatehouse.web.app.GatehouseRoute`); the
binding lives in the request's own context, so concurrent requests never see each other's. Code
that runs outside a request (the operator CLI, imports) binds its own with `bound`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class ClientInfo:
    """Where a request came from, as API Gateway saw it."""

    ip: str | None = None
    user_agent: str | None = None
    device_id: str | None = None
    request_id: str = "-"


UNKNOWN = ClientInfo()
_current: ContextVar[ClientInfo | None] = ContextVar("gatehouse_caller", default=None)


def bind(client: ClientInfo) -> None:
    """The caller of the request being handled (for the rest of this request's context)."""
    _current.set(client)


def current() -> ClientInfo:
    """The caller bound for this request, or an unknown one outside any request."""
    return _current.get() or UNKNOWN


@contextmanager
def bound(client: ClientInfo) -> Iterator[ClientInfo]:
    """`client` as the caller inside the block (operator commands, tests), restored after it."""
    token = _current.set(client)
    try:
        yield client
    finally:
        _current.reset(token)
