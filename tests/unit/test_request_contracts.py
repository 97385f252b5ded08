"""The request models (gatehouse.contracts): what each rule accepts, refuses and how it cleans
values; the one translation of a refusal into Violations; what "absent", "empty" and "null"
mean; the JSON schema each model publishes; and every body format reaching the same model."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from types import ModuleType
from typing import Annotated, Any, ClassVar

import pytest
from pydantic import Field

from gatehouse.contracts import documentarian, goncord, jwt_auth, org_structure, users_admin
from gatehouse.contracts.base import RequestModel
from gatehouse.contracts.fields import (
    Anything,
    Boolean,
    Choice,
    Date,
    Email,
    Identifier,
    Integer,
    Json,
    NewPassword,
    Password,
    Sent,
    StrictBoolean,
    Text,
    Url,
)
from gatehouse.errors import MalformedRequest, ValidationFailed, Violation
from gatehouse.settings import get_settings
from gatehouse.surfaces import laravel
from gatehouse.validation import JSON_MAX_BYTES, JSON_MAX_DEPTH, PASSWORD_MAX_LENGTH
from gatehouse_local.testing import ApiClient, multipart
from tests.api.documentarian_client import own_id, signed_up


def refusal(model: type[RequestModel], data: Mapping[str, object]) -> list[Violation]:
    with pytest.raises(ValidationFailed) as caught:
        model.parse(data)
    return caught.value.violations


def rules_failed(model: type[RequestModel], data: Mapping[str, object]) -> dict[str, str]:
    return {violation.field: violation.rule for violation in refusal(model, data)}


class Names(RequestModel):
    a: Annotated[str, Text()]
    b: Annotated[str, Text()]
    c: Annotated[str, Text()]


class Profile(RequestModel):
    name: Annotated[str, Text(min=2, max=3)]
    password: Annotated[str, Password(min=8)]
    nickname: Annotated[str | None, Text(max=10, nullable=False)] = None
    note: Annotated[str | None, Text(max=10)] = None


class Numbers(RequestModel):
    n: Annotated[int, Integer(min=0, max=150)]


class Kinds(RequestModel):
    email: Annotated[str | None, Email()] = None
    identifier: Annotated[str | None, Identifier()] = None
    role: Annotated[str | None, Choice("user", "admin")] = None
    day: Annotated[str | None, Date()] = None
    site: Annotated[str | None, Url()] = None
    flag: Annotated[bool | None, Boolean()] = None
    strict: Annotated[bool | None, StrictBoolean()] = None
    apps: Annotated[object, Json()] = None
    anything: Annotated[object, Anything()] = None


class Confirmation(RequestModel):
    password: Annotated[str, Password(min=8, confirmed=True)]


class Fresh(RequestModel):
    password: Annotated[str, NewPassword(min=8)]


class Worded(RequestModel):
    messages: ClassVar[Mapping[str, str]] = {
        "key.required": "Необходимо указать ключ",
        "value.max": "Слишком длинно",
    }

    key: Annotated[str, Text(max=3)]
    value: Annotated[str, Text(max=3)]
    note: Annotated[str, Text()]


class Renamed(RequestModel):
    aliases: ClassVar[Mapping[str, str]] = {"date_from": "from"}

    since: Annotated[str | None, Text(max=10)] = Field(default=None, alias="from")


class Untouched(RequestModel):
    payload: Annotated[object, Sent()] = None


# ---- absence, emptiness, null, trimming ----


def test_missing_empty_and_null_required_fields_are_all_reported_as_required() -> None:
    assert refusal(Names, {"b": "", "c": None}) == [
        Violation("a", "required"),
        Violation("b", "required"),
        Violation("c", "required"),
    ]


def test_strings_are_trimmed_but_passwords_are_not() -> None:
    parsed = Profile.parse({"name": "  Ann  ", "password": " secret  1 "})
    assert (parsed.name, parsed.password) == ("Ann", " secret  1 ")


def test_a_blank_string_is_absent_but_a_blank_password_is_a_value() -> None:
    assert rules_failed(Profile, {"name": "   ", "password": "        "}) == {"name": "required"}


def test_an_absent_optional_field_is_not_given_and_an_empty_or_null_one_is_cleared() -> None:
    assert Profile.parse({"name": "Ann", "password": "12345678"}).given() == {
        "name": "Ann",
        "password": "12345678",
    }
    cleared = Profile.parse({"name": "Ann", "password": "12345678", "note": " "})
    assert cleared.given()["note"] is None
    assert cleared.sent("note")
    assert Profile.parse({"name": "Ann", "password": "12345678", "note": None}).sent("note")


def test_a_field_that_cannot_be_cleared_ignores_an_empty_or_null_value() -> None:
    for empty in ("", "  ", None):
        parsed = Profile.parse({"name": "Ann", "password": "12345678", "nickname": empty})
        assert not parsed.sent("nickname")
        assert "nickname" not in parsed.given()


def test_fields_not_in_the_model_are_ignored() -> None:
    assert Profile.parse({"name": "Ann", "password": "12345678", "role": "super"}).given() == {
        "name": "Ann",
        "password": "12345678",
    }


def test_an_untouched_field_keeps_null_and_blank_values_as_sent() -> None:
    assert Untouched.parse({"payload": None}).sent("payload")
    assert Untouched.parse({"payload": "  "}).payload == "  "
    assert not Untouched.parse({}).sent("payload")


def test_aliases_fold_other_spellings_into_the_field() -> None:
    assert Renamed.parse({"date_from": " 2025-01-01 "}).since == "2025-01-01"
    assert Renamed.parse({"from": "2025"}).since == "2025"
    assert rules_failed(Renamed, {"date_from": "x" * 11}) == {"from": "max.string"}


# ---- the translation: one Violation per invalid field, its first failed rule, in field order ----


def test_each_invalid_field_reports_its_first_failed_rule_in_the_models_field_order() -> None:
    assert refusal(Profile, {"note": "x" * 11, "password": "short", "name": 5}) == [
        Violation("name", "string"),
        Violation("password", "min.string", {"min": 8}),
        Violation("note", "max.string", {"max": 10}),
    ]


def test_a_model_words_the_violations_it_names_and_laravel_words_the_rest() -> None:
    with pytest.raises(ValidationFailed) as caught:
        Worded.parse({"value": "long"})
    assert laravel.errors(caught.value) == {
        "key": ["Необходимо указать ключ"],
        "value": ["Слишком длинно"],
        "note": ["The note field is required."],
    }


@pytest.mark.parametrize(
    ("data", "violation"),
    [
        ({"email": "a@b"}, Violation("email", "email")),
        ({"email": "x" * 250 + "@e.com"}, Violation("email", "max.string", {"max": 254})),
        ({"identifier": "demo@"}, Violation("identifier", "email")),
        ({"role": "root"}, Violation("role", "in", {"values": ("user", "admin")})),
        ({"day": "30.03.1995"}, Violation("day", "date")),
        ({"site": "ftp://x"}, Violation("site", "url")),
        ({"flag": "maybe"}, Violation("flag", "boolean")),
        ({"strict": "yes"}, Violation("strict", "boolean")),
        ({"apps": {"x": "y" * JSON_MAX_BYTES}}, Violation("apps", "max.bytes", {"max": JSON_MAX_BYTES})),
        ({"email": "a\x00@example.com"}, Violation("email", "format")),
    ],
)
def test_each_rule_is_translated_to_its_violation_with_its_parameters(
    data: dict[str, object], violation: Violation
) -> None:
    assert refusal(Kinds, data) == [violation]


@pytest.mark.parametrize("value", ["x", "a@b", "a b@c.d", "@c.d", 5])
def test_email_rule_refuses_malformed_addresses(value: object) -> None:
    assert rules_failed(Kinds, {"email": value})["email"] in {"email", "string"}


def test_email_rule_accepts_an_ordinary_address() -> None:
    assert Kinds.parse({"email": " Me@Example.com "}).email == "Me@Example.com"


@pytest.mark.parametrize("value", ["me@example.com", "demo", "Ivan Ivanov", "user.name"])
def test_an_identifier_is_an_email_or_a_login_name(value: str) -> None:
    assert Kinds.parse({"identifier": value}).identifier == value


def test_string_length_bounds() -> None:
    assert rules_failed(Profile, {"name": "a", "password": "12345678"}) == {"name": "min.string"}
    assert rules_failed(Profile, {"name": "abcd", "password": "12345678"}) == {"name": "max.string"}
    assert Profile.parse({"name": "abc", "password": "12345678"}).name == "abc"


def test_integers_accept_numeric_strings_and_refuse_booleans_and_floats() -> None:
    assert Numbers.parse({"n": "24"}).n == 24
    assert rules_failed(Numbers, {"n": True}) == {"n": "integer"}
    assert rules_failed(Numbers, {"n": 1.5}) == {"n": "integer"}
    assert refusal(Numbers, {"n": 151}) == [Violation("n", "max.numeric", {"max": 150})]
    assert refusal(Numbers, {"n": "-1"}) == [Violation("n", "min.numeric", {"min": 0})]


def test_passwords_over_256_characters_or_with_nul_are_refused() -> None:
    long = "é" * (PASSWORD_MAX_LENGTH + 1)
    assert rules_failed(Profile, {"name": "Ann", "password": long}) == {"password": "max.string"}
    assert rules_failed(Profile, {"name": "Ann", "password": "abcd\x00efgh"}) == {"password": "format"}
    assert (
        Profile.parse({"name": "Ann", "password": "x" * PASSWORD_MAX_LENGTH}).password
        == "x" * PASSWORD_MAX_LENGTH
    )


def test_a_64_character_cyrillic_password_is_accepted() -> None:
    password = "пароль" * 10 + "абвг"
    assert Profile.parse({"name": "Ann", "password": password}).password == password


def test_a_new_password_must_not_be_a_common_one_where_the_deployment_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Fresh.parse({"password": "12345678"}).password == "12345678"
    monkeypatch.setattr(get_settings(), "reject_common_passwords", True)
    assert refusal(Fresh, {"password": "12345678"}) == [Violation("password", "common")]
    assert Fresh.parse({"password": "correct-horse-battery-staple-7"}).password


def test_confirmed_fields_must_match_their_confirmation() -> None:
    assert refusal(Confirmation, {"password": "12345678", "password_confirmation": "1234567"}) == [
        Violation("password", "confirmed")
    ]
    assert rules_failed(Confirmation, {"password": "12345678"}) == {"password": "confirmed"}
    assert (
        Confirmation.parse({"password": "12345678", "password_confirmation": "12345678"}).password
        == "12345678"
    )


def test_json_values_nested_deeper_than_32_are_refused_and_shallower_ones_kept() -> None:
    nested: object = {}
    for _ in range(JSON_MAX_DEPTH):
        nested = {"a": nested}
    assert refusal(Kinds, {"apps": nested}) == [Violation("apps", "max.depth", {"max": JSON_MAX_DEPTH})]
    shallow: object = "leaf"
    for _ in range(JSON_MAX_DEPTH):
        shallow = [shallow]
    assert Kinds.parse({"apps": shallow}).apps == shallow


def test_dates_and_booleans_are_cleaned() -> None:
    parsed = Kinds.parse({"day": "1995-03-30", "flag": "false", "strict": 1, "anything": "  x "})
    assert (parsed.day, parsed.flag, parsed.strict, parsed.anything) == ("1995-03-30", False, True, "x")


@pytest.mark.parametrize("value", [["1"], {"a": 1}, 1.5])
def test_booleans_refuse_lists_objects_and_floats_without_crashing(value: object) -> None:
    assert rules_failed(Kinds, {"flag": value}) == {"flag": "boolean"}


@pytest.mark.parametrize(
    ("value", "cleaned"),
    [
        (True, True),
        (1, True),
        ("1", True),
        ("true", True),
        (False, False),
        (0, False),
        ("0", False),
        ("false", False),
    ],
)
def test_strict_booleans_accept_what_laravels_boolean_rule_accepts(value: object, cleaned: bool) -> None:
    assert Kinds.parse({"strict": value}).strict is cleaned


@pytest.mark.parametrize("value", ["yes", "on", "no", "off", "True", 2, 1.0, 0.0, [], {}])
def test_strict_booleans_refuse_the_lenient_spellings(value: object) -> None:
    assert rules_failed(Kinds, {"strict": value}) == {"strict": "boolean"}


def test_the_common_password_list_is_compared_without_case() -> None:
    from gatehouse.security import common_passwords

    assert common_passwords.count() == 9_913  # the 10,000 entries, without case
    assert common_passwords.is_common("12345678")
    assert common_passwords.is_common("PASSWORD")
    assert not common_passwords.is_common("correct-horse-battery-staple-7")


def test_a_field_without_a_marker_is_refused_when_the_model_is_declared() -> None:
    with pytest.raises(TypeError, match="needs exactly one field marker"):

        class Unmarked(RequestModel):
            name: str


# ---- surface models: their own rules, and their JSON schema ----


def test_d_reads_contacts_beside_the_other_fields_and_refuses_a_contacts_that_is_no_object() -> None:
    parsed = users_admin.UserChanges.parse({"contacts": {"phone": " 555 ", "email": "d@example.com"}})
    assert parsed.given() == {"email": "d@example.com", "phone": "555"}
    assert refusal(users_admin.UserChanges, {"contacts": "555"}) == [Violation("contacts", "object")]


def test_e_answers_a_bad_request_when_a_matched_parameter_is_not_sent_at_all() -> None:
    assert goncord.RoleChange.parse({"roles": None}).roles is None
    with pytest.raises(MalformedRequest):
        goncord.RoleChange.parse({})
    with pytest.raises(MalformedRequest):
        goncord.PasswordChange.parse({"old_password": "x"})


def test_a_and_c_paging_queries_read_strings_as_query_strings_send_them() -> None:
    assert documentarian.Page.parse({"limit": "20", "after": ""}).size == 20
    assert documentarian.Page.parse({}).size == documentarian.DEFAULT_PAGE_SIZE
    assert org_structure.UserListing.parse({"is_active": "on", "page": "abc"}).model_dump() == {
        "page": "abc",
        "per_page": None,
        "search": None,
        "organization_id": None,
        "department_id": None,
        "position_id": None,
        "role": None,
        "is_active": True,
    }


def test_the_json_schema_states_types_bounds_formats_and_what_is_required() -> None:
    schema = jwt_auth.Registration.model_json_schema()
    assert schema["required"] == ["username", "password", "email", "sex", "age"]
    properties = schema["properties"]
    assert properties["username"] | {"title": None} == {
        "type": "string",
        "minLength": 3,
        "maxLength": 16,
        "title": None,
    }
    assert properties["email"]["format"] == "email"
    assert properties["password"]["format"] == "password"
    assert (properties["sex"]["type"], properties["sex"]["minimum"], properties["sex"]["maximum"]) == (
        "integer",
        0,
        2,
    )


def test_the_json_schema_of_an_optional_field_admits_null_and_names_its_choices() -> None:
    role = org_structure.NewUser.model_json_schema()["properties"]["role"]
    assert role["anyOf"] == [{"type": "string", "enum": ["admin", "manager", "user"]}, {"type": "null"}]
    assert role["default"] is None
    since = users_admin.LogFilters.model_json_schema()["properties"]["from"]
    assert since["anyOf"][0]["maxLength"] == 40


def _models(module: ModuleType) -> list[type[RequestModel]]:
    return [
        model
        for _, model in inspect.getmembers(module, inspect.isclass)
        if issubclass(model, RequestModel) and model.__module__ == module.__name__ and model.model_fields
    ]


@pytest.mark.parametrize("module", [documentarian, jwt_auth, org_structure, users_admin, goncord])
def test_every_surface_model_publishes_a_json_schema_of_every_field(module: ModuleType) -> None:
    models = _models(module)
    assert models
    for model in models:
        schema = model.model_json_schema(by_alias=True)
        assert set(schema["properties"]) == set(model.wire_fields), model.__name__
        required = {name for name, spec in model.wire_fields.items() if spec.required}
        assert set(schema.get("required", [])) == required, model.__name__


# ---- through the API: JSON, urlencoded and multipart bodies reach the same model ----


def _send(api: ApiClient, path: str, fields: dict[str, str], form: str, headers: dict[str, str]) -> Any:
    if form == "json":
        return api.put(path, json=fields, headers=headers)
    if form == "urlencoded":
        return api.put(path, data=fields, headers=headers)
    body, content_type = multipart(fields)
    return api.put(path, body=body, headers={**headers, "Content-Type": content_type})


@pytest.mark.parametrize("form", ["json", "urlencoded", "multipart"])
def test_every_body_format_reaches_the_same_model_with_the_same_empty_field_semantics(
    api: ApiClient, form: str
) -> None:
    headers = signed_up(api, "ann@example.com")
    path = f"/api/v1/user/{own_id(api, 'ann@example.com')}"

    # `surname` sent empty is ignored (it cannot be cleared); `middlename` sent empty is cleared.
    changed = _send(api, path, {"name": "  Anna ", "surname": "", "middlename": ""}, form, headers)
    assert changed.status == 200, changed.body
    assert (changed.json["name"], changed.json["surname"], changed.json["middlename"]) == (
        "Anna",
        "Ivanov",
        None,
    )

    refused = _send(api, path, {"name": "x" * 256, "email": "not-an-email"}, form, headers)
    assert refused.status == 422
    assert refused.json["error"]["errors"] == {
        "name": ["The name may not be greater than 255 characters."],
        "email": ["The email must be a valid email address."],
    }
