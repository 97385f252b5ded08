"""Field markers of request models: `name: Annotated[str, Text(max=255)]`.

A marker carries one `validation.Rule` and checks the field with that rule's checker, so a field
fails on its first broken rule, raised as a `PydanticCustomError` whose type is the rule's name
(`"min.string"`) and whose context is the rule's parameters; `contracts.base` turns those into
`Violation`s, which each surface words its own way. A marker also writes its field's JSON schema
(type, bounds, format, enum), from which the API documents are generated.

Which fields are required is the model's (a field without a default); what an empty or null
value means is `contracts.base`'s cleaner, before any marker runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NoReturn

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from gatehouse import validation
from gatehouse.errors import Violation
from gatehouse.validation import Kind, Rule

URL_MAX_LENGTH = 2048
_NULLABLE = "gatehouse_nullable"


@dataclass(frozen=True)
class Confirmed:
    """A value with what the request sent as its `<field>_confirmation` (the cleaner pairs them)."""

    value: Any
    confirmation: Any


@dataclass(frozen=True)
class Checked:
    """A field checked by one rule.

    `untouched`: handed over exactly as sent (not trimmed; null and "" are values, not absence),
    for free-form values whose mere presence matters.
    """

    rule: Rule
    description: str | None = None
    untouched: bool = False

    @property
    def trims(self) -> bool:
        return self.rule.kind not in ("password", "new_password") and not self.untouched

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        nullable = source is Any or type(None) in getattr(source, "__args__", ())
        return core_schema.no_info_plain_validator_function(self.check, metadata={_NULLABLE: nullable})

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        described = self.json_schema()
        if (schema.get("metadata") or {}).get(_NULLABLE) and described:
            return {"anyOf": [described, {"type": "null"}]}
        return described

    def check(self, value: Any) -> Any:
        if value is None and not self.untouched:
            return None  # an optional field sent empty or null: the cleaner let it through as None
        confirmation = None
        if isinstance(value, Confirmed):
            value, confirmation = value.value, value.confirmation
        result = validation.check_value(value, self.rule, confirmation)
        if isinstance(result, Violation):
            _refuse(result)
        return result

    def json_schema(self) -> JsonSchemaValue:
        rule = self.rule
        schema: JsonSchemaValue = dict(_KIND_SCHEMAS[rule.kind])
        low, high = _LENGTH_KEYS if rule.kind != "integer" else ("minimum", "maximum")
        for key, bound in ((low, rule.min), (high, _upper_bound(rule))):
            if bound is not None:
                schema[key] = bound
        if rule.choices is not None:
            schema["enum"] = list(rule.choices)
        if self.description is not None:
            schema["description"] = self.description
        return schema


_LENGTH_KEYS = ("minLength", "maxLength")


def _upper_bound(rule: Rule) -> int | None:
    match rule.kind:
        case "password" | "new_password":
            return validation.PASSWORD_MAX_LENGTH
        case "email":
            return rule.max or validation.EMAIL_MAX_LENGTH
        case "url":
            return rule.max or URL_MAX_LENGTH
        case "string" | "identifier" | "integer":
            return rule.max
        case _:
            return None


def _refuse(violation: Violation) -> NoReturn:
    raise PydanticCustomError(violation.rule, violation.rule, dict(violation.params))


_KIND_SCHEMAS: dict[Kind, JsonSchemaValue] = {
    "string": {"type": "string"},
    "email": {"type": "string", "format": "email"},
    "identifier": {"type": "string", "description": "An email address, or a login name (without @)."},
    "password": {"type": "string", "format": "password", "writeOnly": True},
    "new_password": {
        "type": "string",
        "format": "password",
        "writeOnly": True,
        "description": "Not one of the 10,000 most common passwords.",
    },
    "integer": {"type": "integer"},
    "boolean": {"type": "boolean"},
    "strict_boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "url": {"type": "string", "format": "uri"},
    "any": {},
    "json": {
        "description": (
            f"Any JSON value, nested at most {validation.JSON_MAX_DEPTH} deep"
            f" and at most {validation.JSON_MAX_BYTES} bytes long."
        )
    },
}


# The markers, one per kind of value. `nullable=False` (optional fields only): sent empty or
# null, the field is ignored as if absent, where by default it is given as None (cleared).


def Text(
    *, min: int | None = None, max: int | None = None, nullable: bool = True, description: str | None = None
) -> Checked:
    """A string, trimmed; NUL refused."""
    return Checked(Rule("string", min=min, max=max, nullable=nullable), description)


def Choice(*values: str, nullable: bool = True, description: str | None = None) -> Checked:
    """One of `values` (Laravel's `in:` rule)."""
    return Checked(Rule("string", choices=values, nullable=nullable), description)


def Email(*, max: int | None = None, nullable: bool = True, description: str | None = None) -> Checked:
    return Checked(Rule("email", max=max, nullable=nullable), description)


def Identifier(*, max: int | None = None, description: str | None = None) -> Checked:
    """A sign-in identifier: with an "@" a valid email, without it a login name."""
    return Checked(Rule("identifier", max=max), description)


def Password(*, min: int | None = None, confirmed: bool = False, description: str | None = None) -> Checked:
    """A password as typed: never trimmed; at most `validation.PASSWORD_MAX_LENGTH` characters."""
    return Checked(Rule("password", min=min, confirmed=confirmed), description)


def NewPassword(*, min: int, confirmed: bool = False, description: str | None = None) -> Checked:
    """A password being set: a password, and (by setting) not one of the most common ones."""
    return Checked(Rule("new_password", min=min, confirmed=confirmed), description)


def Integer(
    *, min: int | None = None, max: int | None = None, nullable: bool = True, description: str | None = None
) -> Checked:
    """An integer, or a string of its digits (forms and query strings send those)."""
    return Checked(Rule("integer", min=min, max=max, nullable=nullable), description)


def Boolean(*, description: str | None = None) -> Checked:
    """true/false, 1/0 and "1"/"0", "true"/"false", "on"/"off", "yes"/"no"."""
    return Checked(Rule("boolean"), description)


def StrictBoolean(*, nullable: bool = True, description: str | None = None) -> Checked:
    """Laravel's `boolean`: true/false, 1/0, "1"/"0" (and "true"/"false", as query strings send them)."""
    return Checked(Rule("strict_boolean", nullable=nullable), description)


def Date(*, description: str | None = None) -> Checked:
    """A calendar date, `YYYY-MM-DD`, cleaned to its ISO form."""
    return Checked(Rule("date"), description)


def Url(*, max: int | None = None, description: str | None = None) -> Checked:
    """An absolute http(s) URL."""
    return Checked(Rule("url", max=max), description)


def Json(*, max_bytes: int | None = None, description: str | None = None) -> Checked:
    """Any JSON value of bounded nesting and size."""
    return Checked(Rule("json", max=max_bytes), description)


def Anything(*, description: str | None = None) -> Checked:
    """Any value, trimmed if a string (what to make of it is the route's)."""
    return Checked(Rule("any"), description)


def Sent(*, description: str | None = None) -> Checked:
    """Any value exactly as sent, null included; the model decides what its absence means."""
    return Checked(Rule("any"), description, untouched=True)
