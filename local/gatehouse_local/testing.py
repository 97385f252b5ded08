"""Test harness: requests go through template.yaml's routing, a real API Gateway
event and the real handler, in-process (no HTTP server), against a private moto.

Safe to call from several threads at once: each thread gets its own event loop.
"""

from __future__ import annotations

import json as jsonlib
import os
import shutil
import threading
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit
from wsgiref.types import StartResponse, WSGIEnvironment

import botocore.client

from gatehouse_local import streams
from gatehouse_local.apigw import (
    LOCAL_STAGE,
    MISSING_AUTHENTICATION_TOKEN,
    GatewayResponse,
    RouteTable,
    build_event,
    gateway_error,
    proxy_response,
)
from gatehouse_local.embedded_aws import EmbeddedAws, InProcessAws, MotoAws
from gatehouse_local.environment import LOCAL_TABLE_NAME, local_bucket_names, local_environment
from gatehouse_local.lambda_runtime import current_function, invoke
from gatehouse_local.template import Route, Template, load_template

TEST_JWT_SECRET = "gatehouse-test-signing-key-" + "0123456789abcdef" * 4
TEST_SOURCE_IP = "203.0.113.10"
TEST_PORT = 3000
TEST_USER_AGENT = "gatehouse-tests/1.0"

Headers = Mapping[str, str] | Sequence[tuple[str, str]]
QueryValue = str | int | Sequence[str | int]


class CallCounter:
    """Counts DynamoDB API calls made by this process (every botocore client), in total and by
    operation name (`Query`, `GetItem`, ...)."""

    def __init__(self) -> None:
        self.calls = 0
        self.operations: Counter[str] = Counter()
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self.calls = 0
            self.operations.clear()

    @contextmanager
    def installed(self) -> Iterator[None]:
        original = botocore.client.BaseClient._make_api_call
        counter = self

        def counting(client: Any, operation: str, params: Any) -> Any:
            # Not the mailer's calls: the harness delivers mail after the request it measures.
            if client.meta.service_model.service_name == "dynamodb" and not streams.draining():
                with counter._lock:
                    counter.calls += 1
                    counter.operations[operation] += 1
            return original(client, operation, params)

        botocore.client.BaseClient._make_api_call = counting
        try:
            yield
        finally:
            botocore.client.BaseClient._make_api_call = original


@dataclass(frozen=True)
class AwsCall:
    """One AWS API call a function made: service (`dynamodb`, `s3`...), operation and parameters."""

    function_id: str
    service: str
    operation: str
    params: Mapping[str, Any]


class AwsCallRecorder:
    """Records every AWS API call made while a function's handler runs (botocore clients of this
    process), with the function that made it; calls outside a handler (test set-up) are left out."""

    def __init__(self) -> None:
        self.calls: list[AwsCall] = []
        self._lock = threading.Lock()

    @contextmanager
    def installed(self) -> Iterator[None]:
        original = botocore.client.BaseClient._make_api_call
        recorder = self

        def recording(client: Any, operation: str, params: Any) -> Any:
            function_id = current_function.get()
            if function_id is not None:
                call = AwsCall(function_id, client.meta.service_model.service_name, operation, params)
                with recorder._lock:
                    recorder.calls.append(call)
            return original(client, operation, params)

        botocore.client.BaseClient._make_api_call = recording
        try:
            yield
        finally:
            botocore.client.BaseClient._make_api_call = original


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass(frozen=True)
class ApiResponse:
    status: int
    headers: dict[str, str]
    body: str
    header_list: list[tuple[str, str]] = field(default_factory=list, repr=False)
    content: bytes = field(default=b"", repr=False)

    @classmethod
    def from_gateway(cls, response: GatewayResponse) -> ApiResponse:
        header_list = [(name.lower(), value) for name, value in response.headers]
        headers: dict[str, str] = {}
        for name, value in header_list:
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        return cls(
            status=response.status,
            headers=headers,
            body=response.body.decode("utf-8", errors="replace"),
            header_list=header_list,
            content=response.body,
        )

    @property
    def json(self) -> Any:
        """The body parsed as JSON, or None when it is empty or not JSON."""
        if not self.body:
            return None
        try:
            return jsonlib.loads(self.body)
        except ValueError:
            return None

    def header_values(self, name: str) -> list[str]:
        return [value for key, value in self.header_list if key == name.lower()]

    @property
    def set_cookies(self) -> list[str]:
        return self.header_values("set-cookie")

    @property
    def cookies(self) -> dict[str, str]:
        """Name to value of every ``Set-Cookie`` (attributes dropped; later ones win)."""
        jar: dict[str, str] = {}
        for line in self.set_cookies:
            parsed: SimpleCookie = SimpleCookie()
            parsed.load(line)
            jar.update({name: morsel.value for name, morsel in parsed.items()})
        return jar


class ApiClient:
    """Calls the API as a client would through API Gateway; see ``request``."""

    def __init__(
        self,
        api_routes: Sequence[Route],
        *,
        stage: str = LOCAL_STAGE,
        default_headers: Headers | None = None,
        deliver_mail: bool = True,
    ) -> None:
        self.routes = list(api_routes)
        self.route_table = RouteTable(self.routes)
        # After each request, deliver what it put in the mail outbox (the table's stream to
        # the mailer, as Lambda would), so that a test sees the mail once the answer is in.
        self.deliver_mail = deliver_mail
        self.stage = stage
        self.default_headers = _header_list(default_headers) or [("User-Agent", TEST_USER_AGENT)]

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: Mapping[str, QueryValue] | None = None,
        body: str | bytes | None = None,
        headers: Headers | None = None,
        cookies: Mapping[str, str] | None = None,
        query: Mapping[str, QueryValue] | None = None,
        source_ip: str = TEST_SOURCE_IP,
    ) -> ApiResponse:
        """One request. ``json`` sends a JSON body, ``data`` a form, ``body`` raw bytes or text.

        Routed as API Gateway routes it: a path or method no route declares reaches the
        template's catch-all (`/{proxy+}`), or gets API Gateway's 403 without one.
        """
        if sum(part is not None for part in (json, data, body)) > 1:
            raise ValueError("pass at most one of json, data and body")
        method = method.upper()
        target = urlsplit(path)
        request_path = target.path or "/"
        query_string = "&".join(part for part in (target.query, _encode(query)) if part)

        given = _header_list(headers)
        overridden = {name.lower() for name, _ in given}
        header_items = [
            (name, value) for name, value in self.default_headers if name.lower() not in overridden
        ]
        header_items += given
        payload: str | bytes | None = body
        if json is not None:
            payload = jsonlib.dumps(json)
            header_items = _with_default(header_items, "Content-Type", "application/json")
        elif data is not None:
            payload = _encode(data)
            header_items = _with_default(header_items, "Content-Type", "application/x-www-form-urlencoded")
        if cookies:
            header_items.append(("Cookie", "; ".join(f"{name}={value}" for name, value in cookies.items())))

        request_id = str(uuid.uuid4())
        matched = self.route_table.match(method, request_path)
        if matched is None:
            return ApiResponse.from_gateway(gateway_error(MISSING_AUTHENTICATION_TOKEN, request_id))
        route = matched[0]
        event = build_event(
            route,
            method=method,
            path=request_path,
            headers=header_items,
            query=query_string,
            body=payload,
            source_ip=source_ip,
            stage=self.stage,
            request_id=request_id,
        )
        response = ApiResponse.from_gateway(proxy_response(invoke(route, event), request_id))
        if self.deliver_mail:
            self.deliver_queued_mail()
        if method == "HEAD":
            return ApiResponse(response.status, response.headers, "", response.header_list, b"")
        return response

    def deliver_queued_mail(self) -> None:
        """Run the mailer over the stream now (after each request, and after work done outside a
        request, such as an operator command)."""
        pump = streams.active()
        if pump is not None:
            pump.drain()

    def get(self, path: str, **options: Any) -> ApiResponse:
        return self.request("GET", path, **options)

    def post(self, path: str, **options: Any) -> ApiResponse:
        return self.request("POST", path, **options)

    def put(self, path: str, **options: Any) -> ApiResponse:
        return self.request("PUT", path, **options)

    def patch(self, path: str, **options: Any) -> ApiResponse:
        return self.request("PATCH", path, **options)

    def delete(self, path: str, **options: Any) -> ApiResponse:
        return self.request("DELETE", path, **options)

    def head(self, path: str, **options: Any) -> ApiResponse:
        return self.request("HEAD", path, **options)

    def options(self, path: str, **options: Any) -> ApiResponse:
        return self.request("OPTIONS", path, **options)


class WsgiApi:
    """The API as a WSGI application, for a WSGI client (schemathesis's): each request goes
    through `client`, so through the template's routing, a real API Gateway event and the real
    handler, as any test request does."""

    def __init__(self, client: ApiClient) -> None:
        self.client = client

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body: bytes = environ["wsgi.input"].read(length) if length else b""
        headers = [
            (name[5:].replace("_", "-").title(), value)
            for name, value in environ.items()
            if name.startswith("HTTP_")
        ]
        if environ.get("CONTENT_TYPE"):
            headers.append(("Content-Type", environ["CONTENT_TYPE"]))
        response = self.client.request(
            environ["REQUEST_METHOD"], _request_target(environ), body=body or None, headers=headers
        )
        status = f"{response.status} {_reason(response.status)}"
        start_response(status, [(name, value) for name, value in response.header_list])
        return [response.content]


def _request_target(environ: WSGIEnvironment) -> str:
    """The path and query as the client sent them: WSGI's PATH_INFO is already percent-decoded,
    API Gateway (and so the harness) routes the path as sent."""
    raw: str | None = environ.get("REQUEST_URI") or environ.get("RAW_URI")
    if raw:
        return raw
    path = quote(environ.get("PATH_INFO", "").encode("latin-1"))
    query = environ.get("QUERY_STRING", "")
    return f"{path}?{query}" if query else path


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def multipart(
    fields: Mapping[str, str], files: Mapping[str, tuple[str, bytes, str]] | None = None
) -> tuple[bytes, str]:
    """A `multipart/form-data` body and its Content-Type, as a browser's FormData sends it;
    ``files`` maps a field to (file name, content, media type)."""
    boundary = f"----gatehouse{uuid.uuid4().hex}"
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, content, media_type) in (files or {}).items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {media_type}\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _header_list(headers: Headers | None) -> list[tuple[str, str]]:
    if headers is None:
        return []
    if isinstance(headers, Mapping):
        return list(headers.items())
    return list(headers)


def _with_default(items: list[tuple[str, str]], name: str, value: str) -> list[tuple[str, str]]:
    if any(key.lower() == name.lower() for key, _ in items):
        return items
    return [*items, (name, value)]


def _encode(values: Mapping[str, QueryValue] | None) -> str:
    if not values:
        return ""
    pairs: list[tuple[str, str]] = []
    for name, value in values.items():
        if isinstance(value, (str, int)):
            pairs.append((name, str(value)))
        else:
            pairs.extend((name, str(item)) for item in value)
    return urlencode(pairs)


@contextmanager
def patched_environ(values: Mapping[str, str]) -> Iterator[None]:
    """Set ``values`` in os.environ, restoring the previous state on exit."""
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def harness_environment(
    template: Template,
    work_dir: Path,
    *,
    jwt_secret: str = TEST_JWT_SECRET,
    port: int = TEST_PORT,
    parameter_overrides: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The functions' local environment (outbox under ``work_dir``) plus fake AWS
    credentials and region; no endpoint, that comes with ``embedded_aws_session``.

    Apply it before anything imports the functions' code: settings read at import
    time would otherwise see an empty environment.
    """
    outbox = work_dir / "outbox"
    outbox.mkdir(parents=True, exist_ok=True)
    environment = local_environment(
        template,
        port,
        jwt_secret=jwt_secret,
        outbox_dir=outbox,
        state_dir=work_dir,
        parameter_overrides=parameter_overrides,
    )
    return {**EmbeddedAws.environment_without_endpoint(), **environment}


@contextmanager
def embedded_aws_session(
    work_dir: Path, template: Template, table_name: str = LOCAL_TABLE_NAME, *, in_process: bool = False
) -> Iterator[MotoAws]:
    """A started moto holding the template's table and buckets, with os.environ
    pointing every AWS client at it until exit: a moto server, or moto in this process."""
    moto: MotoAws = InProcessAws() if in_process else EmbeddedAws(log_path=work_dir / "moto_server.log")
    with moto as aws, patched_environ(aws.environment()):
        aws.create_resources(template, table_name, local_bucket_names(template))
        pump = streams.StreamPump(
            aws.client, table_name, streams.stream_sources(template), streams.local_queue_names(template)
        )
        streams.activate(pump)
        try:
            yield aws
        finally:
            streams.activate(None)


@contextmanager
def local_aws(
    work_dir: Path,
    *,
    template: Template | None = None,
    jwt_secret: str = TEST_JWT_SECRET,
    port: int = TEST_PORT,
    parameter_overrides: Mapping[str, str] | None = None,
) -> Iterator[MotoAws]:
    """``harness_environment`` applied and ``embedded_aws_session`` started, both until exit."""
    template = template or load_template()
    environment = harness_environment(
        template, work_dir, jwt_secret=jwt_secret, port=port, parameter_overrides=parameter_overrides
    )
    with (
        patched_environ(environment),
        embedded_aws_session(work_dir, template, environment["TABLE_NAME"]) as aws,
    ):
        yield aws


def clear_directory(directory: Path) -> None:
    """Empty ``directory`` (e.g. the mail outbox between tests), keeping the directory."""
    if not directory.is_dir():
        return
    for entry in directory.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
