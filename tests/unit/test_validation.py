"""The shared validator: what each rule accepts, refuses and how it cleans values."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from gatehouse.errors import ValidationFailed
from gatehouse.surfaces import laravel
from gatehouse.validation import (
    JSON_MAX_BYTES,
    JSON_MAX_DEPTH,
    PASSWORD_MAX_LENGTH,
    Rule,
    optional,
    required,
    validate,
)


def rules_failed(data: Mapping[str, object], schema: Mapping[str, Rule]) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        validate(data, schema)
    return {v.field: v.rule for v in caught.value.violations}


def test_missing_empty_and_null_required_fields_are_reported_together() -> None:
    schema = {"a": required(), "b": required(), "c": required()}
    assert rules_failed({"b": "", "c": None}, schema) == {"a": "required", "b": "required", "c": "required"}


def test_strings_are_trimmed_but_passwords_are_not() -> None:
    cleaned = validate(
        {"name": "  Ann  ", "password": " secret  1 "}, {"name": required(), "password": required("password")}
    )
    assert cleaned == {"name": "Ann", "password": " secret  1 "}


def test_absent_optional_fields_are_omitted_and_explicit_nulls_kept() -> None:
    assert validate({"b": None}, {"a": optional(), "b": optional()}) == {"b": None}


@pytest.mark.parametrize("value", ["x", "a@b", "a b@c.d", "@c.d", 5])
def test_email_rule_refuses_malformed_addresses(value: object) -> None:
    assert rules_failed({"email": value}, {"email": required("email")})["email"] in {"email", "string"}


def test_email_rule_accepts_an_ordinary_address() -> None:
    assert validate({"email": " Me@Example.com "}, {"email": required("email")}) == {
        "email": "Me@Example.com"
    }


def test_string_length_bounds() -> None:
    schema = {"s": required(min=2, max=3)}
    assert rules_failed({"s": "a"}, schema) == {"s": "min.string"}
    assert rules_failed({"s": "abcd"}, schema) == {"s": "max.string"}
    assert validate({"s": "abc"}, schema) == {"s": "abc"}


def test_integers_accept_numeric_strings_and_refuse_booleans_and_floats() -> None:
    schema = {"n": required("integer", min=0, max=150)}
    assert validate({"n": "24"}, schema) == {"n": 24}
    assert rules_failed({"n": True}, schema) == {"n": "integer"}
    assert rules_failed({"n": 1.5}, schema) == {"n": "integer"}
    assert rules_failed({"n": 151}, schema) == {"n": "max.numeric"}


def test_passwords_over_256_characters_or_with_nul_are_refused() -> None:
    schema = {"password": required("password", min=8)}
    assert rules_failed({"password": "é" * (PASSWORD_MAX_LENGTH + 1)}, schema) == {"password": "max.string"}
    assert rules_failed({"password": "abcd\x00efgh"}, schema) == {"password": "format"}
    assert rules_failed({"password": "short"}, schema) == {"password": "min.string"}
    assert validate({"password": "x" * PASSWORD_MAX_LENGTH}, schema)["password"] == "x" * PASSWORD_MAX_LENGTH


def test_a_64_character_cyrillic_password_is_accepted() -> None:
    # 128 UTF-8 bytes: bcrypt's 72-byte limit does not apply to argon2id hashes.
    password = "пароль" * 10 + "абвг"
    assert validate({"password": password}, {"password": required("password", min=8)}) == {
        "password": password
    }


def test_json_values_nested_deeper_than_32_or_over_16_kb_are_refused() -> None:
    schema = {"apps": optional("json")}
    nested: object = {}
    for _ in range(JSON_MAX_DEPTH):
        nested = {"a": nested}
    assert rules_failed({"apps": nested}, schema) == {"apps": "max.depth"}
    assert rules_failed({"apps": {"x": "y" * JSON_MAX_BYTES}}, schema) == {"apps": "max.bytes"}
    shallow: object = "leaf"
    for _ in range(JSON_MAX_DEPTH):
        shallow = [shallow]
    assert validate({"apps": shallow}, schema) == {"apps": shallow}


def test_confirmed_fields_must_match_their_confirmation() -> None:
    schema = {"password": required("password", min=8, confirmed=True)}
    assert rules_failed({"password": "12345678", "password_confirmation": "1234567"}, schema) == {
        "password": "confirmed"
    }
    assert validate({"password": "12345678", "password_confirmation": "12345678"}, schema)


def test_choices_dates_urls_and_booleans() -> None:
    assert rules_failed({"role": "root"}, {"role": required(choices=("user", "admin"))}) == {"role": "in"}
    assert validate({"d": "1995-03-30"}, {"d": required("date")}) == {"d": "1995-03-30"}
    assert rules_failed({"d": "30.03.1995"}, {"d": required("date")}) == {"d": "date"}
    assert rules_failed({"u": "ftp://x"}, {"u": required("url")}) == {"u": "url"}
    assert validate({"b": "false"}, {"b": required("boolean")}) == {"b": False}
    assert rules_failed({"b": "maybe"}, {"b": required("boolean")}) == {"b": "boolean"}


@pytest.mark.parametrize("value", [["1"], {"a": 1}, 1.5])
def test_booleans_refuse_lists_objects_and_floats_without_crashing(value: object) -> None:
    # Lists and objects are unhashable: looking them up in the accepted spellings raised TypeError.
    assert rules_failed({"b": value}, {"b": optional("boolean")}) == {"b": "boolean"}


def test_a_request_words_the_violations_it_names_and_laravel_words_the_rest() -> None:
    schema = {"key": required(max=3), "value": required(max=3), "note": required()}
    messages = {"key.required": "Необходимо указать ключ", "value.max": "Слишком длинно"}
    with pytest.raises(ValidationFailed) as caught:
        validate({"value": "long"}, schema, messages)
    assert laravel.errors(caught.value) == {
        "key": ["Необходимо указать ключ"],
        "value": ["Слишком длинно"],
        "note": ["The note field is required."],
    }


@pytest.mark.parametrize("value", ["demo@", "@example.com", "me@@example.com", "me @example.com"])
def test_an_identifier_with_an_at_sign_must_be_a_valid_email(value: str) -> None:
    assert rules_failed({"id": value}, {"id": required("identifier")}) == {"id": "email"}


@pytest.mark.parametrize("value", ["me@example.com", "demo", "Ivan Ivanov", "user.name"])
def test_an_identifier_is_an_email_or_a_login_name(value: str) -> None:
    assert validate({"id": value}, {"id": required("identifier")}) == {"id": value}


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
    assert validate({"flag": value}, {"flag": required("strict_boolean")}) == {"flag": cleaned}


@pytest.mark.parametrize("value", ["yes", "on", "no", "off", "True", 2, 1.0, 0.0, [], {}])
def test_strict_booleans_refuse_the_lenient_spellings(value: object) -> None:
    assert rules_failed({"flag": value}, {"flag": required("strict_boolean")}) == {"flag": "boolean"}


def test_the_common_password_list_is_compared_without_case() -> None:
    from gatehouse.security import common_passwords

    assert common_passwords.count() == 9_913  # the 10,000 entries, without case
    assert common_passwords.is_common("12345678")
    assert common_passwords.is_common("PASSWORD")
    assert not common_passwords.is_common("correct-horse-battery-staple-7")
