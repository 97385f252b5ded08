"""Serve every route of template.yaml on localhost, without Docker.

Each request goes through the same steps as in AWS: API Gateway's routing and
proxy event, the real handler, API Gateway's response mapping. DynamoDB and S3
are a private moto server; mail goes to an outbox directory.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
import traceback
import uuid
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from gatehouse_local import streams
from gatehouse_local.apigw import (
    INTERNAL_SERVER_ERROR,
    LOCAL_STAGE,
    MISSING_AUTHENTICATION_TOKEN,
    GatewayResponse,
    MalformedProxyResponse,
    RouteTable,
    build_event,
    gateway_error,
    proxy_response,
)
from gatehouse_local.embedded_aws import EmbeddedAws
from gatehouse_local.environment import (
    DEFAULT_STATE_DIR,
    LOCAL_TABLE_NAME,
    ensure_state_dir,
    local_bucket_names,
    local_environment,
    parse_parameter_overrides,
)
from gatehouse_local.lambda_runtime import invoke, load_handler
from gatehouse_local.persistence import DEFAULT_INTERVAL_S, StoredResources, StoreKeeper, snapshot_path
from gatehouse_local.template import DEFAULT_TEMPLATE, Route, TemplateError, load_template, routes

DEFAULT_PORT = 3000
# Hop-by-hop and length headers belong to this connection, not to the function.
_CONNECTION_HEADERS = frozenset({"connection", "content-length", "keep-alive", "transfer-encoding"})


class LocalApiServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], api_routes: Sequence[Route], stage: str = LOCAL_STAGE
    ) -> None:
        super().__init__(address, GatewayRequestHandler)
        self.api_routes = list(api_routes)
        self.route_table = RouteTable(self.api_routes)
        self.stage = stage


class GatewayRequestHandler(BaseHTTPRequestHandler):
    server: LocalApiServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out as two writes: with Nagle's algorithm the second waits for the
    # client's delayed ACK (~40 ms), so a keep-alive client would wait on every request.
    disable_nagle_algorithm = True
    server_version = "gatehouse-local"

    def version_string(self) -> str:
        return self.server_version

    def do_GET(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_OPTIONS(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: object) -> None:
        """Silenced: ``_serve`` logs one line per request itself."""

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _serve(self) -> None:
        started = time.perf_counter()
        method = self.command.upper()
        target = urlsplit(self.path)
        path = target.path or "/"
        body = self._read_body()
        request_id = str(uuid.uuid4())
        matched = self.server.route_table.match(method, path)
        route: Route | None = None
        if matched is None:
            response = gateway_error(MISSING_AUTHENTICATION_TOKEN, request_id)
        else:
            route = matched[0]
            headers = [
                (name, value)
                for name, value in self.headers.items()
                if name.lower() not in _CONNECTION_HEADERS
            ]
            port = self.server.server_address[1]
            event = build_event(
                route,
                method=method,
                path=path,
                headers=headers,
                query=target.query,
                body=body,
                source_ip=self.client_address[0],
                stage=self.server.stage,
                request_id=request_id,
                forwarded_proto="http",
                forwarded_port=int(port),
            )
            response = self._invoke(route, event, request_id)
        self._write(method, response)
        elapsed_ms = (time.perf_counter() - started) * 1000
        note = ""
        if route is not None and elapsed_ms > route.timeout_s * 1000:
            note = f"  (over the function's {route.timeout_s}s Timeout: Lambda would have failed)"
        query = f"?{redacted_query(target.query)}" if target.query else ""
        stamp = time.strftime("%H:%M:%S")
        print(f"{stamp} {method} {path}{query} {response.status} {elapsed_ms:.0f}ms{note}", flush=True)

    def _invoke(self, route: Route, event: dict[str, Any], request_id: str) -> GatewayResponse:
        try:
            return proxy_response(invoke(route, event), request_id)
        except MalformedProxyResponse as error:
            print(f"Malformed Lambda proxy response from {route.function_id}: {error}", file=sys.stderr)
        except Exception:
            print(f"{route.function_id} raised:", file=sys.stderr)
            traceback.print_exc()
        return gateway_error(INTERNAL_SERVER_ERROR, request_id)

    def _write(self, method: str, response: GatewayResponse) -> None:
        """The answer in one write: sent as two (headers, then body), a keep-alive client
        wakes for the headers and waits again for the body."""
        lines = [
            f"{self.protocol_version} {response.status} {_reason(response.status)}",
            f"Server: {self.version_string()}",
            f"Date: {self.date_time_string()}",
        ]
        lines += [
            f"{name}: {value}" for name, value in response.headers if name.lower() not in _CONNECTION_HEADERS
        ]
        lines.append(f"Content-Length: {len(response.body)}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "strict")
        if self.request_version == "HTTP/0.9":  # no status line, no headers
            head = b""
        self.wfile.write(head if method == "HEAD" else head + response.body)


# Query parameters that carry credentials (A and B accept `?token=`): never printed.
_SECRET_QUERY_PARAMETERS = frozenset({"token"})


def redacted_query(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(name, "***" if name in _SECRET_QUERY_PARAMETERS else value) for name, value in pairs])


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def banner(
    server: LocalApiServer,
    base_url: str,
    environment: dict[str, str],
    moto_url: str,
    jwt_key_source: str,
    failed: list[str],
    snapshot: Path,
    snapshot_interval_s: float,
) -> str:
    width = max((len(route.method) for route in server.api_routes), default=3)
    lines = [
        f"Gatehouse local API on {base_url}  (stage {server.stage!r}, template.yaml routes)",
        "",
    ]
    for route in server.api_routes:
        broken = "  [import failed, see above]" if route.function_id in failed else ""
        lines.append(f"  {route.method:<{width}}  {base_url}{route.path}  -> {route.function_id}{broken}")
    lines += [
        "",
        f"  DynamoDB table  {environment.get('TABLE_NAME', LOCAL_TABLE_NAME)}  and S3 on moto at {moto_url}",
        f"  Data is kept in {snapshot} (saved every {snapshot_interval_s:g}s after a change, and on Ctrl-C);",
        "  `make reset-local` (with the server stopped) starts the next run empty.",
        "  The admin CLI reaches it while it runs: .venv/bin/gatehouse --local … (.local/endpoint.json)",
        f"  Mail: MailerFunction reads the table's stream and writes to {environment['OUTBOX_DIR']}",
        f"  JWT signing key from {jwt_key_source}",
        "",
        "Ctrl-C stops the server.",
    ]
    return "\n".join(lines)


# While the local run runs, where its store is: `gatehouse --local` (the CLI's default) reads it.
ENDPOINT_FILE = "endpoint.json"


def endpoint_file(state: Path) -> Path:
    return state / ENDPOINT_FILE


def announce_endpoint(state: Path, moto_url: str, environment: dict[str, str], base_url: str) -> None:
    record = {
        "endpoint_url": moto_url,
        "table_name": environment.get("TABLE_NAME", LOCAL_TABLE_NAME),
        "outbox_dir": environment["OUTBOX_DIR"],
        "public_base_url": base_url,
        "pid": os.getpid(),
    }
    endpoint_file(state).write_text(json.dumps(record) + "\n", encoding="utf-8")


def serve(
    host: str,
    port: int,
    template_path: Path | None = None,
    state_dir: Path | None = None,
    parameter_overrides: Mapping[str, str] | None = None,
    snapshot_interval_s: float = DEFAULT_INTERVAL_S,
) -> None:
    template_file = (template_path or DEFAULT_TEMPLATE).resolve()
    template = load_template(template_file)
    api_routes = routes(template, root=template_file.parent)
    try:
        server = LocalApiServer((host, port), api_routes)
    except OSError as error:
        raise SystemExit(
            f"gatehouse_local: cannot listen on {host}:{port}: {error.strerror} (pick another: PORT=...)"
        ) from None
    bound_port = int(server.server_address[1])
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "") else host  # noqa: S104 - a comparison
    base_url = f"http://{shown_host}:{bound_port}"
    state = ensure_state_dir(state_dir)
    jwt_key_source = "$JWT_SECRET" if os.environ.get("JWT_SECRET") else str(state / "jwt-secret")
    try:
        environment = local_environment(
            template,
            bound_port,
            state_dir=state,
            public_base_url=base_url,
            parameter_overrides=parameter_overrides,
        )
    except TemplateError as error:
        server.server_close()
        raise SystemExit(f"gatehouse_local: {error}") from None
    Path(environment["OUTBOX_DIR"]).mkdir(parents=True, exist_ok=True)
    aws = EmbeddedAws(log_path=state / "moto_server.log")
    previous_sigterm = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    # Set once the snapshot is restored: a run stopped before then must not overwrite it.
    keeper: StoreKeeper | None = None
    try:
        aws.start()
        aws.configure_environment()
        bucket_names = local_bucket_names(template)
        aws.create_resources(template, environment["TABLE_NAME"], bucket_names)
        restoring = StoreKeeper(
            aws,
            StoredResources(environment["TABLE_NAME"], tuple(bucket_names.values())),
            snapshot_path(state),
            interval_s=snapshot_interval_s,
        )
        restoring.restore()
        keeper = restoring
        os.environ.update(environment)
        failed: list[str] = []
        for route in {route.function_id: route for route in api_routes}.values():
            try:
                load_handler(route)
            except Exception:
                print(f"Could not import {route.function_id} ({route.code_uri}):", file=sys.stderr)
                traceback.print_exc()
                failed.append(route.function_id)
        print(
            banner(
                server,
                base_url,
                environment,
                aws.endpoint_url,
                jwt_key_source,
                failed,
                keeper.path,
                snapshot_interval_s,
            ),
            flush=True,
        )
        # The mail outbox: the table's stream to MailerFunction, as Lambda's event source mapping.
        pump = streams.StreamPump(
            aws.client,
            environment["TABLE_NAME"],
            streams.stream_sources(template, root=template_file.parent),
            streams.local_queue_names(template),
        )
        announce_endpoint(state, aws.endpoint_url, environment, base_url)
        with pump.running(), keeper.saving_periodically():
            server.serve_forever()
    except KeyboardInterrupt:
        print("\nStopping.", flush=True)
    finally:
        endpoint_file(state).unlink(missing_ok=True)
        server.server_close()
        if keeper is not None:
            _save_last_snapshot(keeper)
        aws.stop()
        signal.signal(signal.SIGTERM, previous_sigterm)


def _save_last_snapshot(keeper: StoreKeeper) -> None:
    # A second Ctrl-C while saving would leave the previous snapshot (the write is atomic).
    try:
        if keeper.save_if_changed(final=True):
            print(f"Data saved to {keeper.path}.", flush=True)
    except Exception as error:
        print(f"WARNING: data not saved to {keeper.path}: {type(error).__name__}: {error}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gatehouse_local", description=__doc__)
    parser.add_argument(
        "--host", default=os.environ.get("HOST", "127.0.0.1"), help="default: $HOST or 127.0.0.1"
    )
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("PORT", DEFAULT_PORT)), help="default: $PORT or 3000"
    )
    parser.add_argument(
        "--template", type=Path, default=None, help="default: template.yaml at the repository root"
    )
    parser.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR, help="default: .local/")
    parser.add_argument(
        "--parameter-overrides",
        default=os.environ.get("PARAMETER_OVERRIDES", ""),
        metavar="'Name=Value …'",
        help="template parameters instead of their defaults, as for `sam local start-api` "
        "(e.g. RateLimitPerMinute=0); default: $PARAMETER_OVERRIDES",
    )
    parser.add_argument(
        "--snapshot-interval",
        type=float,
        default=DEFAULT_INTERVAL_S,
        metavar="SECONDS",
        help=f"how often the data is saved to <state-dir>/store.json when it changed (default {DEFAULT_INTERVAL_S:g})",
    )
    arguments = parser.parse_args(argv)
    if arguments.snapshot_interval <= 0:
        parser.error("--snapshot-interval must be positive")
    try:
        overrides = parse_parameter_overrides(arguments.parameter_overrides)
    except ValueError as error:
        parser.error(f"--parameter-overrides: {error}")
    serve(
        arguments.host,
        arguments.port,
        arguments.template,
        arguments.state_dir,
        overrides,
        snapshot_interval_s=arguments.snapshot_interval,
    )
    return 0
