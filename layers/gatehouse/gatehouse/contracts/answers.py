"""What a route answers besides its success: each status with the type of its body (its
surface's error envelope), declared on the route's decorator as `responses=answers(401, 404)`.

The types are `TypedDict`s: mypy checks every answer a view builds against them, and pydantic
makes their JSON schemas (`TypeAdapter(T).json_schema()`) for an OpenAPI document; nothing
validates or serialises an answer through them at run time.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

# Status → the type of the body answered with it (None: no body, as a redirect's).
AnswerTypes = Mapping[int, object]
# FastAPI's `responses` of a route: status → {"description", "model"}.
Responses = dict[int | str, dict[str, Any]]


class Answers:
    """A surface's error envelope (`envelope`, or per status `envelopes`) for the `responses`
    of its routes: `answers(401, 404)` is a route that answers those statuses, and the ones
    every route of the surface may answer (`always`: 500, and 429 where it is rate limited)."""

    def __init__(
        self, envelope: object, always: tuple[int, ...], envelopes: AnswerTypes | None = None
    ) -> None:
        self.envelope = envelope
        self.envelopes = envelopes or {}
        self.always = always

    def __call__(self, *statuses: int, others: AnswerTypes | None = None) -> Responses:
        """`statuses` in the surface's envelope; `others` with bodies of their own (a 303: None)."""
        typed = {status: self.envelopes.get(status, self.envelope) for status in (*statuses, *self.always)}
        typed.update(others or {})
        return {
            status: {"description": HTTPStatus(status).phrase, "model": body}
            for status, body in sorted(typed.items())
        }
