"""Surface A (the Documentarian-documented Laravel app): `/api/v1/...` views, envelopes and id formats.

Every A route shares the `{"success": false, "error": {"code", "message"}}` envelope, the
`2018-08-29 13:42:55` timestamp format and the 24-hex id forms. A's `position` views
live with surface C's positions (the same entity).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from gatehouse import object_ids
from gatehouse.clock import laravel
from gatehouse.contracts import documentarian as contracts
from gatehouse.data.demands import DemandItem
from gatehouse.data.models import UserItem
from gatehouse.data.user_meta import UserMetaItem
from gatehouse.errors import (
    AccountDisabled,
    Conflict,
    EmailNotVerified,
    GatehouseError,
    InvalidCredentials,
    MalformedRequest,
    MethodNotAllowed,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    TokenMissing,
    TooManyRequests,
    ValidationFailed,
)
from gatehouse.surfaces import laravel as laravel_messages
from gatehouse.surfaces.envelope import Surface, TokenRule

TOKEN_NOT_PROVIDED = "Token not provided"

# A's documents show no texts for these answers; the original's AuthController had these.
REGISTERED = "Thanks for signing up! Please check your email to complete your registration."
VERIFIED = "You have successfully verified your email address."
SIGNED_OUT = "You have successfully logged out."
# The original answered this only when the address was known; here every address gets it
# (SPEC: recovery never reveals whether an address has an account).
RECOVERY_SENT = "A reset email has been sent! Please check your email."
# Ours: the original had no reset route.
PASSWORD_RESET = "Your password has been reset. Please log in again."

# The original's refusals (its statuses were 404 or 200; ours are 401/403/404, SPEC).
# AuthController::login, for an unknown account, a wrong password or an unverified address alike:
NO_SUCH_ACCOUNT = (
    "We cant find an account with this credentials. Please make sure you entered the right "
    "information and you have verified your email address."
)
# AuthController::verifyUser:
VERIFICATION_CODE_INVALID = "Verification code is invalid."
# DemandController (develop), for a demand id that names nothing:
DEMAND_NOT_FOUND = "Указанный ID требования не найден"
# _BaseApiController::destroy (user_meta and position; UserController had its own, empty, destroy):
NOTHING_TO_REMOVE = "Удаляемый объект не найден"
NOT_FOUND = "Not found"
_NOT_FOUND_WORDING = {"demand": DEMAND_NOT_FOUND, "verification token": VERIFICATION_CODE_INVALID}

# Bare-array lists are paged by a cursor (`contracts.documentarian.Page`); `X-Next-After`
# carries the next cursor while there is more.
NEXT_PAGE_HEADER = "X-Next-After"


def timestamp(stored_iso: str | None) -> str | None:
    """`2018-08-29 13:42:55`, as A's documents show every created_at/updated_at."""
    return laravel(stored_iso)


def user_object_id(user: UserItem) -> str:
    """The user's `_id` on A: the one kept from an import, else the hex of the integer id."""
    return user.a_object_id or object_ids.user_object_id(user.id)


def success(message: str) -> contracts.Success:
    return {"success": True, "message": message}


def success_data(message: str) -> contracts.SuccessData:
    """The original's recover answer nests its message under `data`."""
    return {"success": True, "data": {"message": message}}


def token_response(token: str) -> contracts.IssuedToken:
    return {"success": True, "data": {"token": token}}


def roles_claim(user: UserItem) -> dict[str, str]:
    """The Laravel original's `roles` claim: the user's role names joined by commas (one role here)."""
    return {"roles": user.role}


def user_view(user: UserItem) -> contracts.UserView:
    """A's user, without the documented `password`, `remember_token` and `confirm_token` (never shown)."""
    return {
        "_id": user_object_id(user),
        "surname": user.last_name,
        "name": user.first_name,
        "middlename": user.middle_name,
        "email": user.email,
        "is_verified": int(user.is_verified),
        "created_at": timestamp(user.created_at),
        "updated_at": timestamp(user.updated_at),
    }


def demand_view(demand: DemandItem) -> contracts.DemandView:
    return {
        "_id": demand.demand_id,
        "name": demand.name,
        "description": demand.description,
        "author_id": demand.author_id,
        "responsible_id": demand.responsible_id,
        "created_at": timestamp(demand.created_at),
        "updated_at": timestamp(demand.updated_at),
    }


def user_meta_view(meta: UserMetaItem) -> contracts.UserMetaView:
    return {
        "_id": meta.meta_id,
        "user__id": meta.owner_object_id or object_ids.user_object_id(meta.user_id),
        "key": meta.key,
        "value": meta.value,
        "created_at": timestamp(meta.created_at),
        "updated_at": timestamp(meta.updated_at),
    }


class NothingToRemove(NotFound):
    """The object a DELETE names does not exist (worded as the original's destroy did)."""


@contextmanager
def removal() -> Iterator[None]:
    """Around a removal: an object that is not there is `NothingToRemove`."""
    try:
        yield
    except NotFound as missing:
        raise NothingToRemove(missing.entity) from None


def failure(
    code: int, message: str, errors: dict[str, list[str]] | None = None, request_id: str | None = None
) -> contracts.Refusal:
    error: contracts.RefusalError = {"code": code, "message": message}
    if errors is not None:
        error["errors"] = errors
    if request_id is not None:
        error["request_id"] = request_id
    return {"success": False, "error": error}


class DocumentarianEnvelope:
    def render(self, error: GatehouseError) -> tuple[int, contracts.Refusal]:
        match error:
            case ValidationFailed():
                return 422, failure(422, laravel_messages.INVALID_DATA, errors=laravel_messages.errors(error))
            case MalformedRequest():
                return 400, failure(400, "The request body is not valid JSON.")
            case TokenMissing():
                return 401, failure(0, TOKEN_NOT_PROVIDED)
            case NotAuthenticated():
                return 401, failure(0, "Token is invalid")
            case InvalidCredentials() | AccountDisabled():
                return 401, failure(401, NO_SUCH_ACCOUNT)
            case EmailNotVerified():
                return 403, failure(403, NO_SUCH_ACCOUNT)
            case PermissionDenied():
                return 403, failure(403, "Permission denied")
            case NothingToRemove():
                return 404, failure(404, NOTHING_TO_REMOVE)
            case NotFound(entity=entity):
                return 404, failure(404, _NOT_FOUND_WORDING.get(entity, NOT_FOUND))
            case MethodNotAllowed():
                return 405, failure(405, "Method not allowed")
            case TooManyRequests():
                return 429, failure(429, laravel_messages.TOO_MANY_ATTEMPTS)
            case Conflict():
                return 409, failure(409, str(error) or "Conflict")
            case _:
                return 400, failure(400, "Bad request")

    def unexpected(self, request_id: str) -> tuple[int, contracts.Refusal]:
        return 500, failure(500, "Server error", request_id=request_id)


ENVELOPE = DocumentarianEnvelope()
SURFACE = Surface(ENVELOPE, TokenRule.JWT_AUTH, rate_limited=True)
