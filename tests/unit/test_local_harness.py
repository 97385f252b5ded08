"""gatehouse_local.testing and .lambda_runtime against a throwaway Mangum function (no AWS)."""

from __future__ import annotations

import textwrap
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from gatehouse_local.lambda_runtime import forget_handlers, invoke, load_handler
from gatehouse_local.template import load_template, routes
from gatehouse_local.testing import ApiClient, bearer

FUNCTION = """
import json
import threading

from mangum import Mangum


async def app(scope, receive, send):
    assert scope["type"] == "http"
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    headers = {key.decode(): value.decode() for key, value in scope["headers"]}
    answer = {
        "method": scope["method"],
        "path": scope["path"],
        "query": scope["query_string"].decode(),
        "client": scope["client"][0],
        "body": body.decode(),
        "authorization": headers.get("authorization"),
        "cookie": headers.get("cookie"),
        "thread": threading.get_ident(),
    }
    await send({
        "type": "http.response.start",
        "status": 200,
        "headers": [
            (b"content-type", b"application/json"),
            (b"set-cookie", b"a=1; Path=/"),
            (b"set-cookie", b"b=2; HttpOnly"),
        ],
    })
    await send({"type": "http.response.body", "body": json.dumps(answer).encode()})


handler = Mangum(app, lifespan="off")
"""

TEMPLATE = """
Resources:
  EchoFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: echo/
      Handler: app.handler
      Events:
        Echo:
          Type: Api
          Properties: {Path: "/echo/{id}", Method: post}
        Peek:
          Type: Api
          Properties: {Path: "/echo/{id}", Method: get}
"""


@pytest.fixture
def echo_api(tmp_path: Path) -> Iterator[ApiClient]:
    (tmp_path / "echo").mkdir()
    (tmp_path / "echo" / "app.py").write_text(textwrap.dedent(FUNCTION), encoding="utf-8")
    (tmp_path / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    client = ApiClient(routes(load_template(tmp_path / "template.yaml"), root=tmp_path))
    yield client
    forget_handlers()


def test_request_reaches_the_handler_through_a_real_event(echo_api: ApiClient) -> None:
    response = echo_api.post(
        "/echo/7?x=1",
        json={"hello": "world"},
        headers=bearer("token-1"),
        cookies={"sid": "abc", "theme": "dark"},
        query={"y": ["2", "3"]},
        source_ip="198.51.100.9",
    )
    assert response.status == 200
    assert response.json == {
        "method": "POST",
        "path": "/echo/7",
        "query": "x=1&y=2&y=3",
        "client": "198.51.100.9",
        "body": '{"hello": "world"}',
        "authorization": "Bearer token-1",
        "cookie": "sid=abc; theme=dark",
        "thread": response.json["thread"],
    }
    assert response.headers["content-type"] == "application/json"
    assert response.set_cookies == ["a=1; Path=/", "b=2; HttpOnly"]
    assert response.cookies == {"a": "1", "b": "2"}


def test_form_data_is_url_encoded(echo_api: ApiClient) -> None:
    response = echo_api.post("/echo/1", data={"name": "a b", "tags": ["x", "y"]})
    assert response.json["body"] == "name=a+b&tags=x&tags=y"


def test_unknown_path_gets_api_gateways_403_without_a_catch_all(echo_api: ApiClient) -> None:
    response = echo_api.get("/echoes/1")
    assert response.status == 403
    assert response.json == {"message": "Missing Authentication Token"}


def test_undeclared_method_gets_api_gateways_403(echo_api: ApiClient) -> None:
    response = echo_api.delete("/echo/1")
    assert response.status == 403
    assert response.json == {"message": "Missing Authentication Token"}


def test_handler_module_is_imported_once_per_function(echo_api: ApiClient) -> None:
    (route,) = (item for item in echo_api.routes if item.method == "GET")
    assert load_handler(route) is load_handler(route)


def test_invocations_from_many_threads_each_get_an_event_loop(echo_api: ApiClient) -> None:
    barrier = threading.Barrier(8)

    def call(number: int) -> int:
        barrier.wait(timeout=10)
        response = echo_api.post(f"/echo/{number}", json={"n": number})
        assert response.status == 200
        assert response.json["path"] == f"/echo/{number}"
        return int(response.json["thread"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        threads = list(pool.map(call, range(40)))
    assert len(set(threads)) > 1


def test_invoke_rejects_a_result_lambda_could_not_serialise(tmp_path: Path) -> None:
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "app.py").write_text("def handler(event, context):\n    return {1, 2}\n", "utf-8")
    template_text = TEMPLATE.replace("EchoFunction", "BadFunction").replace("echo/", "bad/")
    (tmp_path / "template.yaml").write_text(template_text, encoding="utf-8")
    (route, _) = routes(load_template(tmp_path / "template.yaml"), root=tmp_path)
    try:
        with pytest.raises(TypeError, match="not JSON serializable"):
            invoke(route, {"requestContext": {"requestId": "r"}})
    finally:
        forget_handlers()
