"""The HTTP edge, on every surface: CORS for browser clients on another origin, the three body
formats, where each surface reads its token, unknown paths and wrong methods, the Laravel
surfaces' rate limit, trailing slashes and the security headers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from gatehouse import clock
from gatehouse.services import sessions
from gatehouse.web import throttle
from gatehouse_local.apigw import build_event, match_route, proxy_response
from gatehouse_local.lambda_runtime import invoke
from gatehouse_local.template import Route, load_template, routes
from gatehouse_local.testing import ApiClient, ApiResponse, CallCounter, bearer, multipart

SPA = "http://localhost:5173"  # admitted by the local default, http://localhost:*
STRANGER = "https://evil.example"
PASSWORD = "correct-horse-1"
ALLOWED_HEADERS = (
    "Authorization",
    "Content-Type",
    "Accept",
    "X-Device-Id",
    "x-app-token",
    "X-Requested-With",
)


def b_user(n: int = 1) -> dict[str, Any]:
    return {
        "username": f"user{n}",
        "password": PASSWORD,
        "email": f"user{n}@example.com",
        "sex": 0,
        "age": 30,
    }


def sign_up_b(api: ApiClient, n: int = 1) -> str:
    assert api.post("/api/auth/register", json=b_user(n)).status == 200
    response = api.post("/api/auth/login", json={"email": f"user{n}@example.com", "password": PASSWORD})
    assert response.status == 200, response.body
    token: str = response.json["access_token"]
    return token


def sign_in_c(api: ApiClient, n: int = 1) -> str:
    response = api.post("/api/login", json={"email": f"user{n}@example.com", "password": PASSWORD})
    assert response.status == 200, response.body
    token: str = response.json["data"]["token"]
    return token


@pytest.fixture
def token(api: ApiClient) -> str:
    return sign_up_b(api)


def declared_routes() -> list[Route]:
    return [route for route in routes(load_template()) if route.method != "ANY"]


def concrete(path: str) -> str:
    return "/".join("1" if part.startswith("{") else part for part in path.split("/"))


# ---- CORS ----


@pytest.mark.parametrize("route", declared_routes(), ids=lambda route: route.key)
def test_a_preflight_on_every_route_answers_204_for_a_listed_origin(api: ApiClient, route: Route) -> None:
    response = api.options(
        concrete(route.path),
        headers={
            "Origin": SPA,
            "Access-Control-Request-Method": route.method,
            "Access-Control-Request-Headers": "authorization,content-type,x-device-id",
        },
    )

    assert response.status == 204, response.body
    assert response.headers["access-control-allow-origin"] == SPA
    assert response.headers["access-control-allow-credentials"] == "true"
    assert route.method in response.headers["access-control-allow-methods"].split(", ")
    allowed_headers = response.headers["access-control-allow-headers"].split(", ")
    assert all(name in allowed_headers for name in ALLOWED_HEADERS)
    assert response.headers["vary"] == "Origin"
    assert response.body == ""


def test_a_preflight_from_an_unlisted_origin_gets_no_grant(api: ApiClient) -> None:
    response = api.options(
        "/api/auth/login", headers={"Origin": STRANGER, "Access-Control-Request-Method": "POST"}
    )

    assert response.status == 204
    assert "access-control-allow-origin" not in response.headers
    assert "access-control-allow-credentials" not in response.headers


def test_a_plain_options_request_lists_the_allowed_methods(api: ApiClient) -> None:
    response = api.options("/api/auth/me")

    assert response.status == 204
    assert response.headers["allow"] == "GET, POST, OPTIONS"


def _answers_of_every_kind(api: ApiClient, token: str) -> Iterator[tuple[str, ApiResponse]]:
    origin = {"Origin": SPA}
    yield "200", api.get("/api/auth/me", headers={**origin, **bearer(token)})
    yield "401", api.get("/api/auth/me", headers=origin)
    yield "422", api.post("/api/auth/register", json={}, headers=origin)
    yield (
        "400",
        api.post("/api/auth/login", body="{bad", headers={**origin, "Content-Type": "application/json"}),
    )
    yield "404", api.get("/api/organizations/nope/at/all", headers=origin)
    yield "405", api.delete("/api/auth/login", headers=origin)
    yield "C 401", api.get("/api/organizations", headers=origin)
    yield "E 401", api.get("/api/v0/tokens/validate", headers=origin)
    yield "D 401", api.get("/api/v1/users/current", headers=origin)
    yield "A 401", api.get("/api/v1/user", headers=origin)


def test_every_answer_errors_included_carries_the_origin_grant(api: ApiClient, token: str) -> None:
    for kind, response in _answers_of_every_kind(api, token):
        assert response.headers.get("access-control-allow-origin") == SPA, (kind, response.headers)
        assert response.headers.get("access-control-allow-credentials") == "true", kind
        assert "Origin" in response.headers.get("vary", ""), kind


def test_an_unexpected_error_carries_the_origin_grant_too(
    api: ApiClient, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(token: str) -> sessions.Principal:
        raise RuntimeError("the store is on fire")

    monkeypatch.setattr(sessions, "authenticate", broken)

    response = api.get("/api/auth/me", headers={"Origin": SPA, **bearer(token)})

    assert response.status == 500
    assert response.json["message"] == "Server Error"
    assert "fire" not in response.body
    assert response.headers["access-control-allow-origin"] == SPA


def test_an_unlisted_origin_gets_the_answer_but_no_grant(api: ApiClient, token: str) -> None:
    response = api.get("/api/auth/me", headers={"Origin": STRANGER, **bearer(token)})

    assert response.status == 200
    assert "access-control-allow-origin" not in response.headers
    assert "Origin" in response.headers["vary"]


# ---- body formats ----

FORMATS = ("json", "urlencoded", "multipart")


def send(
    api: ApiClient, method: str, path: str, fields: dict[str, Any], form: str, **options: Any
) -> ApiResponse:
    if form == "json":
        return api.request(method, path, json=fields, **options)
    if form == "urlencoded":
        return api.request(method, path, data={name: str(value) for name, value in fields.items()}, **options)
    body, content_type = multipart({name: str(value) for name, value in fields.items()})
    headers = {**(options.pop("headers", None) or {}), "Content-Type": content_type}
    return api.request(method, path, body=body, headers=headers, **options)


@pytest.mark.parametrize("form", FORMATS)
def test_every_surface_signs_up_and_in_with_each_body_format(api: ApiClient, form: str) -> None:
    b = send(api, "POST", "/api/auth/register", b_user(1), form)
    assert (b.status, b.json) == (200, {"message": "注册成功"})
    assert (
        send(
            api, "POST", "/api/auth/login", {"email": "user1@example.com", "password": PASSWORD}, form
        ).status
        == 200
    )

    a = send(
        api,
        "POST",
        "/api/v1/register",
        {"name": "Ann", "surname": "Lee", "email": "a@example.com", "password": PASSWORD},
        form,
    )
    assert a.status == 200, a.body
    assert (
        send(api, "POST", "/api/v1/login", {"email": "a@example.com", "password": PASSWORD}, form).status
        == 200
    )

    assert (
        send(api, "POST", "/api/login", {"email": "a@example.com", "password": PASSWORD}, form).status == 200
    )

    e = send(
        api, "POST", "/api/v0/users", {"login": "eve", "password": PASSWORD, "email": "e@example.com"}, form
    )
    assert e.status == 201, e.body
    assert send(api, "POST", "/api/v0/tokens", {"login": "eve", "password": PASSWORD}, form).status == 201
    assert (
        send(api, "POST", "/api/v0/tokens", {"email": "e@example.com", "password": PASSWORD}, form).status
        == 201
    )


@pytest.mark.parametrize("form", FORMATS)
def test_validation_answers_the_same_in_every_body_format(api: ApiClient, form: str) -> None:
    response = send(
        api, "POST", "/api/auth/register", {**b_user(2), "email": "not-an-email", "age": "old"}, form
    )

    assert response.status == 422
    assert response.json["errors"] == {
        "email": ["The email must be a valid email address."],
        "age": ["The age must be an integer."],
    }


@pytest.mark.parametrize("form", ["urlencoded", "multipart"])
def test_an_authenticated_update_accepts_a_form(api: ApiClient, token: str, form: str) -> None:
    response = send(
        api, "POST", "/api/v1/demand", {"name": "Chairs", "description": "Six", "responsible_id": 1}, form,
        headers=bearer(token),
    )  # fmt: skip

    assert response.status == 201, response.body
    assert response.json["responsible_id"] == 1


def test_a_multipart_body_that_cannot_be_parsed_is_a_bad_request(api: ApiClient) -> None:
    response = api.post(
        "/api/auth/login",
        body="--x\r\nnot multipart",
        headers={"Content-Type": "multipart/form-data; boundary=x"},
    )

    assert response.status == 400
    assert response.json == {"message": "The request body is not valid JSON."}


# ---- where the token is read ----


def _b_me(api: ApiClient, **options: Any) -> int:
    return api.get("/api/auth/me", **options).status


def _a_users(api: ApiClient, **options: Any) -> int:
    return api.get("/api/v1/user", **options).status


@pytest.mark.parametrize("read", [_b_me, _a_users], ids=["B", "A"])
def test_a_and_b_read_the_token_from_the_query_the_body_and_the_cookie(
    api: ApiClient, token: str, read: Any
) -> None:
    assert read(api, headers=bearer(token)) == 200
    assert read(api, query={"token": token}) == 200
    assert read(api, cookies={"token": token}) == 200
    assert api.post("/api/auth/me", json={"token": token}).status == 200
    assert api.post("/api/auth/me", data={"token": token}).status == 200


def test_the_first_place_a_token_is_found_decides_as_in_jwt_auth(api: ApiClient, token: str) -> None:
    assert _b_me(api, headers=bearer("not.a.token"), query={"token": token}) == 401
    assert _b_me(api, query={"token": token}, cookies={"token": "not.a.token"}) == 200


def test_a_logout_with_a_query_token_signs_that_token_out(api: ApiClient) -> None:
    api.post(
        "/api/v1/register",
        json={"name": "Ann", "surname": "Lee", "email": "ann@example.com", "password": PASSWORD},
    )
    login = api.post("/api/v1/login", json={"email": "ann@example.com", "password": PASSWORD})
    token = login.json["data"]["token"]

    response = api.get("/api/v1/logout", query={"token": token})

    assert response.status == 200, response.body
    assert response.json["success"] is True
    assert _a_users(api, headers=bearer(token)) == 401


def test_a_cookie_token_does_not_authenticate_a_cross_site_form_post(api: ApiClient, token: str) -> None:
    assert api.post("/api/auth/me", data={"x": "1"}, cookies={"token": token}).status == 401
    assert api.post("/api/auth/me", json={"x": "1"}, cookies={"token": token}).status == 200


def test_c_and_d_read_the_token_from_the_header_only(api: ApiClient, token: str) -> None:
    c_token = sign_in_c(api)
    for path in ("/api/organizations", "/api/v1/users/current"):
        assert api.get(path, headers=bearer(c_token)).status == 200, path
        assert api.get(path, query={"token": c_token}).status == 401, path
        assert api.get(path, cookies={"token": c_token}).status == 401, path


def test_e_reads_the_jwt_cookie_only_without_an_authorization_header(api: ApiClient, token: str) -> None:
    assert api.get("/api/v0/tokens/validate", cookies={"jwt": token}).status == 200
    assert api.get("/api/v0/tokens/validate", query={"token": token}).status == 401
    assert (
        api.get(
            "/api/v0/tokens/validate", headers={"Authorization": "Basic x"}, cookies={"jwt": token}
        ).status
        == 401
    )


# ---- unknown paths and wrong methods ----


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/auth/nothing", {"message": "404 Not Found. 不存在的路径"}),
        (
            "/api/nothing/here",
            {"status": "error", "message": "The route api/nothing/here could not be found."},
        ),
        ("/api", {"status": "error", "message": "The route api could not be found."}),
        ("/api/v1/nothing", {"success": False, "error": {"code": 404, "message": "Not found"}}),
        ("/api/v1/users/nothing/here", {"status": "error", "message": "Not found"}),
        ("/api/v0/nothing", {"errors": {"detail": "Not Found"}}),
        ("/", {"message": "Not found."}),
        ("/favicon.ico", {"message": "Not found."}),
    ],
)
def test_an_unknown_path_answers_404_in_its_surfaces_envelope(
    api: ApiClient, path: str, expected: dict[str, Any]
) -> None:
    for method in ("GET", "POST", "DELETE"):
        response = api.request(method, path, headers={"Origin": SPA})
        assert response.status == 404, (method, path, response.body)
        assert response.json == expected
        assert response.headers["access-control-allow-origin"] == SPA


@pytest.mark.parametrize(
    ("method", "path", "allow", "expected"),
    [
        ("GET", "/api/auth/login", "POST", {"message": "The GET method is not supported for this route. Supported methods: POST."}),
        ("PATCH", "/api/organizations/1", "DELETE, GET, PUT", {"status": "error", "message": "The PATCH method is not supported for route api/organizations/1. Supported methods: DELETE, GET, PUT."}),
        ("POST", "/api/v1/user/1", "DELETE, GET, HEAD, PATCH, PUT", {"success": False, "error": {"code": 405, "message": "Method not allowed"}}),
        ("POST", "/api/v1/users/list", "GET", {"status": "error", "message": "Method not allowed"}),
        ("GET", "/api/v0/users", "PATCH, POST", {"errors": {"detail": "Method Not Allowed"}}),
    ],
)  # fmt: skip
def test_a_known_path_with_another_method_answers_405_with_allow(
    api: ApiClient, method: str, path: str, allow: str, expected: dict[str, Any]
) -> None:
    response = api.request(method, path)

    assert response.status == 405, response.body
    assert response.headers["allow"] == allow
    assert response.json == expected


BAD_HEADERS = [
    {},
    {"Authorization": "Bearer garbage"},
    {"Authorization": "Bearer " + "x" * 5000},
    {"Cookie": "jwt=a.b.c; token=1|x"},
    {"Content-Type": "multipart/form-data; boundary=x"},
    {"Content-Type": "application/x-www-form-urlencoded"},
]


@pytest.mark.parametrize(
    "path", ["/", "/api", "/api/auth/x", "/api/v0/x/y", "/api/v1/x", "/api/v1/users/x/y/z", "/api/%00/..%2f"]
)
def test_the_catch_all_never_answers_500_whatever_the_input(api: ApiClient, path: str, token: str) -> None:
    for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
        for headers in [*BAD_HEADERS, bearer(token)]:
            response = api.request(method, path, headers=headers, body='{"a": [[[[')
            assert response.status < 500, (method, path, headers, response.body)
            if method not in ("HEAD", "OPTIONS"):
                assert isinstance(response.json, dict), (method, path, response.body)


# ---- trailing slashes ----


def test_a_trailing_slash_reaches_the_same_route(api: ApiClient, token: str) -> None:
    assert (
        api.get("/api/auth/me/", headers=bearer(token)).json
        == api.get("/api/auth/me", headers=bearer(token)).json
    )
    listed = api.get("/api/v1/user/", headers=bearer(token))
    assert listed.status == 200
    assert isinstance(listed.json, list)
    login = api.post("/api/auth/login/", json={"email": "user1@example.com", "password": PASSWORD})
    assert login.status == 200


# ---- rate limit ----


@pytest.fixture
def frozen_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """All requests of a test fall into one rate-limit window (no minute rolls over mid-test)."""
    moment = clock.epoch_ms()
    monkeypatch.setattr(clock, "epoch_ms", lambda: moment)


@pytest.mark.usefixtures("frozen_window")
def test_past_60_requests_a_minute_a_user_gets_429_with_retry_after(api: ApiClient, token: str) -> None:
    # Signing up and in counted against the source IP; requests with the token count against its user.
    remaining = [
        api.get("/api/auth/me", headers=bearer(token)).headers["x-ratelimit-remaining"] for _ in range(60)
    ]
    assert remaining == [str(n) for n in range(59, -1, -1)]

    refused = api.get("/api/auth/me", headers={"Origin": SPA, **bearer(token)})

    assert refused.status == 429
    assert refused.json == {"message": "Too Many Attempts."}
    assert refused.headers["x-ratelimit-limit"] == "60"
    assert refused.headers["x-ratelimit-remaining"] == "0"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.headers["access-control-allow-origin"] == SPA
    # Another user, and the same user elsewhere on the API, are not held back.
    other = sign_up_b(api, 2)
    assert api.get("/api/auth/me", headers=bearer(other)).status == 200
    assert api.get("/api/v0/tokens/validate", headers=bearer(token)).status == 200


@pytest.mark.usefixtures("frozen_window")
def test_anonymous_requests_are_limited_per_source_ip(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(throttle, "_limit", 3)
    wrong = {"email": "nobody@example.com", "password": "wrong-password"}
    statuses = [api.post("/api/auth/login", json=wrong, source_ip="198.51.100.1").status for _ in range(4)]

    assert statuses == [401, 401, 401, 429]
    assert api.post("/api/auth/login", json=wrong, source_ip="198.51.100.2").status == 401


@pytest.mark.usefixtures("frozen_window")
def test_what_no_route_serves_is_counted_only_where_the_original_counted_it(
    api: ApiClient, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A's and C's originals refuse an unknown path or method before any route middleware (their
    rate limit): not counted, no rate-limit headers. B's answers its unknown paths from a
    catch-all route inside its throttled group: counted, with the headers, and refused past it."""
    monkeypatch.setattr(throttle, "_limit", 3)
    a_and_c = [api.get("/api/v1/no-such-route", headers=bearer(token)) for _ in range(4)]
    a_and_c += [api.delete("/api/v1/user", headers=bearer(token)) for _ in range(2)]
    a_and_c += [api.get("/api/no-such-route", source_ip="198.51.100.9") for _ in range(4)]
    assert [r.status for r in a_and_c] == [404] * 4 + [405] * 2 + [404] * 4
    assert not [r for r in a_and_c if "x-ratelimit-limit" in r.headers]
    assert api.get("/api/v1/user", headers=bearer(token)).headers["x-ratelimit-remaining"] == "2"

    b = [api.get("/api/auth/no-such-route", source_ip="198.51.100.10") for _ in range(4)]
    assert [r.status for r in b] == [404, 404, 404, 429]
    assert [r.headers.get("x-ratelimit-remaining") for r in b[:3]] == ["2", "1", "0"]
    assert b[3].json == {"message": "Too Many Attempts."}


@pytest.mark.usefixtures("frozen_window")
def test_a_and_c_are_limited_in_their_envelopes_and_d_and_e_are_not(
    api: ApiClient, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(throttle, "_limit", 3)
    c_token = sign_in_c(api)  # the 3rd request of this IP; the token's user has a window of its own
    calls: dict[str, Callable[[], ApiResponse]] = {
        "A": lambda: api.get("/api/v1/user", headers=bearer(token)),
        "C": lambda: api.get("/api/organizations", headers=bearer(c_token)),
        "D": lambda: api.get("/api/v1/users/current", headers=bearer(token)),
        "E": lambda: api.get("/api/v0/tokens/validate", headers=bearer(token)),
    }
    answers = {surface: [call() for _ in range(4)] for surface, call in calls.items()}

    assert [r.status for r in answers["A"]] == [200, 200, 200, 429]
    assert answers["A"][3].json == {"success": False, "error": {"code": 429, "message": "Too Many Attempts."}}
    # A and C count the same user: A used up this minute's three.
    assert [r.status for r in answers["C"]] == [429, 429, 429, 429]
    assert answers["C"][0].json == {"status": "error", "message": "Too Many Attempts."}
    assert [r.status for r in answers["D"]] == [200] * 4
    assert [r.status for r in answers["E"]] == [200] * 4
    assert "x-ratelimit-limit" not in answers["E"][0].headers


def test_the_rate_limit_costs_one_dynamodb_call_per_request(
    api: ApiClient, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def calls_of_one_request() -> int:
        counter = CallCounter()
        with counter.installed():
            assert api.get("/api/auth/me", headers=bearer(token)).status == 200
        return counter.calls

    calls_of_one_request()  # the first request of a session also records the user's activity
    limited = calls_of_one_request()
    monkeypatch.setattr(throttle, "_limit", 0)
    unlimited = calls_of_one_request()

    assert limited == unlimited + 1


# ---- security headers ----


def test_token_answers_are_never_cached_and_never_sniffed(api: ApiClient, token: str) -> None:
    answers = [
        api.post("/api/auth/login", json={"email": "user1@example.com", "password": PASSWORD}),
        api.post("/api/auth/refresh", headers=bearer(token)),
        api.post("/api/v0/tokens", json={"login": "user1", "password": PASSWORD}),
        api.post("/api/login", json={"email": "user1@example.com", "password": PASSWORD}),
        api.get("/api/auth/me", headers=bearer(token)),
        api.get("/api/nothing"),
    ]
    for response in answers:
        assert response.status < 500, response.body
        assert response.headers["cache-control"] == "no-store", response.body
        assert response.headers["x-content-type-options"] == "nosniff"


def _invoke(api_routes: list[Route], method: str, path: str, forwarded_proto: str) -> dict[str, str]:
    matched = match_route(api_routes, method, path)
    assert matched is not None
    event = build_event(matched[0], method=method, path=path, forwarded_proto=forwarded_proto)
    response = proxy_response(invoke(matched[0], event), "request-id")
    return {name.lower(): value for name, value in response.headers}


def test_hsts_is_sent_over_https_only(api: ApiClient, api_routes: list[Route]) -> None:
    over_https = _invoke(api_routes, "GET", "/api/auth/me", "https")
    over_http = _invoke(api_routes, "GET", "/api/auth/me", "http")

    assert over_https["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert "strict-transport-security" not in over_http


def test_no_origin_means_no_cors_headers(api: ApiClient, token: str) -> None:
    response = api.get("/api/auth/me", headers=bearer(token))

    assert not any(name.startswith("access-control-") for name in response.headers)
    assert json.loads(response.body)["email"] == "user1@example.com"
