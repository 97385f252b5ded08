"""Laravel's validation messages (5.x-8.x wording), shared by the Laravel-born surfaces A, B and C."""

from __future__ import annotations

from gatehouse.errors import ValidationFailed, Violation

INVALID_DATA = "The given data was invalid."
# ThrottleRequests' answer past the limit.
TOO_MANY_ATTEMPTS = "Too Many Attempts."

_TEMPLATES = {
    "required": "The {attribute} field is required.",
    "string": "The {attribute} must be a string.",
    "email": "The {attribute} must be a valid email address.",
    "integer": "The {attribute} must be an integer.",
    "boolean": "The {attribute} field must be true or false.",
    "date": "The {attribute} is not a valid date.",
    "url": "The {attribute} format is invalid.",
    "format": "The {attribute} format is invalid.",
    "in": "The selected {attribute} is invalid.",
    "exists": "The selected {attribute} is invalid.",
    "unique": "The {attribute} has already been taken.",
    "confirmed": "The {attribute} confirmation does not match.",
    "min.string": "The {attribute} must be at least {min} characters.",
    "max.string": "The {attribute} may not be greater than {max} characters.",
    "min.numeric": "The {attribute} must be at least {min}.",
    "max.numeric": "The {attribute} may not be greater than {max}.",
    "max.bytes": "The {attribute} may not be greater than {max} bytes.",
    # Laravel's Password::uncompromised() wording.
    "common": "The given {attribute} has appeared in a data leak. Please choose a different {attribute}.",
    "max.depth": "The {attribute} may not be nested deeper than {max} levels.",
}


def message(violation: Violation) -> str:
    if violation.message is not None:
        return violation.message
    template = _TEMPLATES.get(violation.rule, "The {attribute} is invalid.")
    attribute = violation.field.replace("_", " ")
    return template.format(
        attribute=attribute, **{k: v for k, v in violation.params.items() if k != "attribute"}
    )


def errors(failure: ValidationFailed) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for violation in failure.violations:
        grouped.setdefault(violation.field, []).append(message(violation))
    return grouped
