"""Surface D's contracts (users-and-logs admin). Its requests: users, their role, password and
userpic, the id-ordered list queries, the audit log's filters and the groups; its answers
(`{"status": "ok", ...}`) and its error envelope (`{"status": "error", "field"?, "message"}`)."""

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal, NotRequired, TypedDict

from pydantic import Field

from gatehouse.contracts.answers import Answers
from gatehouse.contracts.base import RequestModel
from gatehouse.contracts.fields import Choice, Email, Integer, NewPassword, Password, Sent, Text, Url
from gatehouse.errors import ValidationFailed

MAX_PER_PAGE = 100
MAX_LOGS_PER_PAGE = 100
MAX_GROUP_LEVEL = 1000
# The multipart part (or body field) a userpic is uploaded in.
USERPIC_FIELD = "upload_userpic"
DEFAULT_USERS_PER_PAGE = 50
# The fields the user struct shows inside its `contacts` object; a body may send them there too.
CONTACT_FIELDS = ("email", "phone", "telegram", "viber")

Optional255 = Annotated[str | None, Text(max=255)]
Contact = Annotated[str | None, Text(max=64)]
GroupReference = Annotated[int | None, Integer(min=1)]


class _WithContacts(RequestModel):
    """A body whose `contacts` object (as the user struct shows it) is read beside the rest."""

    @classmethod
    def reshaped(cls, data: Mapping[str, Any]) -> Mapping[str, Any]:
        contacts = data.get("contacts")
        if contacts is not None and not isinstance(contacts, dict):
            raise ValidationFailed.single("contacts", "object")
        flat = {name: value for name, value in data.items() if name != "contacts"}
        if isinstance(contacts, dict):
            flat.update({name: contacts[name] for name in CONTACT_FIELDS if name in contacts})
        return flat


class NewUser(_WithContacts):
    """POST /api/v1/users/new_user."""

    nickname: Annotated[str, Text(max=255)]
    email: Annotated[str, Email()]
    password: Annotated[str, NewPassword(min=6)]
    # `manager` beside the document's three: the canonical role C's clients create (SPEC's roles).
    role: Annotated[str | None, Choice("user", "manager", "admin", "super")] = None
    first_name: Optional255 = None
    mid_name: Optional255 = None
    last_name: Optional255 = None
    phone: Contact = None
    telegram: Contact = None
    viber: Contact = None
    userpic: Annotated[str | None, Url()] = None
    group_id: GroupReference = None


class UserChanges(_WithContacts):
    """POST /api/v1/users/id/{id}/update: the fields sent change (sent empty: cleared)."""

    nickname: Optional255 = None
    email: Annotated[str | None, Email()] = None
    first_name: Optional255 = None
    mid_name: Optional255 = None
    last_name: Optional255 = None
    phone: Contact = None
    telegram: Contact = None
    viber: Contact = None
    userpic: Annotated[str | None, Url()] = None
    group_id: GroupReference = None


class RoleChange(RequestModel):
    role: Annotated[str, Choice("user", "manager", "admin")]


class PasswordChange(RequestModel):
    password: Annotated[str, Password(description="The current password.")]
    new_password: Annotated[str, NewPassword(min=6)]


class UserpicUpload(RequestModel):
    """A multipart file part (or a `data:` URI); what it must hold is `services.userpics`'s."""

    upload: Annotated[object, Sent(description="An image: a file part, or a `data:` URI of one.")] = Field(
        default=None, alias=USERPIC_FIELD
    )


class Page(RequestModel):
    """`?per_page=&cursor=` of the id-ordered lists (users, groups): the cursor is the last id seen."""

    per_page: Annotated[int | None, Integer(min=1, max=MAX_PER_PAGE)] = None
    cursor: Annotated[int | None, Integer(min=0, description="The last id of the previous page.")] = None


class LogFilters(RequestModel):
    """`GET /api/v1/logs/list/filtered`'s query string."""

    # Other spellings clients send for the same filters.
    aliases: ClassVar[Mapping[str, str]] = {
        "date_from": "from",
        "date_to": "to",
        "order": "sort",
        "limit": "per_page",
    }

    by_user: Annotated[int | None, Integer(min=1)] = None
    by_group: Annotated[int | None, Integer(min=1)] = None
    by_device: Annotated[str | None, Text(max=256)] = None
    since: Annotated[
        str | None, Text(max=40, description="From this moment (a date or date-time prefix).")
    ] = Field(default=None, alias="from")
    until: Annotated[
        str | None, Text(max=40, description="Up to this moment (a date or date-time prefix).")
    ] = Field(default=None, alias="to")
    sort: Annotated[str | None, Choice("asc", "desc", description="By time; newest first by default.")] = None
    per_page: Annotated[int | None, Integer(min=1, max=MAX_LOGS_PER_PAGE)] = None
    cursor: Annotated[str | None, Text(max=2048)] = None


Permissions = Annotated[object, Sent(description="The permission names the group grants (a list).")]


class NewGroup(RequestModel):
    name: Annotated[str, Text(max=100)]
    description: Annotated[str | None, Text(max=1000)] = None
    level: Annotated[int | None, Integer(min=0, max=MAX_GROUP_LEVEL)] = None
    # A list, which the string rules cannot describe: groups.validate_permissions checks it.
    permissions: Permissions = None


class GroupChanges(RequestModel):
    name: Annotated[str | None, Text(max=100)] = None
    description: Annotated[str | None, Text(max=1000)] = None
    level: Annotated[int | None, Integer(min=0, max=MAX_GROUP_LEVEL)] = None
    permissions: Permissions = None


# ---- answers ----


class GroupView(TypedDict):
    id: int
    name: str
    description: str
    level: int
    permissions: list[str]
    create_at: str | None


class Contacts(TypedDict):
    email: str
    phone: str
    telegram: str
    viber: str


class UserView(TypedDict):
    """The document's USER STRUCT: absent text is "", `group` is the group or false."""

    id: int
    first_name: str
    mid_name: str
    last_name: str
    nickname: str
    userpic: str
    contacts: Contacts
    role: str
    group: GroupView | Literal[False]
    last_activity: str | None
    create_at: str | None


class OneUser(TypedDict):
    status: Literal["ok"]
    user: UserView


class Users(TypedDict):
    status: Literal["ok"]
    users: list[UserView]
    total: int
    next_cursor: int | None


class NewPasswordIssued(TypedDict):
    status: Literal["ok"]
    new_password: str


class UserPermissions(TypedDict):
    status: Literal["ok"]
    permissions: list[str]


class EventTarget(TypedDict):
    type: str
    id: str | None


class EventView(TypedDict):
    """An audit log entry."""

    id: str
    action: str
    outcome: str
    user: int | None
    group: int | None
    device: str | None
    target: EventTarget | None
    ip: str | None
    user_agent: str | None
    details: dict[str, Any]
    create_at: str | None
    timestamp: str


class Logs(TypedDict):
    status: Literal["ok"]
    logs: list[EventView]
    per_page: int
    sort: Literal["asc", "desc"]
    next_cursor: str | None


class Groups(TypedDict):
    status: Literal["ok"]
    groups: list[GroupView]
    next_cursor: int | None


class OneGroup(TypedDict):
    status: Literal["ok"]
    group: GroupView


class Refusal(TypedDict):
    """D's error envelope, on every status: `field` names the first invalid field on 422."""

    status: Literal["error"]
    field: NotRequired[str]
    message: str
    request_id: NotRequired[str]


# D is not rate limited by request count (sign-in lockouts answer 429 where they apply).
answers = Answers(Refusal, always=(500,))
