"""Run a function's handler in this process, the way a warm Lambda would."""

from __future__ import annotations

import asyncio
import contextvars
import importlib.util
import json
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from fastapi import FastAPI

from gatehouse_local.apigw import ACCOUNT_ID, REGION, MalformedProxyResponse
from gatehouse_local.template import Route

LambdaHandler = Callable[[dict[str, Any], "LambdaContext"], Any]

_handlers: dict[tuple[str, Path, str], LambdaHandler] = {}
# The function whose handler is running (context-local: threads and tasks inherit it), so the test
# harness can attribute each AWS call to the function that made it (see testing.AwsCallRecorder).
current_function: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "current_function", default=None
)
_import_lock = threading.Lock()
_thread_state = threading.local()


class HandlerImportError(ImportError):
    """A function's handler module or attribute could not be loaded."""


@dataclass
class LambdaContext:
    function_name: str
    function_version: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    aws_request_id: str
    log_group_name: str
    log_stream_name: str
    deadline_ms: int
    identity: Any = None
    client_context: Any = None

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self.deadline_ms - int(time.time() * 1000))


def module_name(function_id: str) -> str:
    return f"gatehouse_fn_{function_id}"


def _handler_parts(route: Route) -> tuple[Path, str]:
    module_path, _, attribute = route.handler.rpartition(".")
    if not module_path or not attribute:
        raise HandlerImportError(f"{route.function_id}: Handler {route.handler!r} is not 'module.function'")
    relative = Path(*module_path.split("."))
    source = route.code_uri / relative.with_suffix(".py")
    if not source.is_file():
        package = route.code_uri / relative / "__init__.py"
        source = package if package.is_file() else source
    return source, attribute


def _import(route: Route) -> ModuleType:
    source, _ = _handler_parts(route)
    if not source.is_file():
        raise HandlerImportError(f"{route.function_id}: {source} does not exist (CodeUri + Handler)")
    name = module_name(route.function_id)
    spec = importlib.util.spec_from_file_location(name, source)
    if spec is None or spec.loader is None:
        raise HandlerImportError(f"{route.function_id}: cannot import {source}")
    module = importlib.util.module_from_spec(spec)
    # Registered before executing so that dataclasses, pydantic and typing can
    # find the module by name while it is still being imported.
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def load_handler(route: Route) -> LambdaHandler:
    """The function's handler, importing its module once per function (a warm container)."""
    key = (route.function_id, route.code_uri, route.handler)
    cached = _handlers.get(key)
    if cached is not None:
        return cached
    with _import_lock:
        cached = _handlers.get(key)
        if cached is not None:
            return cached
        ensure_event_loop()
        module = _import(route)
        _, attribute = _handler_parts(route)
        handler = getattr(module, attribute, None)
        if not callable(handler):
            raise HandlerImportError(f"{route.function_id}: {module.__file__} has no callable {attribute!r}")
        loaded: LambdaHandler = handler
        _handlers[key] = loaded
        return loaded


def function_app(route: Route) -> FastAPI | None:
    """The FastAPI app of `route`'s function (its handler loaded as for a request), or None for
    a plain handler (the link pages)."""
    load_handler(route)
    app = getattr(sys.modules[module_name(route.function_id)], "app", None)
    return app if isinstance(app, FastAPI) else None


def forget_handlers() -> None:
    """Drop every loaded function module, so the next invocation is a cold start."""
    with _import_lock:
        for function_id, _, _ in _handlers:
            sys.modules.pop(module_name(function_id), None)
        _handlers.clear()


class _ThreadLoop:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()

    def __del__(self) -> None:
        # Runs when the owning thread ends; an unclosed loop would warn.
        if not self.loop.is_closed() and not self.loop.is_running():
            self.loop.close()


def ensure_event_loop() -> asyncio.AbstractEventLoop:
    """Give the calling thread an event loop of its own.

    Mangum 0.22 calls ``asyncio.get_event_loop()`` per invocation, which raises
    in any thread but the one that imported the handler unless a loop is set.
    """
    state: _ThreadLoop | None = getattr(_thread_state, "loop", None)
    if state is None or state.loop.is_closed():
        state = _ThreadLoop()
        _thread_state.loop = state
    asyncio.set_event_loop(state.loop)
    return state.loop


def make_context(route: Route, request_id: str) -> LambdaContext:
    function_name = f"gatehouse-local-{route.function_id}"
    return LambdaContext(
        function_name=function_name,
        function_version="$LATEST",
        invoked_function_arn=f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{function_name}",
        memory_limit_in_mb=route.memory_mb,
        aws_request_id=request_id,
        log_group_name=f"/aws/lambda/{function_name}",
        log_stream_name=time.strftime("%Y/%m/%d/[$LATEST]local", time.gmtime()),
        deadline_ms=int(time.time() * 1000) + route.timeout_s * 1000,
    )


def invoke(route: Route, event: dict[str, Any]) -> dict[str, Any]:
    """Call the route's handler with ``event`` and return its JSON result.

    Event and result go through JSON, as they do between API Gateway, Lambda and
    the function: a handler can neither mutate the caller's event nor return
    something Lambda could not serialise.
    """
    handler = load_handler(route)
    ensure_event_loop()
    # Lambda gives every invocation a request id; API Gateway's is the one its event carries.
    request_id = str(event.get("requestContext", {}).get("requestId") or uuid.uuid4())
    context = make_context(route, request_id)
    running = current_function.set(route.function_id)
    try:
        result = json.loads(json.dumps(handler(json.loads(json.dumps(event)), context)))
    finally:
        current_function.reset(running)
    if not isinstance(result, dict):
        raise MalformedProxyResponse(f"{route.function_id} returned {type(result).__name__}, not an object")
    return result
