"""Surface E's contracts (Goncord, Phoenix). Its requests: sign-up, sign-in, a super app's profile
update, role changes, the user's own password change, and the apps; its answers, and its three
error shapes (Ecto's changeset errors, the original's `{"error"}`, Phoenix's `{"errors": {"detail"}}`)."""

from collections.abc import Mapping
from typing import Annotated, Any, NotRequired, TypedDict

from gatehouse.contracts.answers import Answers
from gatehouse.contracts.base import RequestModel
from gatehouse.contracts.fields import Boolean, Date, Email, Json, NewPassword, Password, Sent, Text
from gatehouse.errors import MalformedRequest

Optional255 = Annotated[str | None, Text(max=255)]
Roles = Annotated[object, Json(description="The role names: a list of names, or of objects with a `name`.")]


class _Matched(RequestModel):
    """An action the original pattern-matched on its parameters (`%{"roles" => roles}`): without
    one of them (null counts as sent) no clause matched, which Phoenix answered 400."""

    @classmethod
    def reshaped(cls, data: Mapping[str, Any]) -> Mapping[str, Any]:
        if any(name not in data for name in cls.wire_fields):
            raise MalformedRequest()
        return data


class Registration(RequestModel):
    """POST /api/v0/users."""

    login: Annotated[str, Text(min=3, max=255)]
    password: Annotated[str, NewPassword(min=6)]
    email: Annotated[str, Email(max=255)]
    first_name: Optional255 = None
    last_name: Optional255 = None
    second_name: Optional255 = None
    birthday: Annotated[str | None, Date()] = None


class Credentials(RequestModel):
    """POST /api/v0/tokens: either one names the account (both may be sent; `login` wins, as in
    the original), and one of them must be sent."""

    login: Optional255 = None
    email: Optional255 = None
    password: Annotated[str, Password()]


class ProfileUpdate(RequestModel):
    """PATCH /api/v0/users (a super app's): names, birthday, app roles and per-app payloads."""

    first_name: Optional255 = None
    last_name: Optional255 = None
    second_name: Optional255 = None
    birthday: Annotated[str | None, Date()] = None
    roles: Roles = None
    apps: Annotated[
        object, Json(description="App url → that user's JSON object for the app (null removes it).")
    ] = None


class RoleChange(_Matched):
    """POST and DELETE /api/v0/roles."""

    roles: Annotated[
        object, Sent(description="The role names: a list of names, or of objects with a `name`.")
    ]


class PasswordChange(_Matched):
    """POST /api/v0/users/change_password; what the values must be is `services.goncord`'s (a
    refused change is answered as the original did, whatever was wrong)."""

    old_password: Annotated[object, Sent(description="The current password.")]
    new_password: Annotated[object, Sent(description="6 to 256 characters, not only spaces.")]


class NewApp(RequestModel):
    """POST /api/v0/apps."""

    name: Annotated[str, Text(max=255)]
    url: Annotated[str, Text(max=2048, description="The app's url: it names the app's payloads on users.")]
    is_super: Annotated[bool | None, Boolean()] = None
    roles: Roles = None


class AppChanges(RequestModel):
    """PATCH /api/v0/apps/{id}: the url cannot change (sent, it must be the app's own)."""

    name: Optional255 = None
    url: Annotated[str | None, Text(max=2048)] = None
    is_super: Annotated[bool | None, Boolean()] = None
    roles: Roles = None


# ---- answers ----


class RoleName(TypedDict):
    """The original's RoleView."""

    name: str


class UserView(TypedDict):
    """The documented user object; `apps` maps each app's url to this user's payload for it."""

    second_name: str | None
    roles: list[RoleName]
    login: str | None
    last_name: str | None
    first_name: str | None
    email: str
    birthday: str | None
    apps: dict[str, Any]


class SignedIn(TypedDict):
    """POST /api/v0/tokens."""

    user: UserView
    jwt: str


class AppView(TypedDict):
    """An app as super users manage it."""

    id: int
    name: str
    url: str
    is_super: bool
    roles: list[RoleName]
    inserted_at: str
    updated_at: str
    # Right after the app's creation or its token's rotation only.
    token: NotRequired[str]


class MenuEntry(TypedDict):
    url: str
    name: str


class Changeset(TypedDict):
    """Ecto's changeset errors, on 422: field → messages."""

    errors: dict[str, list[str]]


class ErrorMessage(TypedDict):
    """The original's own refusals: credentials, authentication, rights, apps and users missing."""

    error: str


class DetailText(TypedDict):
    detail: str


class Detail(TypedDict):
    """Phoenix's default error view, for everything else; the request id on 500."""

    errors: DetailText
    request_id: NotRequired[str]


Refusal = Changeset | ErrorMessage | Detail

answers = Answers(
    ErrorMessage,
    always=(500,),
    envelopes={400: Detail, 409: Detail, 422: Changeset | ErrorMessage, 429: Detail, 500: Detail},
)
