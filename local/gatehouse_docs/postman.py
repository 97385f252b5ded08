"""A Postman Collection (v2.1.0) made from a surface's OpenAPI 3.1 document.

One folder per tag, one request per operation, each with its path variables, query parameters,
headers, body (JSON, urlencoded or multipart, from the request body's example or else its
schema), authentication (`{{token}}` for bearer tokens and the `jwt` cookie, `{{appToken}}` for
an API key header) and the documented examples as saved responses; the collection variables
`baseUrl` (the document's first server), `token` and `appToken`.

The output is a function of the document alone: no random ids, no timestamps, so that the
exported files change only when the document does.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from http import HTTPStatus
from typing import Any

SCHEMA_URL = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
OPERATION_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# The request body encodings Postman can send, the one it shows first when several are documented.
BODY_MODES = {
    "application/json": "raw",
    "application/x-www-form-urlencoded": "urlencoded",
    "multipart/form-data": "formdata",
}
TOKEN = "{{token}}"
APP_TOKEN = "{{appToken}}"
# How deep an example is built from a schema: enough for every documented shape, and a stop
# for recursive schemas.
EXAMPLE_DEPTH = 8

Json = Any


def collection(document: Mapping[str, Any]) -> dict[str, Any]:
    """The Postman collection of `document` (an OpenAPI 3.1 document)."""
    info = document["info"]
    title = str(info["title"])
    folders: dict[str, list[dict[str, Any]]] = {str(tag["name"]): [] for tag in document.get("tags") or []}
    untagged: list[dict[str, Any]] = []
    for path, method, operation, parameters in _operations(document):
        item = _item(document, path, method, operation, parameters)
        tags = operation.get("tags") or []
        if tags:
            folders.setdefault(str(tags[0]), []).append(item)
        else:
            untagged.append(item)
    descriptions = {str(tag["name"]): tag.get("description") for tag in document.get("tags") or []}
    items = [_folder(name, descriptions.get(name), entries) for name, entries in folders.items() if entries]
    servers = document.get("servers") or [{}]
    about = {
        "_postman_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"gatehouse:{title}")),
        "name": title,
        "schema": SCHEMA_URL,
    }
    if info.get("description"):
        about["description"] = str(info["description"])
    return {
        "info": about,
        "item": items + untagged,
        "variable": [
            {"key": "baseUrl", "value": str(servers[0].get("url", "")), "type": "string"},
            {"key": "token", "value": "", "type": "string"},
            {"key": "appToken", "value": "", "type": "string"},
        ],
    }


def _folder(name: str, description: Any, items: list[dict[str, Any]]) -> dict[str, Any]:
    folder: dict[str, Any] = {"name": name, "item": items}
    if description:
        folder["description"] = str(description)
    return folder


def _operations(
    document: Mapping[str, Any],
) -> Iterator[tuple[str, str, Mapping[str, Any], list[Mapping[str, Any]]]]:
    """Each operation with its parameters: the path item's, overridden by the operation's own."""
    for path, path_item in (document.get("paths") or {}).items():
        shared = [_resolved(document, parameter) for parameter in path_item.get("parameters") or []]
        for method in OPERATION_METHODS:
            operation = path_item.get(method)
            if operation is None:
                continue
            own = [_resolved(document, parameter) for parameter in operation.get("parameters") or []]
            overridden = {(parameter["name"], parameter["in"]) for parameter in own}
            inherited = [p for p in shared if (p["name"], p["in"]) not in overridden]
            yield path, method, operation, inherited + own


def _item(
    document: Mapping[str, Any],
    path: str,
    method: str,
    operation: Mapping[str, Any],
    parameters: list[Mapping[str, Any]],
) -> dict[str, Any]:
    headers = [{"key": "Accept", "value": "application/json"}]
    headers += [_header_parameter(document, p) for p in parameters if p["in"] == "header"]
    cookies = [
        f"{parameter['name']}={_parameter_value(document, parameter)}"
        for parameter in parameters
        if parameter["in"] == "cookie" and parameter.get("required")
    ]
    auth, auth_headers, auth_cookies = _auth(document, operation)
    headers += auth_headers
    cookies += auth_cookies
    if cookies:
        headers.append({"key": "Cookie", "value": "; ".join(cookies)})
    request: dict[str, Any] = {
        "method": method.upper(),
        "header": headers,
        "url": _url(document, path, parameters),
        "auth": auth,
    }
    body = _body(document, operation.get("requestBody"))
    if body is not None:
        content_type, request["body"] = body
        headers.append({"key": "Content-Type", "value": content_type})
    if operation.get("description"):
        request["description"] = str(operation["description"])
    return {
        "name": str(operation.get("summary") or operation.get("operationId") or f"{method.upper()} {path}"),
        "request": request,
        "response": list(_saved_responses(document, operation, request)),
    }


def _url(document: Mapping[str, Any], path: str, parameters: list[Mapping[str, Any]]) -> dict[str, Any]:
    segments = [
        f":{segment[1:-1]}" if segment.startswith("{") and segment.endswith("}") else segment
        for segment in path.strip("/").split("/")
    ]
    variables = [
        _described({"key": p["name"], "value": _parameter_value(document, p)}, p)
        for p in parameters
        if p["in"] == "path"
    ]
    query = [
        _described(
            {"key": p["name"], "value": _parameter_value(document, p), "disabled": not p.get("required")}, p
        )
        for p in parameters
        if p["in"] == "query"
    ]
    sent = [f"{entry['key']}={entry['value']}" for entry in query if not entry["disabled"]]
    raw = "{{baseUrl}}/" + "/".join(segments) + (f"?{'&'.join(sent)}" if sent else "")
    url: dict[str, Any] = {"raw": raw, "host": ["{{baseUrl}}"], "path": segments}
    if query:
        url["query"] = query
    if variables:
        url["variable"] = variables
    return url


def _described(entry: dict[str, Any], parameter: Mapping[str, Any]) -> dict[str, Any]:
    if parameter.get("description"):
        entry["description"] = str(parameter["description"])
    return entry


def _header_parameter(document: Mapping[str, Any], parameter: Mapping[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {"key": parameter["name"], "value": _parameter_value(document, parameter)}
    if not parameter.get("required"):
        entry["disabled"] = True
    return _described(entry, parameter)


def _parameter_value(document: Mapping[str, Any], parameter: Mapping[str, Any]) -> str:
    if "example" in parameter:
        return _text(parameter["example"])
    examples = parameter.get("examples") or {}
    for example in examples.values():
        value = _resolved(document, example)
        if "value" in value:
            return _text(value["value"])
    hinted = _hint(_resolved(document, parameter.get("schema") or {}))
    return "" if hinted is _NO_HINT else _text(hinted)


def _auth(
    document: Mapping[str, Any], operation: Mapping[str, Any]
) -> tuple[dict[str, Any], list[dict[str, Any]], list[str]]:
    """The request's auth, extra headers and cookies, from the first security requirement that
    applies (the alternatives are equivalent; `[]` means a public route)."""
    requirements = operation.get("security", document.get("security")) or []
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    auth: dict[str, Any] = {"type": "noauth"}
    headers: list[dict[str, Any]] = []
    cookies: list[str] = []
    for name in requirements[0] if requirements else {}:
        scheme = schemes.get(name) or {}
        if scheme.get("type") == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
            auth = {"type": "bearer", "bearer": [{"key": "token", "value": TOKEN, "type": "string"}]}
        elif scheme.get("type") == "apiKey" and scheme.get("in") == "cookie":
            cookies.append(f"{scheme['name']}={TOKEN}")
        elif scheme.get("type") == "apiKey" and scheme.get("in") == "header":
            headers.append({"key": str(scheme["name"]), "value": APP_TOKEN})
    if auth["type"] == "noauth" and len(headers) == 1 and not cookies:
        auth = {
            "type": "apikey",
            "apikey": [
                {"key": "key", "value": headers[0]["key"], "type": "string"},
                {"key": "value", "value": APP_TOKEN, "type": "string"},
                {"key": "in", "value": "header", "type": "string"},
            ],
        }
        headers = []
    return auth, headers, cookies


def _body(document: Mapping[str, Any], request_body: Any) -> tuple[str, dict[str, Any]] | None:
    if request_body is None:
        return None
    content = _resolved(document, request_body).get("content") or {}
    media_type = next((kind for kind in BODY_MODES if kind in content), None)
    if media_type is None:
        return None
    media = content[media_type]
    schema = _resolved(document, media.get("schema") or {})
    example = _media_example(document, media)
    value = example if example is not None else _schema_example(document, schema, EXAMPLE_DEPTH)
    mode = BODY_MODES[media_type]
    body: dict[str, Any]
    if mode == "raw":
        body = {
            "mode": "raw",
            "raw": json.dumps(value, indent=2, ensure_ascii=False),
            "options": {"raw": {"language": "json"}},
        }
    else:
        body = {"mode": mode, mode: _form_fields(document, schema, value, files=mode == "formdata")}
    return media_type, body


def _form_fields(
    document: Mapping[str, Any], schema: Mapping[str, Any], value: Any, *, files: bool
) -> list[dict[str, Any]]:
    properties = _object_properties(document, schema)
    fields: list[dict[str, Any]] = []
    for name, field_value in (value if isinstance(value, dict) else {}).items():
        field_schema = _resolved(document, properties.get(name) or {})
        if files and field_schema.get("format") == "binary":
            fields.append({"key": name, "type": "file", "src": []})
        else:
            fields.append({"key": name, "value": _text(field_value), "type": "text"})
    return fields


def _saved_responses(
    document: Mapping[str, Any], operation: Mapping[str, Any], request: Mapping[str, Any]
) -> Iterator[dict[str, Any]]:
    for status, response in (operation.get("responses") or {}).items():
        if not str(status).isdigit():
            continue
        answer = _resolved(document, response)
        for media_type, media in (answer.get("content") or {}).items():
            for label, example in _media_examples(document, media):
                code = int(status)
                yield {
                    "name": label or str(answer.get("description") or status),
                    "originalRequest": request,
                    "status": _reason(code),
                    "code": code,
                    "_postman_previewlanguage": "json" if "json" in media_type else "text",
                    "header": [{"key": "Content-Type", "value": media_type}],
                    "body": example
                    if isinstance(example, str)
                    else json.dumps(example, indent=2, ensure_ascii=False),
                }


def _media_examples(document: Mapping[str, Any], media: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """A media type's examples, each with its summary (or its name)."""
    if "example" in media:
        yield "", media["example"]
    for name, example in (media.get("examples") or {}).items():
        value = _resolved(document, example)
        if "value" in value:
            yield str(value.get("summary") or name), value["value"]


def _media_example(document: Mapping[str, Any], media: Mapping[str, Any]) -> Any:
    return next((value for _, value in _media_examples(document, media)), None)


def _reason(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return str(code)


def _schema_example(document: Mapping[str, Any], schema: Mapping[str, Any], depth: int) -> Json:
    """A value that fits `schema`: its own example, default, constant or first enumerated
    value where it has one, else one built from its type (an object from its properties)."""
    hinted = _hint(schema)
    if hinted is not _NO_HINT:
        return hinted
    if depth == 0:
        return None
    choices = schema.get("anyOf") or schema.get("oneOf")
    if choices:
        options = [_resolved(document, choice) for choice in choices]
        chosen = next((option for option in options if option.get("type") != "null"), options[0])
        return _schema_example(document, chosen, depth - 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((name for name in kind if name != "null"), "null")
    if kind == "object" or "properties" in schema or "allOf" in schema:
        return {
            name: _schema_example(document, _resolved(document, field), depth - 1)
            for name, field in _object_properties(document, schema).items()
        }
    if kind == "array":
        return [_schema_example(document, _resolved(document, schema.get("items") or {}), depth - 1)]
    if kind == "string":
        return _FORMAT_EXAMPLES.get(str(schema.get("format")), "")
    return _SCALAR_EXAMPLES.get(str(kind), "")


def _hint(schema: Mapping[str, Any]) -> Json:
    """The value `schema` itself suggests (its example, default, constant or first enumerated
    value), else _NO_HINT."""
    for key in ("example", "default", "const"):
        # A `null` default only says the field may be left out: an example shows a value.
        if key in schema and not (key == "default" and schema[key] is None):
            return schema[key]
    for key in ("examples", "enum"):
        if schema.get(key):
            return schema[key][0]
    return _NO_HINT


_NO_HINT = object()
_SCALAR_EXAMPLES: dict[str, Json] = {"integer": 0, "number": 0, "boolean": False, "null": None}
_FORMAT_EXAMPLES = {"email": "user@example.com", "date": "2000-01-31", "date-time": "2000-01-31T12:00:00Z"}


def _object_properties(document: Mapping[str, Any], schema: Mapping[str, Any]) -> dict[str, Any]:
    """An object schema's properties, those of its `allOf` parts included."""
    properties: dict[str, Any] = {}
    for part in schema.get("allOf") or []:
        properties.update(_object_properties(document, _resolved(document, part)))
    properties.update(schema.get("properties") or {})
    return properties


def _resolved(document: Mapping[str, Any], node: Any) -> Mapping[str, Any]:
    """`node`, or what its local `$ref` (`#/components/...`) points at."""
    seen: set[str] = set()
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        reference: str = node["$ref"]
        if not reference.startswith("#/") or reference in seen:
            return {}
        seen.add(reference)
        target: Any = document
        for part in reference[2:].split("/"):
            target = (
                target.get(part.replace("~1", "/").replace("~0", "~"))
                if isinstance(target, Mapping)
                else None
            )
        node = target
    return node if isinstance(node, Mapping) else {}


def _text(value: Any) -> str:
    """A value as a query, path or form field carries it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)
