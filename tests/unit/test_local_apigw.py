"""gatehouse_local.apigw: API Gateway REST routing, proxy events and responses."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gatehouse_local.apigw import (
    MISSING_AUTHENTICATION_TOKEN,
    MalformedProxyResponse,
    RouteTable,
    allowed_methods,
    build_event,
    gateway_error,
    match_route,
    path_parameters,
    proxy_response,
)
from gatehouse_local.events import EVENTS_DIR, event_files, sample_event
from gatehouse_local.template import Route, load_template, routes


def route(method: str, path: str, function_id: str = "Fn") -> Route:
    return Route(
        method=method, path=path, function_id=function_id, code_uri=Path("/nowhere"), handler="app.handler"
    )


ROUTES = [
    route("POST", "/api/auth/login"),
    route("GET", "/api/auth/me"),
    route("POST", "/api/auth/me"),
    route("GET", "/api/v1/user/{id}"),
    route("GET", "/api/v1/user/current"),
    route("ANY", "/api/v1/user/{id}/avatar"),
    route("PUT", "/api/v1/user/{id}/avatar"),
    route("GET", "/files/{proxy+}"),
    route("HEAD", "/health"),
    route("GET", "/health"),
]


def test_route_matching_extracts_path_parameters() -> None:
    matched = match_route(ROUTES, "get", "/api/v1/user/42")
    assert matched is not None
    found, parameters = matched
    assert (found.method, found.path) == ("GET", "/api/v1/user/{id}")
    assert parameters == {"id": "42"}
    assert path_parameters("/api/v1/user/{id}", "/api/v1/user/42/extra") is None


# Measured on API Gateway (REST): routing resolves the (resource, method) pair, so a method
# the most specific resource lacks falls through to a less specific resource that has it.
FALLBACK_ROUTES = [
    route("PATCH", "/users/me", "Me"),
    route("GET", "/users/{id}", "User"),
    route("GET", "/things/real", "Things"),
    route("ANY", "/{proxy+}", "Fallback"),
]


@pytest.mark.parametrize(
    ("method", "path", "function_id"),
    [
        ("PATCH", "/users/me", "Me"),
        ("GET", "/users/me", "User"),
        ("GET", "/things/real", "Things"),
        ("POST", "/things/real", "Fallback"),
        ("OPTIONS", "/users/me", "Fallback"),
        ("GET", "/nowhere/at/all", "Fallback"),
    ],
)
def test_a_method_the_specific_resource_lacks_falls_through_to_a_less_specific_one(
    method: str, path: str, function_id: str
) -> None:
    matched = match_route(FALLBACK_ROUTES, method, path)
    assert matched is not None
    assert matched[0].function_id == function_id


def test_literal_segment_wins_over_parameter() -> None:
    matched = match_route(ROUTES, "GET", "/api/v1/user/current")
    assert matched is not None
    assert matched[0].path == "/api/v1/user/current"
    assert matched[1] == {}


def test_greedy_proxy_takes_the_remaining_segments() -> None:
    matched = match_route(ROUTES, "GET", "/files/a/b/c.txt")
    assert matched is not None
    assert matched[1] == {"proxy": "a/b/c.txt"}
    assert match_route(ROUTES, "GET", "/files") is None


def test_exact_method_wins_over_any() -> None:
    put = match_route(ROUTES, "PUT", "/api/v1/user/7/avatar")
    delete = match_route(ROUTES, "DELETE", "/api/v1/user/7/avatar")
    assert put is not None
    assert delete is not None
    assert put[0].method == "PUT"
    assert delete[0].method == "ANY"


def test_head_matches_a_declared_head_route_only() -> None:
    head = match_route(ROUTES, "HEAD", "/health")
    assert head is not None
    assert head[0].method == "HEAD"
    assert match_route(ROUTES, "HEAD", "/api/auth/me") is None


def test_trailing_slash_matches_the_same_resource() -> None:
    matched = match_route(ROUTES, "POST", "/api/auth/login/")
    assert matched is not None
    assert matched[0].path == "/api/auth/login"


def test_allowed_methods_tell_a_wrong_method_from_an_unknown_path() -> None:
    assert match_route(ROUTES, "DELETE", "/api/auth/me") is None
    assert allowed_methods(ROUTES, "/api/auth/me") == {"GET", "POST"}
    assert allowed_methods(ROUTES, "/api/nothing") == frozenset()


def test_event_has_api_gateway_proxy_shape() -> None:
    moment = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
    event = build_event(
        ROUTES[3],
        method="get",
        path="/api/v1/user/42",
        headers={"Accept": "application/json", "User-Agent": "probe/1"},
        source_ip="198.51.100.7",
        stage="local",
        request_id="rid-1",
        request_time=moment,
    )
    assert set(event) == {
        "resource",
        "path",
        "httpMethod",
        "headers",
        "multiValueHeaders",
        "queryStringParameters",
        "multiValueQueryStringParameters",
        "pathParameters",
        "stageVariables",
        "requestContext",
        "body",
        "isBase64Encoded",
    }
    assert event["resource"] == "/api/v1/user/{id}"
    assert event["path"] == "/api/v1/user/42"
    assert event["httpMethod"] == "GET"
    assert event["pathParameters"] == {"id": "42"}
    assert event["stageVariables"] == {"stage": "local"}
    assert event["body"] is None
    assert event["isBase64Encoded"] is False
    assert event["headers"]["Accept"] == "application/json"
    assert event["multiValueHeaders"]["Accept"] == ["application/json"]
    context = event["requestContext"]
    assert context["resourcePath"] == "/api/v1/user/{id}"
    assert context["httpMethod"] == "GET"
    assert context["path"] == "/local/api/v1/user/42"
    assert context["stage"] == "local"
    assert context["requestId"] == "rid-1"
    assert context["requestTimeEpoch"] == int(moment.timestamp() * 1000)
    assert context["requestTime"] == "04/Mar/2025:05:06:07 +0000"
    assert context["protocol"] == "HTTP/1.1"
    assert len(context["resourceId"]) == 6
    assert context["accountId"]
    assert context["apiId"]
    assert context["identity"]["sourceIp"] == "198.51.100.7"
    assert context["identity"]["userAgent"] == "probe/1"
    json.dumps(event)


def test_event_without_query_or_path_parameters_uses_null() -> None:
    event = build_event(ROUTES[0], method="POST", path="/api/auth/login", body="{}")
    assert event["queryStringParameters"] is None
    assert event["multiValueQueryStringParameters"] is None
    assert event["pathParameters"] is None
    assert event["body"] == "{}"


def test_event_keeps_every_value_of_repeated_query_parameters_and_headers() -> None:
    event = build_event(
        ROUTES[1],
        method="GET",
        path="/api/auth/me",
        headers=[("Cookie", "a=1"), ("X-Tag", "one"), ("x-tag", "two")],
        query="tag=a&tag=b%20c&empty=",
    )
    assert event["queryStringParameters"] == {"tag": "b c", "empty": ""}
    assert event["multiValueQueryStringParameters"] == {"tag": ["a", "b c"], "empty": [""]}
    assert event["headers"]["X-Tag"] == "two"
    assert event["multiValueHeaders"]["X-Tag"] == ["one", "two"]


def test_binary_body_is_base64_encoded() -> None:
    event = build_event(ROUTES[0], method="POST", path="/api/auth/login", body=b"\xff\x00\xfe")
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\xff\x00\xfe"
    text = build_event(ROUTES[0], method="POST", path="/api/auth/login", body="привет".encode())
    assert text["isBase64Encoded"] is False
    assert text["body"] == "привет"


def test_forwarded_headers_are_set_like_api_gateway() -> None:
    event = build_event(
        ROUTES[0],
        method="POST",
        path="/api/auth/login",
        headers={"X-Forwarded-For": "10.1.1.1", "X-Forwarded-Proto": "ftp"},
        source_ip="203.0.113.5",
    )
    headers = event["headers"]
    assert headers["X-Forwarded-For"] == "10.1.1.1, 203.0.113.5"
    assert headers["X-Forwarded-Proto"] == "https"
    assert headers["X-Forwarded-Port"] == "443"
    assert headers["Host"].endswith(".amazonaws.com")


def test_proxy_response_merges_headers_and_multi_value_headers() -> None:
    response = proxy_response(
        {
            "statusCode": 201,
            "headers": {"content-type": "application/json", "set-cookie": "a=1"},
            "multiValueHeaders": {"set-cookie": ["a=1", "b=2"]},
            "body": '{"ok":true}',
            "isBase64Encoded": False,
        },
        "rid",
    )
    assert response.status == 201
    assert [value for name, value in response.headers if name == "set-cookie"] == ["a=1", "b=2"]
    assert response.header("Content-Type") == "application/json"
    assert response.header("x-amzn-requestid") == "rid"
    assert response.body == b'{"ok":true}'


def test_proxy_response_decodes_a_base64_body() -> None:
    response = proxy_response(
        {"statusCode": 200, "body": base64.b64encode(b"\x00\x01").decode(), "isBase64Encoded": True}, "rid"
    )
    assert response.body == b"\x00\x01"


@pytest.mark.parametrize(
    "result",
    [None, {"body": "x"}, {"statusCode": 200, "body": {"not": "a string"}}, {"statusCode": "abc"}],
)
def test_malformed_proxy_response_is_rejected(result: object) -> None:
    with pytest.raises(MalformedProxyResponse):
        proxy_response(result, "rid")


def test_gateway_error_is_api_gateways_missing_token_answer() -> None:
    response = gateway_error(MISSING_AUTHENTICATION_TOKEN, "rid")
    assert response.status == 403
    assert json.loads(response.body) == {"message": "Missing Authentication Token"}
    assert response.header("x-amzn-ErrorType") == "MissingAuthenticationTokenException"


def test_sample_events_are_stable_for_sam_local_invoke() -> None:
    login = next(item for item in routes(load_template()) if item.path == "/api/auth/login")
    event = sample_event(login)
    assert event == sample_event(login)
    assert json.loads(event["body"]) == {"email": "me@example.com", "password": "12345678"}
    assert "Authorization" not in event["headers"]


def test_committed_sample_events_match_the_template() -> None:
    files = event_files(routes(load_template()), EVENTS_DIR)
    stale = [
        path.name for path, text in files.items() if not path.exists() or path.read_text("utf-8") != text
    ]
    assert stale == [], "run `python -m gatehouse_local.events` (make events) to regenerate"


def _resources_walked(routes_: list[Route], path: str) -> list[tuple[str, dict[str, str]]]:
    """API Gateway's walk, spelled out: every resource matching ``path``, the most specific
    first (a literal segment before a parameter before a greedy one)."""
    found = []
    for resource_path in dict.fromkeys(item.path for item in routes_):
        parameters = path_parameters(resource_path, path)
        if parameters is not None:
            specificity = tuple(
                2 if segment.endswith("+}") else 1 if segment.startswith("{") else 0
                for segment in resource_path.split("/")
                if segment
            )
            found.append((specificity, resource_path, parameters))
    return [
        (resource_path, parameters)
        for _, resource_path, parameters in sorted(found, key=lambda each: each[:2])
    ]


def _walked(routes_: list[Route], method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    for resource_path, parameters in _resources_walked(routes_, path):
        on_resource = [item for item in routes_ if item.path == resource_path]
        for candidate in (method.upper(), "ANY"):
            for item in on_resource:
                if item.method == candidate:
                    return item, parameters
    return None


def test_the_route_table_resolves_every_template_path_as_the_walk_does() -> None:
    template_routes = routes(load_template())
    table = RouteTable(template_routes)
    paths = {
        item.path.replace("{proxy+}", "a/b/c").replace("{", "").replace("}", "") for item in template_routes
    }
    paths |= {item.path.replace("{proxy+}", "x").replace("{id}", "current") for item in template_routes}
    paths |= {"/", "/api", "/api/auth/me/", "//api//auth//me", "/no/such/path", "/api/v1/user/42/extra"}
    assert len(paths) > 20
    for path in sorted(paths):
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"):
            assert table.match(method, path) == _walked(template_routes, method, path), (method, path)
        resources = _resources_walked(template_routes, path)
        expected = {item.method for item in template_routes if resources and item.path == resources[0][0]}
        assert table.allowed_methods(path) == expected, path
