"""The surfaces' OpenAPI documents (issue 14): docs/openapi/ holds what the code makes now, and
every route template.yaml serves is in exactly one surface's document, as it really behaves."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from gatehouse_docs import openapi
from gatehouse_docs.__main__ import current_documents, exported, rendered
from gatehouse_local.template import load_template, routes

SERVED = [route for route in routes(load_template()) if route.path != "/{proxy+}" and route.path != "/"]


@pytest.fixture(scope="module")
def documents() -> dict[str, dict[str, Any]]:
    return current_documents()


def _shape(path: str) -> str:
    """A path with its parameters unnamed: template.yaml and the apps name them differently."""
    return re.sub(r"{[^}]+}", "{}", path)


def _operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): operation
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    }


@pytest.mark.parametrize("key", openapi.SURFACE_KEYS)
def test_exported_document_and_collection_are_what_the_code_makes_now(
    documents: dict[str, dict[str, Any]], key: str
) -> None:
    for directory, content in exported(documents[key]).items():
        path = directory / f"{key}.json"
        assert path.read_text(encoding="utf-8") == rendered(content), f"{path} is stale: run `make openapi`"


def test_every_served_api_route_is_in_exactly_one_surface_document(
    documents: dict[str, dict[str, Any]],
) -> None:
    documented: dict[tuple[str, str], list[str]] = {}
    for key, document in documents.items():
        for method, path in _operations(document):
            documented.setdefault((method, _shape(path)), []).append(key)
    # The documents' own routes (/api/docs/..., DocsFunction) belong to no surface.
    api_routes = [
        route for route in SERVED if route.path.startswith("/api/") and route.function_id != "DocsFunction"
    ]
    assert api_routes
    for route in api_routes:
        assert len(documented.get((route.method, _shape(route.path)), [])) == 1, route.key
    served = {(route.method, _shape(route.path)) for route in SERVED}
    assert set(documented) <= served


def test_each_document_is_titled_versioned_and_served_locally(documents: dict[str, dict[str, Any]]) -> None:
    titles = {document["info"]["title"] for document in documents.values()}
    assert len(titles) == len(openapi.SURFACE_KEYS)
    for document in documents.values():
        assert document["openapi"] == "3.1.0"
        assert re.fullmatch(r"\d+\.\d+\.\d+", document["info"]["version"])
        assert document["servers"] == [openapi.LOCAL_SERVER]


def test_security_follows_the_credential_each_route_needs(documents: dict[str, dict[str, Any]]) -> None:
    b = _operations(documents["b"])
    assert b[("POST", "/api/auth/login")]["security"] == []
    assert b[("GET", "/api/auth/me")]["security"] == [{"bearer": []}]
    c = _operations(documents["c"])
    assert c[("GET", "/api/users")]["security"] == [{"sanctum": []}]
    d = _operations(documents["d"])
    # Only the very first user may be created without a token.
    assert d[("POST", "/api/v1/users/new_user")]["security"] == [{"bearer": []}, {}]
    e = _operations(documents["e"])
    assert e[("GET", "/api/v0/tokens/validate")]["security"] == [{"bearer": []}, {"jwtCookie": []}]
    assert e[("PATCH", "/api/v0/resource/self_update")]["security"] == [
        {"bearer": [], "appToken": []},
        {"jwtCookie": [], "appToken": []},
    ]
    assert set(documents["e"]["components"]["securitySchemes"]) == {"bearer", "jwtCookie", "appToken"}
    assert set(documents["c"]["components"]["securitySchemes"]) == {"sanctum"}


def test_parameters_bodies_and_answers_come_from_the_contracts(documents: dict[str, dict[str, Any]]) -> None:
    d = _operations(documents["d"])
    read_user = d[("GET", "/api/v1/users/id/{user_id}")]
    assert read_user["parameters"] == [
        {"name": "user_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    ]
    assert set(read_user["responses"]) == {"200", "401", "403", "404", "500"}
    logs = d[("GET", "/api/v1/logs/list/filtered")]
    assert {parameter["name"] for parameter in logs["parameters"]} >= {
        "by_user",
        "from",
        "to",
        "sort",
        "per_page",
    }
    assert all(parameter["in"] == "query" and not parameter["required"] for parameter in logs["parameters"])

    b = _operations(documents["b"])
    register = b[("POST", "/api/auth/register")]["requestBody"]
    assert set(register["content"]) == {"application/json", *openapi.FORM_TYPES}
    schema = documents["b"]["components"]["schemas"]["Registration"]
    assert set(schema["required"]) == {"username", "password", "email", "sex", "age"}
    assert schema["properties"]["username"] == {
        "maxLength": 16,
        "minLength": 3,
        "title": "Username",
        "type": "string",
    }

    a = _operations(documents["a"])
    reset = a[("POST", "/api/v1/reset")]
    assert reset["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PasswordReset"
    }
    assert "content" not in reset["responses"]["303"]
    assert "Location" in reset["responses"]["303"]["headers"]
    assert "content" not in _operations(documents["e"])[("DELETE", "/api/v0/tokens")]["responses"]["204"]


def test_every_reference_resolves(documents: dict[str, dict[str, Any]]) -> None:
    for document in documents.values():
        text = json.dumps(document)
        for name in re.findall(r'"#/components/schemas/([^"]+)"', text):
            assert name in document["components"]["schemas"], name
        assert "$gatehouse" not in text
