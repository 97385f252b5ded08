"""Postman collections made from OpenAPI 3.1 documents (gatehouse_docs.postman): folders per
tag, requests with their variables, parameters, headers, bodies, auth and saved examples, and
the same bytes for the same document."""

from __future__ import annotations

import copy
import json
from typing import Any

from gatehouse_docs.postman import SCHEMA_URL, collection

BEARER = {"type": "bearer", "bearer": [{"key": "token", "value": "{{token}}", "type": "string"}]}
LOGIN_EXAMPLE = {"email": "ann@example.com", "password": "secret-1"}
TOKEN_EXAMPLE = {"access_token": "eyJ...", "token_type": "bearer", "expires_in": 3600}

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Gatehouse surface Z", "version": "1.0.0", "description": "A small surface."},
    "servers": [{"url": "http://127.0.0.1:3000"}],
    "tags": [{"name": "auth", "description": "Signing in and out"}, {"name": "users"}, {"name": "apps"}],
    "components": {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            "sanctum": {"type": "http", "scheme": "bearer", "bearerFormat": "Sanctum"},
            "jwtCookie": {"type": "apiKey", "in": "cookie", "name": "jwt"},
            "appToken": {"type": "apiKey", "in": "header", "name": "x-app-token"},
        },
        "schemas": {
            "Credentials": {
                "type": "object",
                "required": ["email", "password"],
                "properties": {"email": {"type": "string", "format": "email"}, "password": {"type": "string"}},
            },
            "Profile": {
                "allOf": [
                    {"type": "object", "properties": {"name": {"type": "string", "examples": ["Ann"]}}},
                    {
                        "type": "object",
                        "properties": {
                            "age": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
                            "roles": {"type": "array", "items": {"type": "string", "enum": ["user", "admin"]}},
                            "active": {"type": "boolean", "default": True},
                            "birthday": {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}], "default": None},
                        },
                    },
                ]
            },
            "Refusal": {"type": "object", "properties": {"message": {"type": "string"}}},
        },
        "parameters": {
            "PerPage": {
                "name": "per_page",
                "in": "query",
                "required": False,
                "description": "Page size",
                "schema": {"type": "integer", "default": 15},
            }
        },
    },
    "paths": {
        "/api/login": {
            "post": {
                "operationId": "login",
                "summary": "Sign in",
                "tags": ["auth"],
                "security": [],
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/Credentials"},
                            "example": LOGIN_EXAMPLE,
                        },
                        "application/x-www-form-urlencoded": {
                            "schema": {"$ref": "#/components/schemas/Credentials"}
                        },
                    }
                },
                "responses": {
                    "200": {
                        "description": "Signed in",
                        "content": {
                            "application/json": {"examples": {"issued": {"summary": "A token", "value": TOKEN_EXAMPLE}}}
                        },
                    },
                    "401": {
                        "description": "Wrong password",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Refusal"},
                                "example": {"message": "Unauthorized"},
                            }
                        },
                    },
                    "422": {"description": "Invalid", "content": {"application/json": {"schema": {}}}},
                },
            }
        },
        "/api/users/{user}": {
            "parameters": [
                {"name": "user", "in": "path", "required": True, "description": "User id", "schema": {"type": "integer"}, "example": 7}
            ],
            "get": {
                "operationId": "showUser",
                "tags": ["users"],
                "security": [{"sanctum": []}],
                "parameters": [
                    {"$ref": "#/components/parameters/PerPage"},
                    {"name": "search", "in": "query", "required": True, "schema": {"type": "string"}, "example": "ann"},
                    {"name": "X-Device-Id", "in": "header", "required": False, "schema": {"type": "string"}},
                ],
                "responses": {"200": {"description": "The user"}},
            },
            "put": {
                "operationId": "updateUser",
                "summary": "Update a user",
                "description": "Changes what is sent.",
                "tags": ["users"],
                "security": [{"bearer": []}, {"jwtCookie": []}],
                "requestBody": {
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Profile"}}}
                },
                "responses": {"200": {"description": "Updated"}},
            },
        },
        "/api/users/{user}/userpic": {
            "post": {
                "operationId": "uploadUserpic",
                "tags": ["users"],
                "security": [{"jwtCookie": []}],
                "parameters": [{"name": "user", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "requestBody": {
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "userpic": {"type": "string", "format": "binary"},
                                    "caption": {"type": "string", "examples": ["me"]},
                                },
                            }
                        }
                    }
                },
                "responses": {"204": {"description": "Stored"}},
            }
        },
        "/api/apps": {
            "get": {
                "operationId": "listApps",
                "tags": ["apps"],
                "security": [{"appToken": []}],
                "responses": {"200": {"description": "Apps"}},
            },
            "post": {
                "operationId": "createApp",
                "tags": ["apps"],
                "security": [{"bearer": [], "appToken": []}],
                "requestBody": {
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "properties": {"name": {"type": "string"}, "is_super": {"type": "boolean"}},
                            },
                            "example": {"name": "Menu", "is_super": False},
                        }
                    }
                },
                "responses": {"201": {"description": "Created"}},
            },
        },
        "/health": {"get": {"operationId": "health", "security": [], "responses": {"200": {"description": "Up"}}}},
    },
}  # fmt: skip


def requests_by_operation(made: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every request of the collection by the operationId its name came from."""
    names = {
        "Sign in": "login",
        "showUser": "showUser",
        "Update a user": "updateUser",
        "uploadUserpic": "uploadUserpic",
        "listApps": "listApps",
        "createApp": "createApp",
        "health": "health",
    }
    items = [entry for item in made["item"] for entry in item.get("item", [item])]
    return {names[item["name"]]: item for item in items}


def test_info_variables_and_one_folder_per_tag_in_the_documents_order() -> None:
    made = collection(DOCUMENT)
    assert made["info"]["name"] == "Gatehouse surface Z"
    assert made["info"]["schema"] == SCHEMA_URL
    assert made["info"]["description"] == "A small surface."
    assert made["variable"] == [
        {"key": "baseUrl", "value": "http://127.0.0.1:3000", "type": "string"},
        {"key": "token", "value": "", "type": "string"},
        {"key": "appToken", "value": "", "type": "string"},
    ]
    folders = [item for item in made["item"] if "item" in item]
    assert [folder["name"] for folder in folders] == ["auth", "users", "apps"]
    assert folders[0]["description"] == "Signing in and out"
    assert [item["name"] for item in folders[1]["item"]] == ["showUser", "Update a user", "uploadUserpic"]
    # An operation without a tag is a request of the collection itself.
    assert made["item"][-1]["name"] == "health"
    assert made["item"][-1]["request"]["url"]["raw"] == "{{baseUrl}}/health"


def test_the_collection_is_a_function_of_the_document() -> None:
    first = json.dumps(collection(DOCUMENT), sort_keys=True)
    assert json.dumps(collection(copy.deepcopy(DOCUMENT)), sort_keys=True) == first
    renamed = {**DOCUMENT, "info": {**DOCUMENT["info"], "title": "Gatehouse surface Y"}}
    other = collection(renamed)["info"]["_postman_id"]
    assert other != collection(DOCUMENT)["info"]["_postman_id"]
    assert len(other) == 36  # a UUID, derived from the title (uuid5), never random


def test_path_variables_query_parameters_and_headers() -> None:
    request = requests_by_operation(collection(DOCUMENT))["showUser"]["request"]
    assert request["method"] == "GET"
    url = request["url"]
    assert url["host"] == ["{{baseUrl}}"]
    assert url["path"] == ["api", "users", ":user"]
    # The path item's parameter, with its example; the required query parameter is sent.
    assert url["variable"] == [{"key": "user", "value": "7", "description": "User id"}]
    assert url["query"] == [
        {"key": "per_page", "value": "15", "disabled": True, "description": "Page size"},
        {"key": "search", "value": "ann", "disabled": False},
    ]
    assert url["raw"] == "{{baseUrl}}/api/users/:user?search=ann"
    assert request["header"] == [
        {"key": "Accept", "value": "application/json"},
        {"key": "X-Device-Id", "value": "", "disabled": True},
    ]
    assert request["auth"] == BEARER  # Sanctum's token is a bearer token too


def test_a_json_body_from_the_documented_example_and_public_routes_without_auth() -> None:
    item = requests_by_operation(collection(DOCUMENT))["login"]
    request = item["request"]
    assert item["name"] == "Sign in"
    assert request["auth"] == {"type": "noauth"}
    # JSON is preferred when the body may also be a form.
    assert request["body"] == {
        "mode": "raw",
        "raw": json.dumps(LOGIN_EXAMPLE, indent=2),
        "options": {"raw": {"language": "json"}},
    }
    assert {"key": "Content-Type", "value": "application/json"} in request["header"]


def test_a_json_body_built_from_the_schema_when_there_is_no_example() -> None:
    request = requests_by_operation(collection(DOCUMENT))["updateUser"]["request"]
    # A null default is no example: the first type that is not null shows the value.
    assert json.loads(request["body"]["raw"]) == {
        "name": "Ann",
        "age": 0,
        "roles": ["user"],
        "active": True,
        "birthday": "2000-01-31",
    }
    assert request["description"] == "Changes what is sent."
    # The first of the alternatives: the bearer header (the jwt cookie would do as well).
    assert request["auth"] == BEARER
    assert not any(header["key"] == "Cookie" for header in request["header"])


def test_a_multipart_body_with_a_file_field_and_the_jwt_cookie() -> None:
    request = requests_by_operation(collection(DOCUMENT))["uploadUserpic"]["request"]
    assert request["body"] == {
        "mode": "formdata",
        "formdata": [
            {"key": "userpic", "type": "file", "src": []},
            {"key": "caption", "value": "me", "type": "text"},
        ],
    }
    assert {"key": "Content-Type", "value": "multipart/form-data"} in request["header"]
    assert {"key": "Cookie", "value": "jwt={{token}}"} in request["header"]
    assert request["auth"] == {"type": "noauth"}
    assert request["url"]["variable"] == [{"key": "user", "value": ""}]


def test_an_urlencoded_body_and_the_app_token() -> None:
    made = requests_by_operation(collection(DOCUMENT))
    listing = made["listApps"]["request"]
    assert listing["auth"] == {
        "type": "apikey",
        "apikey": [
            {"key": "key", "value": "x-app-token", "type": "string"},
            {"key": "value", "value": "{{appToken}}", "type": "string"},
            {"key": "in", "value": "header", "type": "string"},
        ],
    }
    creating = made["createApp"]["request"]
    # Both at once: the user's token as the auth, the app's token as its header.
    assert creating["auth"] == BEARER
    assert {"key": "x-app-token", "value": "{{appToken}}"} in creating["header"]
    assert creating["body"] == {
        "mode": "urlencoded",
        "urlencoded": [
            {"key": "name", "value": "Menu", "type": "text"},
            {"key": "is_super", "value": "false", "type": "text"},
        ],
    }
    assert {"key": "Content-Type", "value": "application/x-www-form-urlencoded"} in creating["header"]


def test_documented_examples_become_saved_responses() -> None:
    item = requests_by_operation(collection(DOCUMENT))["login"]
    saved = item["response"]
    # 422 has a schema but no example: nothing to save.
    assert [(response["code"], response["status"], response["name"]) for response in saved] == [
        (200, "OK", "A token"),
        (401, "Unauthorized", "Wrong password"),
    ]
    assert json.loads(saved[0]["body"]) == TOKEN_EXAMPLE
    assert saved[0]["header"] == [{"key": "Content-Type", "value": "application/json"}]
    assert saved[0]["_postman_previewlanguage"] == "json"
    assert saved[0]["originalRequest"] == item["request"]
    assert requests_by_operation(collection(DOCUMENT))["health"]["response"] == []


def test_a_document_without_servers_leaves_the_base_url_empty() -> None:
    bare = {key: value for key, value in DOCUMENT.items() if key != "servers"}
    assert collection(bare)["variable"][0] == {"key": "baseUrl", "value": "", "type": "string"}
