"""Surface C's requests (organization structure, Laravel Sanctum): the list queries, the
organizations, departments, positions and users, sign-in and password changes."""

from __future__ import annotations

from typing import Annotated

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
