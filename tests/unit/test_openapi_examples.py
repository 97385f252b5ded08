"""The seeds' examples in the surfaces' OpenAPI documents (issue 14, gatehouse_docs.examples):
each is what its schema allows (a request example is sent as a real request by schemathesis),
each answer is the shape Gatehouse answers, and every surface has those its seed gives."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from gatehouse.contracts.base import RequestModel
from gatehouse.contracts.users_admin import USERPIC_FIELD
from gatehouse.services import userpics
from gatehouse.web.app import BODY_MODEL
from gatehouse.web.deps import Source
from gatehouse_docs import examples, openapi
from gatehouse_docs.__main__ import current_documents
from gatehouse_local.template import load_template, routes

# What the seeds give, counted as the documents hold it: an example per request body media type
# (JSON and the form types of a flat body) and per answer, each named alternative on its own.
EXAMPLES_AT_LEAST = {"a": 18, "b": 12, "c": 51, "d": 41, "e": 11}
# SPEC "Deliberate deviations": what no answer ever shows, whatever a seed's example did.
NEVER_ANSWERED = {"password", "remember_token", "confirm_token"}


@dataclass(frozen=True)
class Example:
    where: str
    # The JSON pointer of its schema in the document.
    schema_pointer: str
    value: Any
    answer: bool


@pytest.fixture(scope="module")
def documents() -> dict[str, dict[str, Any]]:
    return current_documents()


def _pointer(*segments: str) -> str:
    return "".join("/" + segment.replace("~", "~0").replace("/", "~1") for segment in segments)


def _document_examples(document: dict[str, Any]) -> Iterator[Example]:
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {})
            for media_type, media in body.get("content", {}).items():
                where = f"{method.upper()} {path} request {media_type}"
                pointer = _pointer("paths", path, method, "requestBody", "content", media_type, "schema")
                yield from _media_examples(where, pointer, media, answer=False)
            for status, response in operation["responses"].items():
                for media_type, media in response.get("content", {}).items():
                    where = f"{method.upper()} {path} {status} {media_type}"
                    pointer = _pointer(
                        "paths", path, method, "responses", status, "content", media_type, "schema"
                    )
                    yield from _media_examples(where, pointer, media, answer=True)


def _media_examples(where: str, pointer: str, media: dict[str, Any], *, answer: bool) -> Iterator[Example]:
    if "example" in media:
        yield Example(where, pointer, media["example"], answer)
    for name, named in media.get("examples", {}).items():
        yield Example(f"{where} ({name})", pointer, named["value"], answer)


def _closed(document: dict[str, Any]) -> dict[str, Any]:
    """The document with every object schema that lists its properties refusing others: an answer
    holds exactly the keys its TypedDict declares, so an example's extra key is a shape Gatehouse
    never answers (a request, though, may carry keys the route ignores)."""
    closed = copy.deepcopy(document)

    def close(value: Any) -> None:
        if isinstance(value, dict):
            if value.get("type") == "object" and "properties" in value:
                value.setdefault("additionalProperties", False)
            for item in value.values():
                close(item)
        elif isinstance(value, list):
            for item in value:
                close(item)

    close(closed["components"]["schemas"])
    close(closed["paths"])
    return closed


def _validator(document: dict[str, Any], key: str, schema_pointer: str) -> Draft202012Validator:
    """A validator of the schema at `schema_pointer`, whose `#/components/schemas/…` references
    resolve in the document that holds it."""
    uri = f"urn:gatehouse:openapi:{key}"
    registry: Registry[Any] = Registry().with_resource(
        uri, Resource.from_contents(document, default_specification=DRAFT202012)
    )
    return Draft202012Validator(
        {"$ref": f"{uri}#{quote(schema_pointer)}"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def _keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for name, item in value.items():
            yield name
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


@pytest.mark.parametrize("key", openapi.SURFACE_KEYS)
def test_every_example_is_valid_for_its_schema(documents: dict[str, dict[str, Any]], key: str) -> None:
    document = documents[key]
    closed = _closed(document)
    found = list(_document_examples(document))
    assert found, f"surface {key} has no example"
    for example in found:
        validator = _validator(closed if example.answer else document, key, example.schema_pointer)
        problems = [error.message for error in validator.iter_errors(example.value)]
        assert not problems, f"{key}: {example.where}: {problems}"


@pytest.mark.parametrize("key", openapi.SURFACE_KEYS)
def test_each_surface_has_the_examples_its_seed_gives(documents: dict[str, dict[str, Any]], key: str) -> None:
    found = list(_document_examples(documents[key]))
    assert len(found) >= EXAMPLES_AT_LEAST[key]
    assert any(not example.answer for example in found)
    assert any(example.answer for example in found)


def test_every_seed_example_names_an_operation_of_its_surface(documents: dict[str, dict[str, Any]]) -> None:
    for surface, method, path in examples.SEEDS:
        assert method in documents[surface]["paths"].get(path, {}), (surface, method, path)


def _body_model(operation: openapi.Operation) -> type[RequestModel] | None:
    """The model the route reads its body with, as the document's request body names it."""
    route = operation.route
    declared: type[RequestModel] | None = (route.openapi_extra or {}).get(BODY_MODEL)
    read = openapi._models_read(list(openapi._dependencies(route.dependant)), Source.BODY)
    return declared or next(iter(read), None)


def test_every_request_example_is_accepted_by_its_route(documents: dict[str, dict[str, Any]]) -> None:
    """Beyond its schema, by the route's own request model: schemathesis sends these as real requests."""
    checked = 0
    for operation in openapi.operations(routes(load_template())):
        for method in operation.route.methods or ():
            seeded = examples.of(operation.surface.key, method.lower(), operation.route.path_format)
            if seeded is None or seeded.request is None:
                continue
            model = _body_model(operation)
            assert model is not None, (method, operation.route.path_format)
            model.parse(seeded.request)
            checked += 1
    assert checked == sum(1 for seeded in examples.SEEDS.values() if seeded.request is not None)


def test_the_userpic_example_is_an_image_the_service_takes() -> None:
    upload = examples.SEEDS[("d", "post", "/api/v1/users/id/{user_id}/update/userpic")].request
    _, extension, _ = userpics.decode(upload[USERPIC_FIELD])
    assert extension == "png"


def test_no_answer_example_shows_a_password_or_a_token_of_the_user(
    documents: dict[str, dict[str, Any]],
) -> None:
    for document in documents.values():
        for example in _document_examples(document):
            if example.answer:
                assert not NEVER_ANSWERED & set(_keys(example.value)), example.where


def test_alternative_answers_are_named_examples(documents: dict[str, dict[str, Any]]) -> None:
    """Where a seed gives several refusals for one status, each is an example of its own."""
    refusal = documents["d"]["paths"]["/api/v1/users/id/{user_id}/update/password"]["post"]["responses"][
        "422"
    ]
    media = refusal["content"]["application/json"]
    assert "example" not in media
    assert {named["value"]["message"] for named in media["examples"].values()} == {
        "Password must be strongest",
        "Wrong password",
    }
