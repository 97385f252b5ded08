"""Request bodies: read once per request, in whichever format the client sent.

JSON (an object), `application/x-www-form-urlencoded` and `multipart/form-data` all become the
same dict, so every route validates them with the same rules and messages. Form field names
nest the way PHP (Laravel) and Plug (Phoenix) read them: `roles[]=a&roles[]=b` is a list,
`apps[url][key]=v` an object, and an object keyed 0..n-1 (`roles[0][name]=hr`) a list. A file
part becomes a `data:` URI of its content.
"""

import base64
import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request
from starlette.datastructures import UploadFile

from gatehouse.errors import MalformedRequest

_UNREADABLE = object()
_PARSED_BODY_STATE = "parsed_body"
# A form field name nests at most this deep (`a[b][c]...`); deeper names are unreadable.
MAX_FIELD_DEPTH = 32
_FIELD_NAME = re.compile(r"([^\[\]]+)((?:\[[^\[\]]*\])*)")
_SUBSCRIPT = re.compile(r"\[([^\[\]]*)\]")


class UnreadableBody(ValueError):
    pass


async def read_body(request: Request) -> dict[str, Any] | None:
    """The body as a dict, or None when it cannot be read; parsed once and kept on the request."""
    cached = getattr(request.state, _PARSED_BODY_STATE, None)
    if cached is None:
        cached = await _parse(request)
        setattr(request.state, _PARSED_BODY_STATE, cached)
    if cached is _UNREADABLE:
        return None
    body: dict[str, Any] = cached
    return body


async def request_body(request: Request) -> dict[str, Any]:
    """The body as a dict, from JSON, a urlencoded form or a multipart form."""
    body = await read_body(request)
    if body is None:
        raise MalformedRequest()
    return body


async def _parse(request: Request) -> Any:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if media_type == "multipart/form-data":
            return await _multipart(request)
        raw = await request.body()
        if not raw.strip():
            return {}
        if media_type == "application/x-www-form-urlencoded":
            return nest_fields(parse_qsl(raw.decode(), keep_blank_values=True, strict_parsing=False))
        return _json_object(raw)
    except (UnreadableBody, UnicodeDecodeError):
        return _UNREADABLE


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(raw)
    except (ValueError, RecursionError):
        # RecursionError: nesting deeper than the interpreter's stack (`[[[[...`) is unreadable too.
        raise UnreadableBody from None
    if not isinstance(parsed, dict):
        raise UnreadableBody
    return parsed


async def _multipart(request: Request) -> dict[str, Any]:
    try:
        form = await request.form()
    except Exception:
        # Starlette raises its own parser errors (a bad boundary, a truncated part, ...).
        raise UnreadableBody from None
    fields: list[tuple[str, Any]] = []
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            content = await value.read()
            media = value.content_type or "application/octet-stream"
            fields.append((name, f"data:{media};base64,{base64.b64encode(content).decode('ascii')}"))
        else:
            fields.append((name, value))
    await form.close()
    return nest_fields(fields)


def nest_fields(fields: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """Form fields to a nested dict, reading `a[b][]` names as PHP and Plug do; later fields win."""
    root: dict[str, Any] = {}
    for name, value in fields:
        match = _FIELD_NAME.fullmatch(name)
        if match is None:
            root[name] = value  # not a bracketed name (`[x]`, `a[`): kept as it is, like PHP
            continue
        path = [match.group(1), *_SUBSCRIPT.findall(match.group(2))]
        if len(path) > MAX_FIELD_DEPTH:
            raise UnreadableBody
        _assign(root, path, value)
    return {key: _listify(child) for key, child in root.items()}


def _assign(container: dict[str, Any], path: list[str], value: Any) -> None:
    node: dict[str, Any] = container
    for position, key in enumerate(path):
        last = position == len(path) - 1
        if key == "":
            # `name[]`: append, as the next index of the list being built.
            key = str(sum(1 for existing in node if existing.isdigit()))
        if last:
            node[key] = value
            return
        child = node.get(key)
        if not isinstance(child, dict):
            child = {}
            node[key] = child
        node = child


def _listify(value: Any) -> Any:
    """Objects keyed exactly 0..n-1 become lists (PHP encodes such arrays as JSON lists)."""
    if not isinstance(value, dict):
        return value
    converted = {key: _listify(child) for key, child in value.items()}
    if converted and all(key.isdigit() for key in converted):
        indexes = sorted(int(key) for key in converted)
        if indexes == list(range(len(indexes))):
            return [converted[str(index)] for index in indexes]
    return converted
