"""One OpenAPI 3.1 document per surface, made from the code that serves it.

A surface spans functions (A's positions are served by OrgStructure, D by two functions), so the
documents are made from every function template.yaml routes, each route put in the surface that
owns its path (the app's `surfaces`, as its error envelope is chosen). What a route reads comes
from its dependencies: `Body[Model]` / `Query[Model]` (contracts), path and header parameters, and
the credential a dependency `needs`; what it answers from its return annotation (its success) and
its `answers` (every other status with its envelope). Examples come from the seed documents
(`gatehouse_docs.examples`).
"""

from __future__ import annotations

import inspect
import re
import types
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Union, cast, get_args, get_origin

from fastapi import FastAPI, Response
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_typed_return_annotation
from fastapi.routing import APIRoute
from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import CoreSchema

from gatehouse.contracts.base import RequestModel
from gatehouse.surfaces import documentarian, goncord, jwt_auth, org_structure, users_admin
from gatehouse.surfaces.envelope import Surface
from gatehouse.web.app import BODY_MODEL, QUERY_MODEL, GatehouseRoute
from gatehouse.web.body import request_body
from gatehouse.web.deps import Credential, Source, credential_of, parsed_model
from gatehouse.web.errors import surface_at
from gatehouse_docs import examples
from gatehouse_local.lambda_runtime import function_app
from gatehouse_local.template import Route

OPENAPI_VERSION = "3.1.0"
LOCAL_SERVER = {"url": "http://127.0.0.1:3000", "description": "The local run (`make start`)."}
# Bodies a browser form sends reach the same models as JSON ones (web/body.py).
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
JSON = "application/json"
_COMPONENT_REF = "#/components/schemas/{model}"
_PATH_PARAMETER = re.compile(r"{([^}:]+)(?::[^}]*)?}")
_OPERATION_METHODS = ("get", "head", "post", "put", "patch", "delete")

SECURITY_SCHEMES: dict[str, dict[str, Any]] = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A token from this surface's sign-in (any surface's token is accepted).",
    },
    "sanctum": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "Sanctum",
        "description": "The `{id}|{secret}` token of `POST /api/login` (any surface's token is accepted).",
    },
    "jwtCookie": {
        "type": "apiKey",
        "in": "cookie",
        "name": "jwt",
        "description": "Goncord's `jwt` cookie, read only when no `Authorization` header is sent.",
    },
    "appToken": {
        "type": "apiKey",
        "in": "header",
        "name": "x-app-token",
        "description": "The token of an app registered through `/api/v0/apps`.",
    },
}


@dataclass(frozen=True)
class SurfaceInfo:
    key: str
    title: str
    description: str
    # The security requirements a route needing the surface's token has (any one of them).
    token: tuple[str, ...]


SURFACES: dict[Surface, SurfaceInfo] = {
    documentarian.SURFACE: SurfaceInfo(
        "a",
        "Gatehouse: surface A (playschool.webapi, Documentarian)",
        "Registration, sign-in, password recovery and the demand, position, user and user_meta "
        "resources of `uraydev/playschool.webapi`: Laravel validation messages, JWT bearer tokens.",
        ("bearer",),
    ),
    jwt_auth.SURFACE: SurfaceInfo(
        "b",
        "Gatehouse: surface B (ivory-laravel, tymon/jwt-auth)",
        "`/api/auth/*` of `samnyan/ivory-laravel`: tymon/jwt-auth 1.0 tokens (`expires_in` 3600).",
        ("bearer",),
    ),
    org_structure.SURFACE: SurfaceInfo(
        "c",
        "Gatehouse: surface C (wazzupfree organisation structure)",
        "Organizations, departments, positions, roles and the staff directory of "
        "`Zhangirkhan/wazzupfree`, with Sanctum-style tokens from `POST /api/login`.",
        ("sanctum",),
    ),
    users_admin.SURFACE: SurfaceInfo(
        "d",
        "Gatehouse: surface D (users administration and logs)",
        "`/api/v1/users/*`, `/api/v1/logs/list/filtered` and `/api/v1/groups`: the `status` envelope, "
        "one super user, permission groups.",
        ("bearer",),
    ),
    goncord.SURFACE: SurfaceInfo(
        "e",
        "Gatehouse: surface E (Goncord)",
        "`/api/v0/*` of `dmitrydprog/goncord.ex`: HS512 tokens in the `Authorization` header or the "
        "`jwt` cookie, apps and their `x-app-token`.",
        ("bearer", "jwtCookie"),
    ),
}
SURFACE_KEYS = tuple(info.key for info in SURFACES.values())


@dataclass(frozen=True)
class Operation:
    """A route of a function's app, as one surface documents it."""

    function_id: str
    route: APIRoute
    surface: SurfaceInfo


def function_apps(routes: Sequence[Route]) -> Iterator[tuple[str, FastAPI]]:
    """Every function that template.yaml routes API requests to and that serves a FastAPI app."""
    first_route_of: dict[str, Route] = {}
    for route in routes:
        first_route_of.setdefault(route.function_id, route)
    for function_id, route in sorted(first_route_of.items()):
        app = function_app(route)
        if app is not None:
            yield function_id, app


def operations(routes: Sequence[Route]) -> list[Operation]:
    found = []
    for function_id, app in function_apps(routes):
        for route in app.router.routes:
            # A path with a trailing slash is its twin without one (the edge drops the slash).
            if (
                not isinstance(route, APIRoute)
                or not route.include_in_schema
                or route.path_format.endswith("/")
            ):
                continue
            surface = surface_at(route.path_format, app.state.surfaces)
            if surface in SURFACES:
                found.append(Operation(function_id, route, SURFACES[surface]))
    return found


def documents(routes: Sequence[Route], version: str) -> dict[str, dict[str, Any]]:
    """Surface key → its OpenAPI document."""
    every_operation = operations(routes)
    return {
        info.key: _Document(info, version).build(
            [operation for operation in every_operation if operation.surface is info]
        )
        for info in SURFACES.values()
    }


class _Document:
    """One surface's document: operations first, then the schemas they referred to."""

    def __init__(self, surface: SurfaceInfo, version: str) -> None:
        self.surface = surface
        self.version = version
        self.schemas = _Schemas()
        self.operation_ids: set[str] = set()

    def build(self, operations: Sequence[Operation]) -> dict[str, Any]:
        paths: dict[str, dict[str, Any]] = {}
        for operation in sorted(operations, key=lambda op: op.route.path_format):
            route = operation.route
            # A set: in one order, or operation ids and schema names would differ from run to run.
            for method in sorted(route.methods or (), key=_method_order):
                described = self._operation(operation, method.lower())
                paths.setdefault(route.path_format, {})[method.lower()] = described
        # One path may be served by several routes (a GET and a POST): its methods in one order.
        ordered_paths = {
            path: dict(sorted(ops.items(), key=lambda item: _method_order(item[0])))
            for path, ops in paths.items()
        }
        components = self.schemas.resolve(ordered_paths)
        schemes_used = _schemes_used(ordered_paths)
        return {
            "openapi": OPENAPI_VERSION,
            "info": {
                "title": self.surface.title,
                "version": self.version,
                "description": self.surface.description,
            },
            "servers": [LOCAL_SERVER],
            "paths": ordered_paths,
            "components": {
                "schemas": components,
                "securitySchemes": {
                    name: scheme for name, scheme in SECURITY_SCHEMES.items() if name in schemes_used
                },
            },
            "tags": [
                {"name": tag}
                for tag in sorted(
                    {t for ops in ordered_paths.values() for op in ops.values() for t in op["tags"]}
                )
            ],
        }

    def _operation(self, operation: Operation, method: str) -> dict[str, Any]:
        route = operation.route
        dependencies = list(_dependencies(route.dependant))
        described: dict[str, Any] = {
            "operationId": self._operation_id(route, method),
            "summary": _summary(route.endpoint),
            "tags": [_tag(route.path_format)],
        }
        description = _description(route.endpoint)
        if description:
            described["description"] = description
        parameters = [
            *_path_parameters(route),
            *self._query_parameters(_query_models(route, dependencies)),
            *_header_parameters(route),
        ]
        if parameters:
            described["parameters"] = parameters
        body = self._request_body(route, dependencies, method)
        if body is not None:
            described["requestBody"] = body
        described["responses"] = self._responses(route, method)
        described["security"] = _security(dependencies, self.surface)
        seeded = examples.of(self.surface.key, method, route.path_format)
        if seeded is not None:
            seeded.apply(described)
        return described

    def _operation_id(self, route: APIRoute, method: str) -> str:
        base = route.endpoint.__name__ + ("_head" if method == "head" else "")
        candidate, number = base, 1
        while candidate in self.operation_ids:
            number += 1
            candidate = f"{base}_{number}"
        self.operation_ids.add(candidate)
        return candidate

    def _query_parameters(self, models: Sequence[type[RequestModel]]) -> list[dict[str, Any]]:
        parameters = []
        for model in models:
            schema = model.model_json_schema(by_alias=True, ref_template=_COMPONENT_REF)
            required = set(schema.get("required", ()))
            for name, property_schema in schema.get("properties", {}).items():
                parameter: dict[str, Any] = {
                    "name": name,
                    "in": "query",
                    "required": name in required,
                    "schema": _query_value(property_schema),
                }
                if "description" in property_schema:
                    parameter["description"] = property_schema["description"]
                parameters.append(parameter)
        return parameters

    def _request_body(
        self, route: APIRoute, dependencies: Sequence[Dependant], method: str
    ) -> dict[str, Any] | None:
        if method in ("get", "head"):
            return None
        model = (route.openapi_extra or {}).get(BODY_MODEL) or next(
            iter(_models_read(dependencies, Source.BODY)), None
        )
        if model is not None:
            schema = self.schemas.model(model)
            flat = all(
                _is_scalar(value)
                for value in model.model_json_schema(by_alias=True).get("properties", {}).values()
            )
            media_types = (JSON, *FORM_TYPES) if flat else (JSON,)
            return {
                "required": any(field.is_required() for field in model.model_fields.values()),
                "content": {media_type: {"schema": schema} for media_type in media_types},
            }
        if any(dependency.call is request_body for dependency in dependencies):
            # A free-form JSON object that no model describes (E's own payload of an app).
            free_form = {"type": "object", "additionalProperties": True}
            return {"required": True, "content": {JSON: {"schema": free_form}}}
        return None

    def _responses(self, route: APIRoute, method: str) -> dict[str, Any]:
        success_status = route.status_code or HTTPStatus.OK
        success_body = _answered_type(get_typed_return_annotation(route.endpoint))
        answered: dict[int, object] = {int(success_status): success_body}
        answered.update(getattr(route, "answers", {}) if isinstance(route, GatehouseRoute) else {})
        responses: dict[str, Any] = {}
        for status, body in sorted(answered.items()):
            response: dict[str, Any] = {"description": HTTPStatus(status).phrase}
            if body is not None and method != "head" and status != HTTPStatus.NO_CONTENT:
                response["content"] = {JSON: {"schema": self.schemas.answer(body)}}
            if 300 <= status < 400:
                response["headers"] = {
                    "Location": {"schema": {"type": "string"}, "description": "Where to go next."}
                }
            responses[str(status)] = response
        return responses


class _Schemas:
    """The component schemas of one document: request models (as they validate) and answer types
    (as they serialise), generated together so pydantic names each once."""

    def __init__(self) -> None:
        self._inputs: dict[str, tuple[str, CoreSchema]] = {}
        # By (mode, type): types compare by value (`list[AppView]` is made afresh for every route
        # that answers it), so each one is generated once.
        self._keys: dict[tuple[str, object], str] = {}

    def model(self, model: type[BaseModel]) -> dict[str, str]:
        return self._placeholder(model, "validation", model.__pydantic_core_schema__)

    def answer(self, answer_type: object) -> dict[str, str]:
        return self._placeholder(
            answer_type, "serialization", TypeAdapter[Any](cast(Any, answer_type)).core_schema
        )

    def _placeholder(self, key_object: object, mode: str, core_schema: CoreSchema) -> dict[str, str]:
        key = self._keys.setdefault((mode, key_object), f"schema-{len(self._keys)}")
        self._inputs[key] = (mode, core_schema)
        return {"$gatehouse": key}

    def resolve(self, paths: dict[str, Any]) -> dict[str, JsonSchemaValue]:
        """Replaces every placeholder in `paths` by its schema; the definitions they refer to."""
        generator = GenerateJsonSchema(by_alias=True, ref_template=_COMPONENT_REF)
        inputs = [(key, mode, schema) for key, (mode, schema) in self._inputs.items()]
        schemas, definitions = generator.generate_definitions(inputs)  # type: ignore[arg-type]
        by_key = {key: schema for (key, _), schema in schemas.items()}
        _replace_placeholders(paths, by_key)
        return dict(sorted(definitions.items()))


def _replace_placeholders(value: Any, schemas: Mapping[str, JsonSchemaValue]) -> None:
    if isinstance(value, dict):
        for name, item in value.items():
            if isinstance(item, dict) and set(item) == {"$gatehouse"}:
                value[name] = schemas[item["$gatehouse"]]
            else:
                _replace_placeholders(item, schemas)
    elif isinstance(value, list):
        for item in value:
            _replace_placeholders(item, schemas)


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for dependency in dependant.dependencies:
        yield dependency
        yield from _dependencies(dependency)


def _schemes_used(paths: Mapping[str, Mapping[str, Any]]) -> set[str]:
    return {
        name
        for operations in paths.values()
        for operation in operations.values()
        for requirement in operation["security"]
        for name in requirement
    }


def _models_read(dependencies: Sequence[Dependant], source: Source) -> list[type[RequestModel]]:
    parsed = (parsed_model(dependency.call) for dependency in dependencies if dependency.call is not None)
    return [read[1] for read in parsed if read is not None and read[0] is source]


def _query_models(route: APIRoute, dependencies: Sequence[Dependant]) -> list[type[RequestModel]]:
    read_itself = (route.openapi_extra or {}).get(QUERY_MODEL)
    return [*_models_read(dependencies, Source.QUERY), *([read_itself] if read_itself else [])]


def _security(dependencies: Sequence[Dependant], surface: SurfaceInfo) -> list[dict[str, list[str]]]:
    credentials = {
        credential_of(dependency.call) for dependency in dependencies if dependency.call is not None
    }
    if Credential.TOKEN in credentials or Credential.OPTIONAL_TOKEN in credentials:
        requirements: list[dict[str, list[str]]] = [{scheme: []} for scheme in surface.token]
    else:
        requirements = [{}]
    if Credential.APP_TOKEN in credentials:
        requirements = [{**requirement, "appToken": []} for requirement in requirements]
    if Credential.OPTIONAL_TOKEN in credentials and Credential.TOKEN not in credentials:
        requirements.append({})
    return [] if requirements == [{}] else requirements


def _path_parameters(route: APIRoute) -> list[dict[str, Any]]:
    """Each `{name}` of the path, typed as the endpoint or the dependency that reads it takes it:
    an integer where a dependency turns the text into an `int` (D's ids)."""
    declared: dict[str, object] = {}
    for dependant in (route.dependant, *_dependencies(route.dependant)):
        returns_int = dependant.call is not None and _returns(dependant.call) is int
        for field in dependant.path_params:
            declared[field.name] = int if returns_int else field.field_info.annotation
    return [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "integer"} if declared.get(name) is int else {"type": "string"},
        }
        for name in _PATH_PARAMETER.findall(route.path_format)
    ]


def _header_parameters(route: APIRoute) -> list[dict[str, Any]]:
    """Headers a route reads, except `x-app-token`, which is a security scheme."""
    headers: dict[str, dict[str, Any]] = {}
    for dependant in (route.dependant, *_dependencies(route.dependant)):
        for field in dependant.header_params:
            name = field.alias.replace("_", "-")
            if name != SECURITY_SCHEMES["appToken"]["name"]:
                headers[name] = {
                    "name": name,
                    "in": "header",
                    "required": False,
                    "schema": {"type": "string"},
                }
    return list(headers.values())


def _returns(call: Callable[..., Any]) -> object:
    try:
        return get_typed_return_annotation(call)
    except (NameError, TypeError):
        return None


def _answered_type(annotation: object) -> object:
    """The body type of a return annotation: without its `Response` alternatives (a redirect
    answers a status of its own), None when only a `Response` is left (no body)."""
    if get_origin(annotation) in (Union, types.UnionType):
        bodies = [member for member in get_args(annotation) if not _is_response(member)]
        if not bodies:
            return None
        return bodies[0] if len(bodies) == 1 else Union[tuple(bodies)]  # noqa: UP007
    return None if annotation is None or _is_response(annotation) else annotation


def _is_response(annotation: object) -> bool:
    return inspect.isclass(annotation) and issubclass(annotation, Response)


def _query_value(schema: JsonSchemaValue) -> JsonSchemaValue:
    """A query parameter's schema: no null (a query string cannot send one), no pydantic title."""
    alternatives = [option for option in schema.get("anyOf", ()) if option.get("type") != "null"]
    value = dict(alternatives[0]) if len(alternatives) == 1 else dict(schema)
    for key in ("title", "default", "description"):
        value.pop(key, None)
    return value


def _is_scalar(schema: JsonSchemaValue) -> bool:
    options = schema.get("anyOf", [schema])
    return all(option.get("type") in ("string", "integer", "number", "boolean", "null") for option in options)


def _tag(path: str) -> str:
    """The resource a path names: its first segment after `/api` and any version."""
    segments = [segment for segment in path.split("/") if segment and segment != "api"]
    if segments and re.fullmatch(r"v\d+", segments[0]):
        segments = segments[1:]
    return segments[0] if segments else "root"


def _summary(endpoint: Callable[..., Any]) -> str:
    return endpoint.__name__.replace("_", " ").capitalize()


def _description(endpoint: Callable[..., Any]) -> str | None:
    return inspect.cleandoc(endpoint.__doc__) if endpoint.__doc__ else None


def _method_order(method: str) -> int:
    return (
        _OPERATION_METHODS.index(method.lower())
        if method.lower() in _OPERATION_METHODS
        else len(_OPERATION_METHODS)
    )
