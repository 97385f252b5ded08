"""Surface C's contracts (organization structure, Laravel Sanctum). Its requests: the list
queries, the organizations, departments, positions and users, sign-in and password changes; its
answers (`{"status": "success", "message", "data"}`) and its error envelope."""

from typing import Annotated, Literal, NotRequired, TypedDict

from gatehouse.contracts.answers import Answers
from gatehouse.contracts.base import RequestModel
from gatehouse.contracts.fields import (
    Anything,
    Boolean,
    Choice,
    Email,
    Integer,
    NewPassword,
    Password,
    StrictBoolean,
    Text,
    Url,
)

Name = Annotated[str, Text(max=255)]
NameChange = Annotated[str | None, Text(max=255, nullable=False)]
Description = Annotated[str | None, Text(max=65_535)]
Reference = Annotated[int, Integer(min=1)]
OptionalReference = Annotated[int | None, Integer(min=1)]
ReferenceChange = Annotated[int | None, Integer(min=1, nullable=False)]
# The original's `'is_active' => 'boolean'` on every create and update; null or absent keeps it.
IsActive = Annotated[bool | None, StrictBoolean(nullable=False)]
Salary = Annotated[int | None, Integer(min=0)]


class Listing(RequestModel):
    """`?page=&per_page=&search=` of every list."""

    page: Annotated[
        object,
        Anything(
            description="The page number: anything but an integer >= 1 is page 1, as Laravel's paginator reads it."
        ),
    ] = None
    per_page: Annotated[int | None, Integer(min=1, max=1000, description="At most 100 are listed.")] = None
    search: Annotated[str | None, Text(max=255)] = None


class DepartmentListing(Listing):
    organization_id: OptionalReference = None


class PositionListing(Listing):
    department_id: OptionalReference = None


class UserListing(Listing):
    organization_id: OptionalReference = None
    department_id: OptionalReference = None
    position_id: OptionalReference = None
    role: Annotated[str | None, Text(max=20)] = None
    is_active: Annotated[bool | None, Boolean()] = None


class NewOrganization(RequestModel):
    name: Name
    description: Description = None
    address: Annotated[str | None, Text(max=500)] = None
    phone: Annotated[str | None, Text(max=20)] = None
    email: Annotated[str | None, Email(max=255)] = None
    website: Annotated[str | None, Url(max=2048)] = None
    is_active: IsActive = None


class OrganizationChanges(RequestModel):
    name: NameChange = None
    description: Description = None
    address: Annotated[str | None, Text(max=500)] = None
    phone: Annotated[str | None, Text(max=20)] = None
    email: Annotated[str | None, Email(max=255)] = None
    website: Annotated[str | None, Url(max=2048)] = None
    is_active: IsActive = None


class NewDepartment(RequestModel):
    name: Name
    description: Description = None
    organization_id: Reference
    is_active: IsActive = None


class DepartmentChanges(RequestModel):
    name: NameChange = None
    description: Description = None
    organization_id: ReferenceChange = None
    is_active: IsActive = None


class NewPosition(RequestModel):
    name: Name
    description: Description = None
    department_id: Reference
    salary_min: Salary = None
    salary_max: Salary = None
    is_active: IsActive = None


class PositionChanges(RequestModel):
    name: NameChange = None
    description: Description = None
    department_id: ReferenceChange = None
    salary_min: Salary = None
    salary_max: Salary = None
    is_active: IsActive = None


class Credentials(RequestModel):
    """POST /api/login: an email or login name, the password, and the token's name."""

    email: Annotated[str, Text(max=255, description="An email address or a login name.")]
    password: Annotated[str, Password()]
    device_name: Annotated[str | None, Text(max=255, description='The token\'s name (default "api").')] = None


# The roles C's users may be given (the super is never assigned); who may assign which is the services'.
ASSIGNABLE_ROLES = ("admin", "manager", "user")
Role = Annotated[str | None, Choice(*ASSIGNABLE_ROLES, nullable=False)]


class NewUser(RequestModel):
    name: Name
    email: Annotated[str, Email(max=255)]
    password: Annotated[str, NewPassword(min=8, confirmed=True)]
    password_confirmation: Annotated[str, Password()]
    organization_id: Reference
    phone: Annotated[str | None, Text(max=20)] = None
    position: Annotated[str | None, Text(max=255, description="The job title.")] = None
    department_id: OptionalReference = None
    position_id: OptionalReference = None
    role: Role = None


class UserChanges(RequestModel):
    name: NameChange = None
    organization_id: ReferenceChange = None
    phone: Annotated[str | None, Text(max=20)] = None
    position: Annotated[str | None, Text(max=255, description="The job title.")] = None
    department_id: OptionalReference = None
    position_id: OptionalReference = None
    role: Role = None


class PasswordChange(RequestModel):
    """PUT /api/users/{id}/password."""

    password: Annotated[str, NewPassword(min=8, confirmed=True)]
    password_confirmation: Annotated[str, Password()]


# ---- answers ----


class Success[Data](TypedDict):
    """Every success: `data` is None where there is nothing to show (deletions, sign-out)."""

    status: Literal["success"]
    message: str
    data: Data


class Named(TypedDict):
    """A related organization, department or position: `{"id", "name"}`."""

    id: int
    name: str


class Pagination(TypedDict):
    current_page: int
    last_page: int
    per_page: int
    total: int


class OrganizationView(TypedDict):
    id: int
    name: str
    description: str | None
    address: str | None
    phone: str | None
    email: str | None
    website: str | None
    is_active: bool
    created_at: str
    updated_at: str
    # In lists only (the original's withCount).
    departments_count: NotRequired[int]
    users_count: NotRequired[int]


class DepartmentSummary(TypedDict):
    id: int
    name: str
    description: str | None


class Member(TypedDict):
    """A user inside an organization's or department's `users`."""

    id: int
    name: str
    email: str
    position: str | None


class OrganizationDetail(OrganizationView):
    departments: list[DepartmentSummary]
    users: list[Member]


class DepartmentView(TypedDict):
    id: int
    name: str
    description: str | None
    organization_id: int
    organization: Named | None
    is_active: bool
    created_at: str
    updated_at: str
    users_count: NotRequired[int]


class DepartmentDetail(DepartmentView):
    users: list[Member]


class PositionDepartment(TypedDict):
    """A position's department, with its organization."""

    id: int
    name: str
    organization: Named | None


class PositionView(TypedDict):
    id: int
    name: str
    description: str | None
    department_id: int | None
    department: PositionDepartment | None
    salary_min: int | None
    salary_max: int | None
    is_active: bool
    created_at: str
    updated_at: str
    users_count: NotRequired[int]


class PositionMember(TypedDict):
    id: int
    name: str
    email: str
    salary: None


class PositionDetail(PositionView):
    users: list[PositionMember]


class UserView(TypedDict):
    id: int
    name: str
    email: str
    phone: str | None
    # The position when the user has one, else the free-text title.
    position: Named | str | None
    role: str
    organization_id: int | None
    department_id: int | None
    position_id: int | None
    organization: Named | None
    department: Named | None
    is_active: bool
    # Absent from the answer to a creation.
    last_login_at: NotRequired[str | None]
    created_at: str
    updated_at: str
    # A single user's answer only.
    permissions: NotRequired[list[str]]
    roles: NotRequired[list[str]]


class RoleView(TypedDict):
    id: int
    name: str
    display_name: str
    description: str


class Organizations(TypedDict):
    organizations: list[OrganizationView]
    pagination: Pagination


class Departments(TypedDict):
    departments: list[DepartmentView]
    pagination: Pagination


class Positions(TypedDict):
    positions: list[PositionView]
    pagination: Pagination


class Users(TypedDict):
    users: list[UserView]
    pagination: Pagination


class Roles(TypedDict):
    roles: list[RoleView]


class OneOrganization(TypedDict):
    organization: OrganizationView


class OrganizationShown(TypedDict):
    organization: OrganizationDetail


class OneDepartment(TypedDict):
    department: DepartmentView


class DepartmentShown(TypedDict):
    department: DepartmentDetail


class OnePosition(TypedDict):
    position: PositionView


class PositionShown(TypedDict):
    position: PositionDetail


class OneUser(TypedDict):
    user: UserView


class Activation(TypedDict):
    id: int
    is_active: bool


class Activated(TypedDict):
    user: Activation


class IssuedToken(TypedDict):
    """POST /api/login."""

    user: UserView
    token: str
    token_type: Literal["Bearer"]


class Refusal(TypedDict):
    """C's error envelope, on every status: `errors` (field → Laravel's messages) on 422."""

    status: Literal["error"]
    message: str
    errors: NotRequired[dict[str, list[str]]]
    request_id: NotRequired[str]


answers = Answers(Refusal, always=(429, 500))
