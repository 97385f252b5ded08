"""API Gateway REST API behaviour for Lambda proxy integrations (payload format 1.0).

Routing picks a resource the way API Gateway walks its resource tree (a literal
segment beats ``{param}``, which beats ``{proxy+}``), then the method on that
resource (the exact method, else ``ANY``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl

from gatehouse_local.template import PSEUDO_PARAMETERS, Route

LOCAL_STAGE = "local"
LOCAL_API_ID = "localapi00"
REGION = PSEUDO_PARAMETERS["AWS::Region"]
ACCOUNT_ID = PSEUDO_PARAMETERS["AWS::AccountId"]
LOCAL_DOMAIN = f"{LOCAL_API_ID}.execute-api.{REGION}.amazonaws.com"

HeaderInput = Mapping[str, str] | Iterable[tuple[str, str]]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_LITERAL, _PARAMETER, _GREEDY = 0, 1, 2


def _segments(path: str) -> list[str]:
    # API Gateway treats "/a/b/" and "/a//b" like "/a/b" when matching.
    return [segment for segment in path.split("/") if segment]


@lru_cache(maxsize=1024)
def _pattern(resource_path: str) -> tuple[tuple[int, str], ...]:
    pattern: list[tuple[int, str]] = []
    for segment in _segments(resource_path):
        if segment.startswith("{") and segment.endswith("+}"):
            pattern.append((_GREEDY, segment[1:-2]))
        elif segment.startswith("{") and segment.endswith("}"):
            pattern.append((_PARAMETER, segment[1:-1]))
        else:
            pattern.append((_LITERAL, segment))
    return tuple(pattern)


def path_parameters(resource_path: str, path: str) -> dict[str, str] | None:
    """The ``{param}`` values of ``path`` for ``resource_path``, or None when it does not match."""
    return _parameters(_pattern(resource_path), _segments(path))


def _parameters(pattern: tuple[tuple[int, str], ...], parts: list[str]) -> dict[str, str] | None:
    parameters: dict[str, str] = {}
    for position, (kind, name) in enumerate(pattern):
        if kind == _GREEDY:
            rest = parts[position:]
            if not rest:
                return None
            parameters[name] = "/".join(rest)
            return parameters
        if position >= len(parts):
            return None
        if kind == _PARAMETER:
            parameters[name] = parts[position]
        elif parts[position] != name:
            return None
    if len(parts) != len(pattern):
        return None
    return parameters


@dataclass(frozen=True)
class _Resource:
    path: str
    pattern: tuple[tuple[int, str], ...]
    greedy: bool
    routes: tuple[Route, ...]


class RouteTable:
    """The routes' resources, the most specific first, as API Gateway walks its resource tree;
    sorted once, so that a request only compares its path with them."""

    def __init__(self, routes: Sequence[Route]) -> None:
        on_resource: dict[str, list[Route]] = {}
        for route in routes:
            on_resource.setdefault(route.path, []).append(route)
        resources = [
            _Resource(path, _pattern(path), any(kind == _GREEDY for kind, _ in _pattern(path)), tuple(listed))
            for path, listed in on_resource.items()
        ]
        resources.sort(key=lambda resource: (tuple(kind for kind, _ in resource.pattern), resource.path))
        self._resources = tuple(resources)

    def _matching(self, path: str) -> Iterator[tuple[_Resource, dict[str, str]]]:
        parts = _segments(path)
        for resource in self._resources:
            if not resource.greedy and len(resource.pattern) != len(parts):
                continue
            parameters = _parameters(resource.pattern, parts)
            if parameters is not None:
                yield resource, parameters

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """The route serving ``method path`` and its path parameters, or None (API Gateway's 403).

        API Gateway resolves the (resource, method) pair, not the resource alone: when the most
        specific resource does not declare the method (nor ANY), a less specific one that does
        serves the request, down to a greedy ``{proxy+}``.
        """
        wanted = method.upper()
        for resource, parameters in self._matching(path):
            for candidate_method in (wanted, "ANY"):
                for route in resource.routes:
                    if route.method == candidate_method:
                        return route, parameters
        return None

    def allowed_methods(self, path: str) -> frozenset[str]:
        """Methods declared on the resource ``path`` resolves to; empty when no resource matches."""
        for resource, _ in self._matching(path):
            return frozenset(route.method for route in resource.routes)
        return frozenset()


def match_route(routes: Sequence[Route], method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The route serving ``method path`` and its path parameters (see ``RouteTable.match``)."""
    return RouteTable(routes).match(method, path)


def allowed_methods(routes: Sequence[Route], path: str) -> frozenset[str]:
    """Methods declared on the resource ``path`` resolves to; empty when no resource matches."""
    return RouteTable(routes).allowed_methods(path)


def _grouped_headers(items: Iterable[tuple[str, str]]) -> tuple[dict[str, str], dict[str, list[str]]]:
    multi: dict[str, list[str]] = {}
    spelling: dict[str, str] = {}
    for name, value in items:
        key = spelling.setdefault(name.lower(), name)
        multi.setdefault(key, []).append(value)
    single = {name: values[-1] for name, values in multi.items()}
    return single, multi


def _grouped_query(query: str) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    multi: dict[str, list[str]] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        multi.setdefault(name, []).append(value)
    if not multi:
        return None, None
    return {name: values[-1] for name, values in multi.items()}, multi


def _request_time(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return f"{moment:%d}/{_MONTHS[moment.month - 1]}/{moment:%Y:%H:%M:%S} +0000"


def build_event(
    route: Route,
    *,
    method: str,
    path: str,
    headers: HeaderInput = (),
    query: str = "",
    body: bytes | str | None = None,
    source_ip: str = "127.0.0.1",
    stage: str = LOCAL_STAGE,
    stage_variables: Mapping[str, str] | None = None,
    request_id: str | None = None,
    request_time: datetime | None = None,
    forwarded_proto: str = "https",
    forwarded_port: int = 443,
) -> dict[str, Any]:
    """The event API Gateway (REST, Lambda proxy) sends ``route``'s function for this request.

    ``path`` is the request path without the stage and without the query;
    ``query`` is the raw query string. Like API Gateway, the ``Host`` header
    defaults to the API's domain, ``X-Forwarded-For`` gets the source IP appended
    and ``X-Forwarded-Proto``/``X-Forwarded-Port`` are overwritten.
    """
    parameters = path_parameters(route.path, path)
    if parameters is None:
        raise ValueError(f"{path} does not match the resource {route.path}")
    request_id = request_id or str(uuid.uuid4())
    moment = request_time or datetime.now(UTC)
    epoch_ms = int(moment.timestamp() * 1000)
    digest = hashlib.sha256(request_id.encode()).hexdigest()

    header_items = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
    if not any(name.lower() == "host" for name, _ in header_items):
        header_items.insert(0, ("Host", LOCAL_DOMAIN))
    forwarded_for = [value for name, value in header_items if name.lower() == "x-forwarded-for"]
    header_items = [
        (name, value)
        for name, value in header_items
        if name.lower() not in ("x-forwarded-for", "x-forwarded-port", "x-forwarded-proto", "x-amzn-trace-id")
    ]
    header_items += [
        ("X-Amzn-Trace-Id", f"Root=1-{epoch_ms // 1000:08x}-{digest[:24]}"),
        ("X-Forwarded-For", ", ".join([*forwarded_for, source_ip])),
        ("X-Forwarded-Port", str(forwarded_port)),
        ("X-Forwarded-Proto", forwarded_proto),
    ]
    single_headers, multi_headers = _grouped_headers(header_items)
    single_query, multi_query = _grouped_query(query)
    user_agent = next((value for name, value in single_headers.items() if name.lower() == "user-agent"), None)

    event_body: str | None
    is_base64 = False
    if body is None or len(body) == 0:
        event_body = None
    elif isinstance(body, str):
        event_body = body
    else:
        try:
            event_body = body.decode("utf-8")
        except UnicodeDecodeError:
            event_body = base64.b64encode(body).decode("ascii")
            is_base64 = True

    method = method.upper()
    return {
        "resource": route.path,
        "path": path,
        "httpMethod": method,
        "headers": single_headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": single_query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": parameters or None,
        "stageVariables": dict(stage_variables) if stage_variables is not None else {"stage": stage},
        "requestContext": {
            "resourceId": hashlib.sha256(route.path.encode()).hexdigest()[:6],
            "resourcePath": route.path,
            "httpMethod": method,
            "extendedRequestId": base64.b32encode(bytes.fromhex(digest[:20])).decode("ascii").rstrip("="),
            "requestTime": _request_time(moment),
            "path": f"/{stage}{path}",
            "accountId": ACCOUNT_ID,
            "protocol": "HTTP/1.1",
            "stage": stage,
            "domainPrefix": LOCAL_API_ID,
            "requestTimeEpoch": epoch_ms,
            "requestId": request_id,
            "identity": {
                "cognitoIdentityPoolId": None,
                "accountId": None,
                "cognitoIdentityId": None,
                "caller": None,
                "sourceIp": source_ip,
                "principalOrgId": None,
                "accessKey": None,
                "cognitoAuthenticationType": None,
                "cognitoAuthenticationProvider": None,
                "userArn": None,
                "userAgent": user_agent,
                "user": None,
            },
            "domainName": LOCAL_DOMAIN,
            "apiId": LOCAL_API_ID,
        },
        "body": event_body,
        "isBase64Encoded": is_base64,
    }


class MalformedProxyResponse(ValueError):
    """The function returned something API Gateway answers with 502."""


@dataclass(frozen=True)
class GatewayResponse:
    """What API Gateway sends the client: status, headers in order (repeats allowed), body."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        values = [value for key, value in self.headers if key.lower() == name.lower()]
        return ", ".join(values) if values else None


def proxy_response(result: Any, request_id: str) -> GatewayResponse:
    """Turn a Lambda proxy result into the client response, as API Gateway does.

    ``headers`` and ``multiValueHeaders`` are merged; a pair present in both is sent once.
    """
    if not isinstance(result, dict):
        raise MalformedProxyResponse(f"the function returned {type(result).__name__}, not an object")
    return GatewayResponse(
        status=_proxy_status(result),
        headers=[*_proxy_headers(result), ("x-amzn-RequestId", request_id)],
        body=_proxy_body(result),
    )


def _proxy_status(result: dict[str, Any]) -> int:
    status = result.get("statusCode")
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise MalformedProxyResponse(f"statusCode {result.get('statusCode')!r} is not an HTTP status")
    return status


def _proxy_headers(result: dict[str, Any]) -> list[tuple[str, str]]:
    single = result.get("headers") or {}
    multi = result.get("multiValueHeaders") or {}
    if not isinstance(single, dict) or not isinstance(multi, dict):
        raise MalformedProxyResponse("headers and multiValueHeaders must be objects")
    if any(not isinstance(values, list) for values in multi.values()):
        raise MalformedProxyResponse("every multiValueHeaders value must be a list")
    multi_pairs = [(name, _header_text(value)) for name, values in multi.items() for value in values]
    seen = {(name.lower(), value) for name, value in multi_pairs}
    headers = [
        (name, _header_text(value))
        for name, value in single.items()
        if (name.lower(), _header_text(value)) not in seen
    ]
    return headers + multi_pairs


def _proxy_body(result: dict[str, Any]) -> bytes:
    body = result.get("body")
    if body is not None and not isinstance(body, str):
        raise MalformedProxyResponse(f"body must be a string, got {type(body).__name__}")
    if not body:
        return b""
    if result.get("isBase64Encoded"):
        return base64.b64decode(body)
    return body.encode("utf-8")


def _header_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


MISSING_AUTHENTICATION_TOKEN = (403, "Missing Authentication Token", "MissingAuthenticationTokenException")
INTERNAL_SERVER_ERROR = (502, "Internal server error", "InternalServerErrorException")


def gateway_error(error: tuple[int, str, str], request_id: str) -> GatewayResponse:
    """A response API Gateway produces itself, without invoking a function."""
    status, message, error_type = error
    return GatewayResponse(
        status=status,
        headers=[
            ("Content-Type", "application/json"),
            ("x-amzn-RequestId", request_id),
            ("x-amzn-ErrorType", error_type),
        ],
        body=json.dumps({"message": message}, separators=(",", ":")).encode("utf-8"),
    )
