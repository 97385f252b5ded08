"""Surface B's contracts (tymon/jwt-auth): its requests (sign-up and sign-in), its answers and its error envelope."""

from typing import Annotated, Literal, NotRequired, TypedDict

from gatehouse.contracts.answers import Answers
from gatehouse.contracts.base import RequestModel
from gatehouse.contracts.fields import Email, Identifier, Integer, NewPassword, Password, Text


class Registration(RequestModel):
    """POST /api/auth/register: the original's `username` is `required|min:3|max:16`."""

    username: Annotated[str, Text(min=3, max=16)]
    password: Annotated[str, NewPassword(min=8)]
    email: Annotated[str, Email(max=255)]
    sex: Annotated[int, Integer(min=0, max=2)]
    age: Annotated[int, Integer(min=0, max=150)]


class Credentials(RequestModel):
    """POST /api/auth/login. The original's `required|email`, widened to SPEC's sign-in by login
    name: a value with "@" must be a valid email (422 otherwise), one without is the login name."""

    email: Annotated[str, Identifier(max=255)]
    password: Annotated[str, Password()]


# ---- answers ----


class Message(TypedDict):
    """Registration's and sign-out's answer, and B's error envelope (Laravel's `{"message"}`)."""

    message: str


class Refusal(TypedDict):
    """B's error envelope: Laravel's `{"message"}`, with `errors` (field → messages) on 422 and
    the request id on 500."""

    message: str
    errors: NotRequired[dict[str, list[str]]]
    request_id: NotRequired[str]


class IssuedToken(TypedDict):
    """Sign-in's and refresh's answer (tymon/jwt-auth's respondWithToken)."""

    access_token: str
    token_type: Literal["bearer"]
    expires_in: int


class UserView(TypedDict):
    """GET/POST /api/auth/me: the original's `users` row, without its password."""

    id: int
    created_at: str | None
    updated_at: str | None
    type: int
    username: str | None
    sex: int | None
    age: int | None
    head_portrait: str | None
    clinic: int | None
    mobile: str | None
    email: str
    fixphonenumber: str | None
    certificat: str | None
    certificat_checked: int | None
    wechat: str | None
    intro: str | None
    school: str | None
    major: str | None


answers = Answers(Refusal, always=(429, 500))
