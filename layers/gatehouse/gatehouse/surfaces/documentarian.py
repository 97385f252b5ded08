"""Surface A (the Documentarian-documented Laravel app): `/api/v1/...` views, envelopes and id formats.

Every A route shares the `{"success": false, "error": {"code", "message"}}` envelope (its errors
are rendered by `gatehouse.surfaces.envelopes.documentarian`, where `SURFACE` is defined), the
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
from gatehouse.errors import NotFound
from gatehouse.surfaces.envelopes.documentarian import SURFACE as SURFACE
from gatehouse.surfaces.envelopes.documentarian import NothingToRemove

# A's documents show no texts for these answers; the original's AuthController had these.
REGISTERED = "Thanks for signing up! Please check your email to complete your registration."
VERIFIED = "You have successfully verified your email address."
SIGNED_OUT = "You have successfully logged out."
# The original answered this only when the address was known; here every address gets it
# (SPEC: recovery never reveals whether an address has an account).
RECOVERY_SENT = "A reset email has been sent! Please check your email."
# Ours: the original had no reset route.
PASSWORD_RESET = "Your password has been reset. Please log in again."

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


@contextmanager
def removal() -> Iterator[None]:
    """Around a removal: an object that is not there is `NothingToRemove`."""
    try:
        yield
    except NotFound as missing:
        raise NothingToRemove(missing.entity) from None
