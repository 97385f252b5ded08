"""Declarative input validation shared by every surface.

Rules yield `Violation`s (field, rule, params); each surface words them its own way.
Like Laravel's TrimStrings and ConvertEmptyStringsToNull, strings are trimmed (except
passwords) and an empty string counts as absent. Like a FormRequest's `messages()`, a request
may word some violations itself, keyed `"field.rule"` (`"key.required"`, `"name.max"`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal
from urllib.parse import urlsplit

from gatehouse.errors import ValidationFailed, Violation

Kind = Literal[
    "string", "email", "identifier", "password", "integer", "boolean", "strict_boolean", "date", "url", "any"
]

# Pragmatic address check: one @, no spaces, a dot in the domain (what Laravel's `email` accepts in practice).
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
# bcrypt reads at most 72 bytes; a longer password would be silently truncated by legacy hashes,
# and the cap keeps a hash request cheap to refuse.
PASSWORD_MAX_BYTES = 72
EMAIL_MAX_LENGTH = 254
_TRUE = {True, "1", "true", "on", "yes"}
_FALSE = {False, "0", "false", "off", "no"}
# Laravel's `boolean` rule (true, false, 1, 0, "1", "0") plus "true"/"false" as query strings send them.
_STRICT_TRUE = (True, 1, "1", "true")
_STRICT_FALSE = (False, 0, "0", "false")


@dataclass(frozen=True)
class Rule:
    kind: Kind = "string"
    required: bool = False
    min: int | None = None
    max: int | None = None
    choices: tuple[str, ...] | None = None
    confirmed: bool = False
    nullable: bool = True


def required(kind: Kind = "string", **options: Any) -> Rule:
    return Rule(kind=kind, required=True, **options)


def optional(kind: Kind = "string", **options: Any) -> Rule:
    return Rule(kind=kind, required=False, **options)


def validate(
    data: Mapping[str, Any], schema: Mapping[str, Rule], messages: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Return the cleaned values of the fields in `schema` (absent optional fields omitted).

    Raises ValidationFailed listing the first failed rule of every invalid field, each with
    its wording from `messages` when that names it.
    """
    cleaned: dict[str, Any] = {}
    violations: list[Violation] = []
    for name, rule in schema.items():
        present, value = _present(data, name, rule)
        if not present:
            if rule.required:
                violations.append(Violation(name, "required"))
            elif name in data and rule.nullable:
                cleaned[name] = None
            continue
        result = _check(name, value, rule, data)
        if isinstance(result, Violation):
            violations.append(result)
        else:
            cleaned[name] = result
    if violations:
        raise ValidationFailed([_worded(violation, messages or {}) for violation in violations])
    return cleaned


def _worded(violation: Violation, messages: Mapping[str, str]) -> Violation:
    # Laravel keys a custom message by the rule's name alone: "max", not "max.string".
    rule_name = violation.rule.partition(".")[0]
    message = messages.get(f"{violation.field}.{rule_name}")
    return violation if message is None else replace(violation, message=message)


def _present(data: Mapping[str, Any], name: str, rule: Rule) -> tuple[bool, Any]:
    if name not in data or data[name] is None:
        return False, None
    value = data[name]
    if isinstance(value, str) and rule.kind != "password":
        value = value.strip()
    if value == "":
        return False, None
    return True, value


def _check(name: str, value: Any, rule: Rule, data: Mapping[str, Any]) -> Any:
    checker = _CHECKERS[rule.kind]
    result = checker(name, value, rule)
    if isinstance(result, Violation):
        return result
    if rule.choices is not None and result not in rule.choices:
        return Violation(name, "in", {"values": rule.choices})
    if rule.confirmed and data.get(f"{name}_confirmation") != value:
        return Violation(name, "confirmed")
    return result


def _string(name: str, value: Any, rule: Rule) -> Any:
    if not isinstance(value, str):
        return Violation(name, "string")
    if "\x00" in value:
        return Violation(name, "format")
    if rule.min is not None and len(value) < rule.min:
        return Violation(name, "min.string", {"min": rule.min})
    if rule.max is not None and len(value) > rule.max:
        return Violation(name, "max.string", {"max": rule.max})
    return value


def _email(name: str, value: Any, rule: Rule) -> Any:
    checked = _string(name, value, Rule(max=rule.max or EMAIL_MAX_LENGTH))
    if isinstance(checked, Violation):
        return checked
    if not _EMAIL.match(checked):
        return Violation(name, "email")
    return checked


def _identifier(name: str, value: Any, rule: Rule) -> Any:
    """A sign-in identifier: with an "@" it is an email and must be a valid one; without, a login
    name (logins never contain "@")."""
    checked = _string(name, value, rule)
    if isinstance(checked, Violation) or "@" not in checked:
        return checked
    return _email(name, checked, rule)


def _password(name: str, value: Any, rule: Rule) -> Any:
    if not isinstance(value, str):
        return Violation(name, "string")
    if "\x00" in value:
        return Violation(name, "format")
    if rule.min is not None and len(value) < rule.min:
        return Violation(name, "min.string", {"min": rule.min})
    if len(value.encode()) > PASSWORD_MAX_BYTES:
        return Violation(name, "max.bytes", {"max": PASSWORD_MAX_BYTES})
    return value


def _integer(name: str, value: Any, rule: Rule) -> Any:
    if isinstance(value, bool):
        return Violation(name, "integer")
    if isinstance(value, str) and re.fullmatch(r"[+-]?\d{1,18}", value):
        value = int(value)
    if not isinstance(value, int):
        return Violation(name, "integer")
    if rule.min is not None and value < rule.min:
        return Violation(name, "min.numeric", {"min": rule.min})
    if rule.max is not None and value > rule.max:
        return Violation(name, "max.numeric", {"max": rule.max})
    return value


def _boolean(name: str, value: Any, rule: Rule) -> Any:
    if not isinstance(value, (bool, int, str)):
        # Lists and objects are unhashable: they cannot even be looked up in _TRUE/_FALSE.
        return Violation(name, "boolean")
    probe = value.lower() if isinstance(value, str) else value
    if probe in _TRUE:
        return True
    if probe in _FALSE:
        return False
    return Violation(name, "boolean")


def _strict_boolean(name: str, value: Any, rule: Rule) -> Any:
    # Compared by type as well as value: 1.0 is not 1 here, as in PHP's strict in_array.
    if any(type(value) is type(ok) and value == ok for ok in _STRICT_TRUE):
        return True
    if any(type(value) is type(ok) and value == ok for ok in _STRICT_FALSE):
        return False
    return Violation(name, "boolean")


def _date(name: str, value: Any, rule: Rule) -> Any:
    if not isinstance(value, str):
        return Violation(name, "date")
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        return Violation(name, "date")


def _url(name: str, value: Any, rule: Rule) -> Any:
    checked = _string(name, value, Rule(max=rule.max or 2048))
    if isinstance(checked, Violation):
        return checked
    parts = urlsplit(checked)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in checked:
        return Violation(name, "url")
    return checked


def _any(name: str, value: Any, rule: Rule) -> Any:
    return value


_CHECKERS = {
    "string": _string,
    "email": _email,
    "identifier": _identifier,
    "password": _password,
    "integer": _integer,
    "boolean": _boolean,
    "strict_boolean": _strict_boolean,
    "date": _date,
    "url": _url,
    "any": _any,
}


def is_email(value: str) -> bool:
    """Whether `value` passes the `email` rule (for rows that arrive outside a request: imports)."""
    return len(value) <= EMAIL_MAX_LENGTH and bool(_EMAIL.match(value))
