"""The value rules every surface's input is checked by: one checker per kind of value.

A `Rule` (kind, bounds, choices, confirmation) checks one present value (already trimmed, not
empty) and yields the value cleaned or the first `Violation` (rule, params) it breaks; each
surface words violations its own way. The request models (`gatehouse.contracts`) put a rule
on each field and decide what absent, empty and null mean.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal
from urllib.parse import urlsplit

from gatehouse.errors import Violation

Kind = Literal[
    "string",
    "email",
    "identifier",
    "password",
    "new_password",
    "integer",
    "boolean",
    "strict_boolean",
    "date",
    "url",
    "any",
    "json",
]

# Pragmatic address check: one @, no spaces, a dot in the domain (what Laravel's `email` accepts in practice).
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
# Counted in characters: argon2id (every hash we write) has no byte limit, so a 64-character
# Cyrillic password is fine; bcrypt's 72 bytes only matter when verifying imported hashes.
# The cap keeps a hash request cheap to refuse.
PASSWORD_MAX_LENGTH = 256
# Free-form JSON values (E's `apps` and payloads, `roles`): nesting and serialized size are
# capped, so a stored value can always be read, rendered and written back (DynamoDB and the
# serializers have depth limits of their own).
JSON_MAX_DEPTH = 32
JSON_MAX_BYTES = 16 * 1024
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


def check_value(value: Any, rule: Rule, confirmation: Any = None) -> Any:
    """`value` (present: trimmed, not empty) cleaned by `rule`, or the first rule it breaks, as a
    Violation of no field; `confirmation` is what the request sent as `<field>_confirmation`."""
    result = _CHECKERS[rule.kind]("", value, rule)
    if isinstance(result, Violation):
        return result
    if rule.choices is not None and result not in rule.choices:
        return Violation("", "in", {"values": rule.choices})
    if rule.confirmed and confirmation != value:
        return Violation("", "confirmed")
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
    if len(value) > PASSWORD_MAX_LENGTH:
        return Violation(name, "max.string", {"max": PASSWORD_MAX_LENGTH})
    return value


def _new_password(name: str, value: Any, rule: Rule) -> Any:
    """A password being set: a password, and (with `reject_common_passwords`) not one of the
    10,000 most common ones."""
    checked = _password(name, value, rule)
    if isinstance(checked, Violation) or not _reject_common_passwords():
        return checked
    from gatehouse.security import common_passwords  # loaded only where a password is set

    return Violation(name, "common") if common_passwords.is_common(checked) else checked


def _reject_common_passwords() -> bool:
    from gatehouse.settings import get_settings

    return get_settings().reject_common_passwords


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


def json_depth(value: Any, limit: int = JSON_MAX_DEPTH) -> int:
    """How deeply `value` nests (a scalar is 0, `[]` and `{}` are 1), counted without
    recursion and only up to `limit` + 1: past that the exact depth does not matter."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        current, depth = pending.pop()
        if isinstance(current, (dict, list)):
            depth += 1
            deepest = max(deepest, depth)
            if depth > limit:
                return deepest
            children = current.values() if isinstance(current, dict) else current
            pending.extend((child, depth) for child in children)
    return deepest


def json_violation(name: str, value: Any, max_bytes: int = JSON_MAX_BYTES) -> Violation | None:
    """Why `value` cannot be stored as a free-form JSON value, or None."""
    if json_depth(value) > JSON_MAX_DEPTH:
        return Violation(name, "max.depth", {"max": JSON_MAX_DEPTH})
    try:
        size = len(json.dumps(value, ensure_ascii=False).encode())
    except (TypeError, ValueError):
        return Violation(name, "json")
    if size > max_bytes:
        return Violation(name, "max.bytes", {"max": max_bytes})
    return None


def _json(name: str, value: Any, rule: Rule) -> Any:
    return json_violation(name, value, rule.max or JSON_MAX_BYTES) or value


_CHECKERS = {
    "string": _string,
    "email": _email,
    "identifier": _identifier,
    "password": _password,
    "new_password": _new_password,
    "integer": _integer,
    "boolean": _boolean,
    "strict_boolean": _strict_boolean,
    "date": _date,
    "url": _url,
    "any": _any,
    "json": _json,
}


def is_email(value: str) -> bool:
    """Whether `value` passes the `email` rule (for rows that arrive outside a request: imports)."""
    return len(value) <= EMAIL_MAX_LENGTH and bool(_EMAIL.match(value))
