"""The base of every request model, and the one translation of pydantic's errors to Violations.

Like Laravel's TrimStrings and ConvertEmptyStringsToNull, the cleaner trims strings (not
passwords) and reads "" and null as absent: a required field so sent is missing, an optional one
is given as None (cleared) unless its marker says `nullable=False` (then ignored). An optional
field that was not sent at all is not given (`given()` leaves it out), so an update changes
exactly what the request names. Like a FormRequest's `messages()`, a model may word some
violations itself, keyed `"field.rule"` (`"key.required"`, `"name.max"`).
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, GetJsonSchemaHandler, ValidationError, model_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, ErrorDetails

from gatehouse.contracts.fields import Checked, Confirmed
from gatehouse.errors import ValidationFailed, Violation

# Every field carries a marker (contracts.fields), whose errors are already named for their rule
# with the rule's parameters; pydantic itself only ever reports a required field missing.
_RULE_OF_ERROR_TYPE = {"missing": "required"}


@dataclass(frozen=True)
class _FieldSpec:
    name: str
    required: bool
    marker: Checked


class RequestModel(BaseModel):
    """A request's input, validated: build one with `parse`, never by hand from a request."""

    model_config = ConfigDict(frozen=True, extra="ignore", validate_by_name=False, defer_build=True)

    # The request's own wording of some violations, keyed "field.rule" (Laravel's messages()).
    messages: ClassVar[Mapping[str, str]] = {}
    # Other names clients send a field under: sent name → the field's name on the wire.
    aliases: ClassVar[Mapping[str, str]] = {}
    # Wire name → how the cleaner treats it; filled once per model class.
    wire_fields: ClassVar[Mapping[str, _FieldSpec]] = {}

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        specs: dict[str, _FieldSpec] = {}
        for name, info in cls.model_fields.items():
            markers = [item for item in info.metadata if isinstance(item, Checked)]
            if len(markers) != 1:
                raise TypeError(f"{cls.__name__}.{name} needs exactly one field marker (contracts.fields)")
            specs[info.alias or name] = _FieldSpec(name, info.is_required(), markers[0])
        cls.wire_fields = specs

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """The model's schema, saying what the cleaner makes of an empty value: a required text
        field sent as "" is missing (`minLength: 1`), unless its marker takes it as it comes."""
        schema = handler(core_schema)
        described = handler.resolve_ref_schema(schema)
        for wire_name in described.get("required", ()):
            field = described["properties"].get(wire_name, {})
            spec = cls.wire_fields.get(wire_name)
            if (
                field.get("type") == "string"
                and "minLength" not in field
                and spec
                and not spec.marker.untouched
            ):
                field["minLength"] = 1
        return schema

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Self:
        """The model of `data` (a body or a query string), or ValidationFailed with every
        invalid field's first failed rule, in the order the model declares its fields."""
        try:
            return cls.model_validate(data)
        except ValidationError as refused:
            raise ValidationFailed(violations(refused, cls.messages)) from None

    @classmethod
    def reshaped(cls, data: Mapping[str, Any]) -> Mapping[str, Any]:
        """The sent fields as the model reads them: by default with `aliases` folded in (later wins)."""
        if not cls.aliases:
            return data
        return {cls.aliases.get(name, name): value for name, value in data.items()}

    @model_validator(mode="before")
    @classmethod
    def _cleaned(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        data = cls.reshaped(data)
        cleaned: dict[str, Any] = {}
        for wire_name, spec in cls.wire_fields.items():
            if wire_name in data:
                _clean_field(cleaned, wire_name, spec, data)
        return cleaned

    def given(self) -> dict[str, Any]:
        """The fields the request sent (cleared ones as None), by field name, in declared order."""
        return {
            name: getattr(self, name) for name in type(self).model_fields if name in self.model_fields_set
        }

    def sent(self, name: str) -> bool:
        """Whether the request gave the field `name` (a cleared one too)."""
        return name in self.model_fields_set


def _clean_field(cleaned: dict[str, Any], wire_name: str, spec: _FieldSpec, data: Mapping[str, Any]) -> None:
    value = data[wire_name]
    marker = spec.marker
    if marker.untouched:
        cleaned[wire_name] = value
        return
    if isinstance(value, str) and marker.trims:
        value = value.strip()
    if value is None or value == "":
        if not spec.required and marker.rule.nullable:
            cleaned[wire_name] = None
        return
    if marker.rule.confirmed:
        value = Confirmed(value, data.get(f"{wire_name}_confirmation"))
    cleaned[wire_name] = value


def violations(refused: ValidationError, messages: Mapping[str, str]) -> list[Violation]:
    """Pydantic's errors as Violations (field, rule, params), worded by `messages` where they say."""
    return [
        _worded(_violation(error), messages)
        for error in refused.errors(include_url=False, include_input=False)
    ]


def _violation(error: ErrorDetails) -> Violation:
    field = ".".join(str(part) for part in error["loc"])
    rule = _RULE_OF_ERROR_TYPE.get(error["type"], error["type"])
    return Violation(field, rule, dict(error.get("ctx") or {}))


def _worded(violation: Violation, messages: Mapping[str, str]) -> Violation:
    # Laravel keys a custom message by the rule's name alone: "max", not "max.string".
    message = messages.get(f"{violation.field}.{violation.rule.partition('.')[0]}")
    return violation if message is None else replace(violation, message=message)
