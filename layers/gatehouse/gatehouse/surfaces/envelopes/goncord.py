"""Surface E's error envelope, as the original service answered: Ecto changeset errors on 422
(`{"errors": {"login": ["can't be blank"]}}`), its own `{"error": "..."}` messages for
credentials, authentication, app tokens and missing users/apps, and Phoenix's default
`{"errors": {"detail": "..."}}` for everything else."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gatehouse import errors as error_types
from gatehouse.surfaces.envelope import Surface, TokenRule

if TYPE_CHECKING:
    from gatehouse.contracts import goncord as contracts

# The original's messages (Goncord's TokenController, UserController and IsSuperResource plug).
BAD_CREDENTIALS = "Проверьте правильность логина, email или пароля"
AUTHENTICATION_REQUIRED = "Требуется аутентификация"
PASSWORD_NOT_CHANGED = "Не удалось поменять пароль"
USER_OR_APP_MISSING = "Пользователь или ресурс не существуют."
APP_MISSING = "Ресурс не найден."
NOT_ENOUGH_RIGHTS = "Недостаточно прав."
EMAIL_NOT_VERIFIED = "Адрес электронной почты не подтверждён"

# Ecto's validation wording.
_ECTO_MESSAGES = {
    "required": "can't be blank",
    "email": "has invalid format",
    "format": "has invalid format",
    "url": "has invalid format",
    "unique": "has already been taken",
    "immutable": "can't be changed",
    "min.string": "should be at least {min} character(s)",
    "max.string": "should be at most {max} character(s)",
    "max.bytes": "should be at most {max} byte(s)",
    "common": "is too common",
    "max.depth": "should be nested at most {max} level(s) deep",
    "max.count": "should have at most {max} item(s)",
    "max.item_length": "should have items of at most {max} character(s)",
    "max.apps": "no more than {max} apps can exist",
    "min.numeric": "must be greater than or equal to {min}",
    "max.numeric": "must be less than or equal to {max}",
}


def message(violation: error_types.Violation) -> str:
    """Ecto's message for a failed rule; type mismatches (string, date, boolean...) are "is invalid"."""
    template = _ECTO_MESSAGES.get(violation.rule, "is invalid")
    return template.format(**violation.params)


def errors(failure: error_types.ValidationFailed) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for violation in failure.violations:
        grouped.setdefault(violation.field, []).append(message(violation))
    return grouped


def _detail(text: str) -> contracts.Detail:
    return {"errors": {"detail": text}}


class GoncordEnvelope:
    def render(self, error: error_types.GatehouseError) -> tuple[int, contracts.Refusal]:
        match error:
            case error_types.ValidationFailed():
                return 422, {"errors": errors(error)}
            case error_types.MalformedRequest():
                return 400, _detail("Bad Request")
            case error_types.PasswordNotChanged():
                return 422, {"error": PASSWORD_NOT_CHANGED}
            case error_types.InvalidCredentials() | error_types.AccountDisabled():
                return 422, {"error": BAD_CREDENTIALS}
            case error_types.EmailNotVerified():
                return 403, {"error": EMAIL_NOT_VERIFIED}
            case error_types.AppTokenUnknown():
                return 403, {"error": APP_MISSING}
            case error_types.NotAuthenticated():
                return 401, {"error": AUTHENTICATION_REQUIRED}
            case error_types.PermissionDenied():
                return 403, {"error": NOT_ENOUGH_RIGHTS}
            case error_types.RouteNotFound():
                return 404, _detail("Not Found")
            case error_types.NotFound(entity="app"):
                return 404, {"error": APP_MISSING}
            case error_types.NotFound():
                return 404, {"error": USER_OR_APP_MISSING}
            case error_types.MethodNotAllowed():
                return 405, _detail("Method Not Allowed")
            case error_types.TooManyRequests():
                return 429, _detail("Too Many Requests")
            case error_types.Conflict():
                return 409, _detail("Conflict")
            case _:
                return 400, _detail("Bad Request")

    def unexpected(self, request_id: str) -> tuple[int, contracts.Refusal]:
        return 500, {"errors": {"detail": "Internal Server Error"}, "request_id": request_id}


ENVELOPE = GoncordEnvelope()
SURFACE = Surface(ENVELOPE, TokenRule.GONCORD)
