"""Bad input never gets a 500, on any route of template.yaml.

Every route is called with and without a valid token (the super's, from surface B) and a
battery of malformed path parameters, bodies, query strings and headers. Whatever the
input, the answer must be below 500, JSON in the envelope family of the route's surface
(or empty for 204/HEAD/redirects), and never show a traceback or a password hash.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from gatehouse_local.template import Route, load_template, routes
from gatehouse_local.testing import ApiClient, ApiResponse, bearer
from tests.seeding import SeedOnce

SUPER = {"username": "root", "password": "root-password-1", "email": "root@example.com", "sex": 0, "age": 30}
A_USER_ONE = "000000000000000000000001"
LEAKS = ("Traceback", "$argon2", "$2y$", "$2b$")
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass(frozen=True)
class Surface:
    name: str
    fields: tuple[str, ...]
    # A plausible valid body, so that one bad field is checked with the others passing.
    baseline: dict[str, Any] = field(default_factory=dict)
    query: tuple[str, ...] = ()


SURFACES = {
    "B": Surface("B", ("username", "password", "email", "sex", "age"), {**SUPER}),
    "A": Surface(
        "A",
        (
            "name", "surname", "middlename", "email", "password", "password_confirmation", "token",
            "description", "responsible_id", "user__id", "key", "value",
        ),
        {
            "name": "Ann", "surname": "Lee", "email": "ann@example.com", "password": "ann-password",
            "password_confirmation": "ann-password", "description": "d", "responsible_id": 1,
            "user__id": A_USER_ONE, "key": "k", "value": "v",
        },
        ("limit", "after", "user__id", "token"),
    ),
    "C": Surface(
        "C",
        (
            "name", "description", "address", "phone", "email", "website", "organization_id",
            "department_id", "position_id", "salary_min", "salary_max", "password",
            "password_confirmation", "current_password", "position", "role", "device_name", "is_active",
        ),
        {
            "name": "Bob Stone", "email": "bob@example.com", "password": "bob-password",
            "password_confirmation": "bob-password", "organization_id": 1, "role": "user",
        },
        ("page", "per_page", "search", "role", "is_active", "organization_id", "department_id", "position_id"),
    ),
    "D": Surface(
        "D",
        (
            "nickname", "email", "password", "new_password", "first_name", "mid_name", "last_name",
            "contacts", "phone", "telegram", "viber", "role", "group_id", "userpic", "upload_userpic",
            "name", "description", "level", "permissions",
        ),
        {"nickname": "dee", "email": "dee@example.com", "password": "dee-password", "name": "Group"},
        (
            "per_page", "limit", "cursor", "by_user", "by_group", "by_device", "from", "to", "date_from",
            "date_to", "sort", "order",
        ),
    ),
    "E": Surface(
        "E",
        (
            "login", "password", "email", "first_name", "last_name", "second_name", "birthday",
            "old_password", "new_password", "roles", "apps", "name", "url", "is_super",
        ),
        {"login": "eve", "password": "eve-password", "email": "eve@example.com", "name": "App", "url": "http://a"},
    ),
    # The API's documents (DocsFunction): no surface's, the plain `{"message": ...}` envelope.
    "plain": Surface("plain", ()),
}  # fmt: skip
# What the documentation pages answer besides JSON: the pages, Swagger UI's script and stylesheet.
DOCS_CONTENT_TYPES = {"text/html; charset=utf-8", "text/javascript; charset=utf-8", "text/css; charset=utf-8"}

BAD_PATH_VALUES = ["abc", "-1", "0", "99999999999999999999", "%00", "x" * 300, "1.5"]
BAD_FIELD_VALUES: list[Any] = [
    ["x"],
    {"a": 1},
    10**30,
    -(10**40),
    1.5,
    float("nan"),
    float("inf"),
    True,
    False,
    None,
    "x" * 100_000,
    "a\x00b",
    "😀\u202eעברית",
]
BAD_BODIES: list[tuple[str | bytes, str]] = [
    ("{bad", "application/json"),
    ("[]", "application/json"),
    ('["a", 1]', "application/json"),
    ('"string"', "application/json"),
    ("42", "application/json"),
    ("1e400", "application/json"),
    ("null", "application/json"),
    ("true", "application/json"),
    (b"\xff\xfe\xfd", "application/json"),
    (b'{"name": "\xff"}', "application/json"),
    ('{"a": NaN}', "application/json"),
    ("[" * 5000 + "]" * 5000, "application/json"),
    ("", "application/json"),
    ("   ", "application/json"),
    (b"name=%ff%fe&email=\xff", "application/x-www-form-urlencoded"),
    ("name[]=a&name[x]=b&&=&%", "application/x-www-form-urlencoded"),
    ("--x\r\nnot multipart", "multipart/form-data; boundary=x"),
    ("{bad", "text/plain"),
]
BAD_QUERY_VALUES = ["-1", "0", "abc", str(10**9), "99999999999999999999", "1.5", "", "%00", "x" * 300, "xyz"]
BAD_QUERY_EXTRA: list[dict[str, Any]] = [
    {"from": "not-a-date"},
    {"to": "2025-13-45"},
    {"from": "2025-07-28T25:99:00Z"},
    {"cursor": "eyJub3QiOiAianNvbiJ9"},  # base64 of a JSON object that is no cursor
    {"cursor": "W10="},  # base64 of []
    {"cursor": "!!!"},
    {"after": "ffffffffffffffffffffffff"},
    {"page": ["1", "2"], "per_page": ["a", "b"]},
]
BAD_AUTH_HEADERS: list[dict[str, str]] = [
    {"Authorization": "Bearer"},
    {"Authorization": "Bearer "},
    {"Authorization": "Bearer a.b.c"},
    {"Authorization": "Bearer x|y"},
    {"Authorization": "Bearer 1|" + "a" * 40},
    {"Authorization": "Bearer 99999999999999999999|abc"},
    {"Authorization": "Bearer " + "x" * 300 + "|abc"},
    {"Authorization": "Bearer " + "x" * 10_000},
    {"Authorization": "Bearer " + "y" * 5000 + "|" + "z" * 5000},
    {"Authorization": "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0."},
    {"Authorization": "Basic YTpi"},
    {"Cookie": "jwt=garbage"},
    {"Cookie": "jwt=" + "x" * 4000},
    {"Cookie": "jwt=a.b.c; jwt=1|x"},
]


def surface_of(path: str) -> Surface:
    if path.startswith(("/api/docs", "/docs/")):
        return SURFACES["plain"]
    if path.startswith("/api/auth/"):
        return SURFACES["B"]
    if path.startswith("/api/v0/"):
        return SURFACES["E"]
    if path.startswith(("/api/v1/users/", "/api/v1/logs/", "/api/v1/groups")):
        return SURFACES["D"]
    if path.startswith("/api/v1/"):
        return SURFACES["A"]
    return SURFACES["C"]


def check_envelope(surface: Surface, response: ApiResponse, what: str, *, head: bool = False) -> None:
    assert response.status < 500, f"{what}: {response.status} {response.body[:500]}"
    for leak in LEAKS:
        assert leak not in response.body, f"{what}: {leak} in {response.body[:500]}"
    if not response.body:
        # HEAD answers carry no body; successes may be empty (204, redirects, E's password change).
        assert head or response.status < 400, f"{what}: {response.status} with an empty body"
        return
    if what.split()[1].startswith("/links/"):
        # The pages links in mail open: HTML, not an API envelope.
        assert response.headers["content-type"] == "text/html; charset=utf-8", what
        assert response.body.startswith("<!DOCTYPE html>"), what
        return
    if surface.name == "plain" and response.status < 400 and "json" not in response.headers["content-type"]:
        assert response.headers["content-type"] in DOCS_CONTENT_TYPES, what
        return
    try:
        body = json.loads(response.body)
    except ValueError:
        pytest.fail(f"{what}: not JSON: {response.status} {response.body[:300]}")
    if response.status < 400:
        return
    if surface.name in ("B", "plain"):
        ok = isinstance(body, dict) and isinstance(body.get("message"), str)
    elif surface.name == "A":
        ok = (
            isinstance(body, dict)
            and body.get("success") is False
            and isinstance(body.get("error"), dict)
            and isinstance(body["error"].get("message"), str)
        )
    elif surface.name in ("C", "D"):
        ok = isinstance(body, dict) and body.get("status") == "error" and isinstance(body.get("message"), str)
    else:
        ok = isinstance(body, dict) and (
            isinstance(body.get("error"), str) or isinstance(body.get("errors"), dict)
        )
    assert ok, f"{what}: {response.status} outside surface {surface.name}'s envelope: {response.body[:300]}"


def super_token(api: ApiClient) -> str:
    """Register and sign in the first user (the super): the module's seed."""
    assert api.post("/api/auth/register", json=SUPER).status == 200
    response = api.post("/api/auth/login", json={"email": SUPER["email"], "password": SUPER["password"]})
    assert response.status == 200, response.body
    token: str = response.json["access_token"]
    return token


def fill(route_path: str, value: str) -> str:
    return re.sub(r"\{[^}]+\}", value, route_path)


def plausible_path(route_path: str) -> str:
    """The route's path with ids that look right (user 1, a well-formed A id, id 1)."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(0)[1:-1]
        if name == "user":
            return A_USER_ONE
        if name in ("demand", "user_metum"):
            return "0123456789abcdef01234567"
        if name == "file":
            return "0" * 64 + ".png"
        if name == "surface":
            return "a"
        if name == "name":
            return "swagger-ui.css"
        return "1"

    return re.sub(r"\{[^}]+\}", replace, route_path)


def bodies(surface: Surface) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every bad value in every field at once, then each field alone (the others plausible)
    as null and as one of the wrong types, taken in turn so the battery stays short."""
    for bad in BAD_FIELD_VALUES:
        yield f"all fields {repr(bad)[:40]}", dict.fromkeys(surface.fields, bad)
    for index, name in enumerate(surface.fields):
        for bad in (None, BAD_FIELD_VALUES[index % len(BAD_FIELD_VALUES)]):
            yield f"{name}={repr(bad)[:40]}", {**surface.baseline, name: bad}


def queries(surface: Surface) -> Iterator[tuple[str, dict[str, Any]]]:
    for index, name in enumerate(surface.query):
        for offset in (0, 5):
            value = BAD_QUERY_VALUES[(index + offset) % len(BAD_QUERY_VALUES)]
            yield f"{name}={value[:20]}", {name: value}
    for query in BAD_QUERY_EXTRA:
        yield str(query)[:60], query


def route_id(route: Route) -> str:
    return route.key


def all_routes() -> list[Route]:
    """Every route a function declares; the catch-all (`ANY /{proxy+}`) is swept over every
    surface's paths in test_http_edge.py."""
    return [route for route in routes(load_template()) if route.method != "ANY"]


@pytest.mark.parametrize("route", all_routes(), ids=route_id)
def test_bad_input_never_gets_a_500(
    api: ApiClient, api_routes: list[Route], route: Route, unthrottled: None, seeded_once: SeedOnce[str]
) -> None:
    # Unthrottled: the battery sends more than the rate limit's 60 a minute, and a 429 would
    # stand in for the very answer checked here (the limit's own answers: test_http_edge.py).
    surface = surface_of(route.path)
    token = seeded_once(super_token)
    method = route.method
    path = plausible_path(route.path)
    failures: list[str] = []

    def call(
        what: str, *, headers: dict[str, str] | None = None, authed: bool = True, **options: Any
    ) -> ApiResponse:
        all_headers = {**(bearer(token) if authed else {}), **(headers or {})}
        response = api.request(method, options.pop("path", path), headers=all_headers, **options)
        label = f"{route.key} {'authed' if authed else 'anonymous'} {what}"
        try:
            check_envelope(surface, response, label, head=method == "HEAD")
        except AssertionError as failure:
            failures.append(str(failure).splitlines()[0])
        return response

    # Routes that read a body answer 400 to one that is not JSON; the others ignore bodies.
    body_read = method in WRITES and call("body probe {bad", body="{bad").status == 400

    # Authentication is one dependency per function: the whole header battery runs on each
    # function's first route, a sample of it on the others.
    first_of_function = route == next(r for r in api_routes if r.function_id == route.function_id)
    for headers in BAD_AUTH_HEADERS if first_of_function else BAD_AUTH_HEADERS[::4]:
        call(f"headers={str(headers)[:60]}", headers=headers, authed=False)
    if route.path.startswith("/api/v0/"):
        for app_token in ("garbage", "x" * 5000, "", "\x7f"):
            call(f"x-app-token={app_token[:10]!r}", headers={"x-app-token": app_token})
    for authed in (True, False):
        if "{" in route.path:
            for value in BAD_PATH_VALUES:
                call(f"path={value[:20]}", path=fill(route.path, value), authed=authed)
        if body_read:
            for raw, content_type in BAD_BODIES:
                headers = {"Content-Type": content_type}
                call(f"body={raw[:20]!r} ({content_type})", body=raw, headers=headers, authed=authed)
            # Once per route: anonymously on the sign-up/sign-in routes, signed in elsewhere
            # (anonymous calls stop at authentication there).
            if authed != (route.path in PUBLIC_BODY_ROUTES):
                for what, payload in bodies(surface):
                    call(f"json {what}", json=payload, authed=authed)
        if method == "GET" and "{" not in route.path:  # lists and lookups read query strings
            for what, query in queries(surface):
                call(f"query {what}", query=query, authed=authed)
    assert not failures, f"{len(failures)} bad answers:\n" + "\n".join(failures[:30])


PUBLIC_BODY_ROUTES = {
    "/api/auth/register",
    "/api/auth/login",
    "/api/v1/register",
    "/api/v1/login",
    "/api/v1/recover",
    "/api/v1/reset",
    "/api/login",
    "/api/v1/users/new_user",
    "/api/v0/users",
    "/api/v0/tokens",
}
