"""Every route's answers are typed (issue 14): its success by its endpoint's return annotation,
every other status it answers by the envelope type its decorator declares (contracts.answers),
each with a JSON schema; and no answer is validated against its type at run time."""

from __future__ import annotations

import importlib
import types
import typing
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI, Response
from fastapi.routing import APIRoute
from pydantic import TypeAdapter

from gatehouse.errors import NotFound, ValidationFailed, Violation
from gatehouse.web.app import GatehouseRoute
from gatehouse_local.lambda_runtime import function_app
from gatehouse_local.template import load_template, routes

API_FUNCTIONS = {route.function_id: route for route in routes(load_template()) if route.path != "/{proxy+}"}
FUNCTION_IDS = sorted(API_FUNCTIONS)


def _app_of(function_id: str) -> FastAPI | None:
    return function_app(API_FUNCTIONS[function_id])


def _routes_of(function_id: str) -> Iterator[APIRoute]:
    app = _app_of(function_id)
    if app is not None:
        yield from (route for route in app.router.routes if isinstance(route, APIRoute))


def _return_type(route: APIRoute) -> object:
    return typing.get_type_hints(route.endpoint)["return"]


def _untyped(annotation: object) -> bool:
    """`Any`, a `dict[str, Any]`, or a list or union of them: a shape nobody declared."""
    if annotation is Any:
        return True
    origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is dict:
        return arguments[1:] == (Any,)
    if origin in (list, typing.Union, types.UnionType):
        return any(_untyped(argument) for argument in arguments)
    return False


def _bodies(annotation: object) -> list[object]:
    """The JSON bodies a return annotation declares: a Response of its own declares none, nor
    does `None` (the fallback's route, which only ever raises)."""
    members = (
        typing.get_args(annotation)
        if typing.get_origin(annotation) in (typing.Union, types.UnionType)
        else (annotation,)
    )
    return [
        member
        for member in members
        if member is not type(None) and not (isinstance(member, type) and issubclass(member, Response))
    ]


def _schema(body: Any) -> dict[str, Any]:
    adapter: TypeAdapter[Any] = TypeAdapter(body)
    return adapter.json_schema(mode="serialization")


def test_every_api_function_serves_routes() -> None:
    served = {function_id: list(_routes_of(function_id)) for function_id in FUNCTION_IDS}
    assert [function_id for function_id, found in served.items() if found] == [
        function_id for function_id in FUNCTION_IDS if _app_of(function_id) is not None
    ]
    assert sum(len(found) for found in served.values()) > 60


@pytest.mark.parametrize("function_id", FUNCTION_IDS)
def test_every_route_declares_the_type_of_its_success(function_id: str) -> None:
    for route in _routes_of(function_id):
        annotation = _return_type(route)
        assert not _untyped(annotation), f"{route.path} {route.methods}: answers an undeclared shape"
        for body in _bodies(annotation):
            assert _schema(body), f"{route.path} {route.methods}: {body!r} has no JSON schema"


@pytest.mark.parametrize("function_id", FUNCTION_IDS)
def test_every_route_declares_the_envelope_of_each_other_status_it_answers(function_id: str) -> None:
    for route in _routes_of(function_id):
        if not route.include_in_schema:
            continue  # the fallback's: whatever no route serves, in the envelope of the path's surface
        assert isinstance(route, GatehouseRoute)
        assert 500 in route.answers, f"{route.path} {route.methods}: declares no answers"
        assert route.status_code not in route.answers
        for status, body in route.answers.items():
            assert 300 <= status < 600
            schema = {} if body is None else _schema(body)
            assert body is None or schema.get("type") == "object" or "anyOf" in schema, (route.path, status)
        assert {int(status) for status in route.responses} == set(route.answers)


@pytest.mark.parametrize("function_id", FUNCTION_IDS)
def test_no_answer_is_validated_against_its_type(function_id: str) -> None:
    """An answer goes to pydantic's JSON serialiser as `Any` (no validation, no conversion),
    or is a Response of its own; no pydantic field is built for the other statuses."""
    for route in _routes_of(function_id):
        returns_response = _bodies(_return_type(route)) == []
        assert route.response_model is (None if returns_response else Any), route.path
        assert route.response_fields == {}
        assert all("model" not in response for response in route.responses.values())


@pytest.mark.parametrize("surface", ["documentarian", "jwt_auth", "org_structure", "users_admin", "goncord"])
def test_a_surface_envelope_answers_in_the_shape_its_contract_declares(surface: str) -> None:
    envelope = importlib.import_module(f"gatehouse.surfaces.envelopes.{surface}").ENVELOPE
    refusal_type: Any = importlib.import_module(f"gatehouse.contracts.{surface}").Refusal
    refusal: TypeAdapter[Any] = TypeAdapter(refusal_type)
    refused = ValidationFailed([Violation("email", "required")])
    for status, body in (
        envelope.render(refused),
        envelope.render(NotFound("user")),
        envelope.unexpected("r-1"),
    ):
        assert refusal.validate_python(body, strict=True) == body, (status, body)
