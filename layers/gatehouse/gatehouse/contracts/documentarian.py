"""Surface A's contracts (the Documentarian-documented Laravel app). Its requests: sign-up,
sign-in, recovery, reset, verification, and the demand, user and user_meta resources with their
list queries; its answers, and its error envelope `{"success": false, "error": {...}}`.
(A's /api/v1/position is C's entity, shown A's way: `NewPosition`, `PositionChanges`, `PositionView`.)"""

from collections.abc import Mapping
from typing import Annotated, ClassVar, Literal, NotRequired, TypedDict

from gatehouse import object_ids
from gatehouse.contracts.answers import Answers
from gatehouse.contracts.base import RequestModel
from gatehouse.contracts.fields import Email, Integer, NewPassword, Password, Text

# Far above any real id, and far below DynamoDB's 38-digit number limit.
MAX_USER_ID = 2**53
# Bare-array lists are paged by a cursor: `?limit=` (1-100, default 50) and `?after=` (the
# last `_id` of the previous page).
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100

ObjectId = Annotated[str, Text(max=object_ids.LENGTH, description="An A `_id`: 24 hexadecimal digits.")]


class Registration(RequestModel):
    """POST /register and POST /user. The original's `name` and `email` (required|max:255,
    email|unique) and a password (SPEC: at least 8); surname and middlename are optional."""

    name: Annotated[str, Text(max=255)]
    surname: Annotated[str | None, Text(max=255)] = None
    middlename: Annotated[str | None, Text(max=255)] = None
    email: Annotated[str, Email(max=255)]
    password: Annotated[str, NewPassword(min=8)]


class UserChanges(RequestModel):
    """PUT/PATCH /user/{user}: the fields sent change (name, surname and email sent empty are ignored)."""

    name: Annotated[str | None, Text(max=255, nullable=False)] = None
    surname: Annotated[str | None, Text(max=255, nullable=False)] = None
    middlename: Annotated[str | None, Text(max=255)] = None
    email: Annotated[str | None, Email(max=255, nullable=False)] = None


class Credentials(RequestModel):
    """POST /login: an email, or the login name (the same canonical handle on every surface)."""

    email: Annotated[str, Text(max=255, description="An email address or a login name.")]
    password: Annotated[str, Password()]


class Recovery(RequestModel):
    """POST /recover."""

    email: Annotated[str, Email(max=255)]


class PasswordReset(RequestModel):
    """POST /reset: the mailed token and the new password, confirmed."""

    token: Annotated[str, Text(max=128)]
    password: Annotated[str, NewPassword(min=8, confirmed=True)]


class Verification(RequestModel):
    """GET /verify?token=: the mailed token."""

    token: Annotated[str, Text(max=128)]


class Demand(RequestModel):
    """POST /demand, worded as the original's FormDemandCreate::messages() (develop)."""

    messages: ClassVar[Mapping[str, str]] = {
        "name.required": "Необходимо указать поле name",
        "description.required": "Необходимо указать поле description",
    }

    name: Annotated[str, Text(max=255)]
    description: Annotated[str, Text(max=65_535)]
    responsible_id: Annotated[int, Integer(min=1, max=MAX_USER_ID)]


class DemandChanges(RequestModel):
    """PUT/PATCH /demand/{demand}: the fields sent change (sent empty: ignored)."""

    name: Annotated[str | None, Text(max=255, nullable=False)] = None
    description: Annotated[str | None, Text(max=65_535, nullable=False)] = None
    responsible_id: Annotated[int | None, Integer(min=1, max=MAX_USER_ID, nullable=False)] = None


class UserMeta(RequestModel):
    """POST /user_meta and PUT/PATCH /user_meta/{id}, worded as the original's FormUserMeta::messages()."""

    messages: ClassVar[Mapping[str, str]] = {
        "user__id.required": "Необходимо указать ID пользователя",
        "key.required": "Необходимо указать ключ метаданных",
        "value.required": "Необходимо указать значение метаданных",
    }

    user__id: ObjectId
    key: Annotated[str, Text(max=255)]
    value: Annotated[str, Text(max=65_535)]


class Page(RequestModel):
    """`?limit=&after=` of the bare-array lists (demand, user)."""

    limit: Annotated[int | None, Integer(min=1, max=MAX_PAGE_SIZE)] = None
    after: Annotated[
        str | None, Text(max=object_ids.LENGTH, description="The last `_id` of the previous page.")
    ] = None

    @property
    def size(self) -> int:
        return self.limit or DEFAULT_PAGE_SIZE


class UserMetaPage(Page):
    """GET /user_meta: a page, of one user's metas when `user__id` is sent."""

    user__id: Annotated[str | None, Text(max=object_ids.LENGTH)] = None


class NewPosition(RequestModel):
    """POST /position (C's positions, A's fields)."""

    name: Annotated[str, Text(max=255)]
    description: Annotated[str | None, Text(max=65_535)] = None


class PositionChanges(RequestModel):
    """PUT/PATCH /position/{id}: the fields sent change (a name sent empty is ignored)."""

    name: Annotated[str | None, Text(max=255, nullable=False)] = None
    description: Annotated[str | None, Text(max=65_535)] = None


# ---- answers ----


class Success(TypedDict):
    """register, verify, reset and logout."""

    success: Literal[True]
    message: str


class SuccessMessage(TypedDict):
    message: str


class SuccessData(TypedDict):
    """recover: the original nests its message under `data`."""

    success: Literal[True]
    data: SuccessMessage


class IssuedTokenData(TypedDict):
    token: str


class IssuedToken(TypedDict):
    """login."""

    success: Literal[True]
    data: IssuedTokenData


class UserView(TypedDict):
    """A's user, without the documented `password`, `remember_token` and `confirm_token` (never shown)."""

    _id: str
    surname: str | None
    name: str | None
    middlename: str | None
    email: str
    is_verified: int
    created_at: str | None
    updated_at: str | None


class DemandView(TypedDict):
    _id: str
    name: str
    description: str
    author_id: int
    responsible_id: int
    created_at: str | None
    updated_at: str | None


class UserMetaView(TypedDict):
    _id: str
    user__id: str
    key: str
    value: str
    created_at: str | None
    updated_at: str | None


class PositionView(TypedDict):
    """A's view of a position (C's entity): its id is C's integer one."""

    _id: int
    name: str
    description: str | None
    created_at: str | None
    updated_at: str | None


# A DELETE's, and user_meta's update's, bare `true`.
Done = Literal[True]


class RefusalError(TypedDict):
    code: int
    message: str
    # Field → its messages (Laravel's wording), on 422.
    errors: NotRequired[dict[str, list[str]]]
    request_id: NotRequired[str]


class Refusal(TypedDict):
    """A's error envelope, on every status."""

    success: Literal[False]
    error: RefusalError


answers = Answers(Refusal, always=(429, 500))
