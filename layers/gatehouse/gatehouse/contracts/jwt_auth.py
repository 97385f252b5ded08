"""Surface B's requests (tymon/jwt-auth): sign-up and sign-in."""

from __future__ import annotations

from typing import Annotated

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
