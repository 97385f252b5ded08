"""A route that needs a token answers its surface's 401 before it reads the body.

A client that forgot its token must learn that, not that its body was malformed: every
route of template.yaml that takes a body and is not one of the public ones (sign-up,
sign-in, recovery) answers 401 to an unreadable body sent without a token.
"""

from __future__ import annotations

import pytest

from gatehouse_local.template import Route, load_template, routes
from gatehouse_local.testing import ApiClient

# Routes anyone may call without a token.
PUBLIC = {
    "POST /api/auth/register",
    "POST /api/auth/login",
    "POST /api/v1/register",
    "POST /api/v1/login",
    "POST /api/v1/recover",
    "POST /api/v1/reset",
    "POST /api/login",
    "POST /api/v0/users",
    "POST /api/v0/tokens",
    # D's first user is created without a token (the super account); later ones need one.
    "POST /api/v1/users/new_user",
}
BODY_METHODS = {"POST", "PUT", "PATCH"}
MALFORMED = '{"name": "unterminated'


def _protected_routes_with_a_body() -> list[Route]:
    return [
        route
        for route in routes(load_template())
        if route.method in BODY_METHODS and f"{route.method} {route.path}" not in PUBLIC
    ]


def _concrete(path: str) -> str:
    """A request path for a resource path: every `{param}` becomes 1."""
    return "/".join("1" if part.startswith("{") else part for part in path.split("/"))


@pytest.mark.parametrize("route", _protected_routes_with_a_body(), ids=lambda route: route.key)
def test_a_malformed_body_without_a_token_is_refused_as_unauthenticated(api: ApiClient, route: Route) -> None:
    response = api.request(
        route.method,
        _concrete(route.path),
        body=MALFORMED,
        headers={"Content-Type": "application/json"},
    )

    assert response.status == 401, (route.key, response.status, response.body)
