"""Every surface answers as its OpenAPI document says (docs/openapi/{a..e}.json, `make openapi`).

Schemathesis generates requests from each document, valid and invalid, for every operation, and
sends them through the real handlers with real API Gateway events (the `api` fixture, as a WSGI
application: `WsgiApi`), into a small seeded world: a super user signed in on every surface,
a few users, an organization with a department and a position, a group, a demand, a user meta
and a super app. Each answer must be no server error, with a status, a content type and a body
the document declares for that operation.

Bounded so the suite stays fast: a few examples per operation, deterministic (`derandomize`),
no deadline. `make fuzz` runs the same tests with FUZZ_EXAMPLES examples per operation and
schemathesis's coverage phase (boundary and near-miss values of every parameter).
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from gatehouse_local.testing import ApiClient, WsgiApi, bearer
from tests.seeding import SeedOnce

pytestmark = pytest.mark.heavy

DOCUMENTS = Path(__file__).resolve().parents[2] / "docs" / "openapi"
# `make fuzz` sets it (and with it the coverage phase); the suite's default keeps the module short.
FUZZ_EXAMPLES = os.environ.get("FUZZ_EXAMPLES")
MAX_EXAMPLES = int(FUZZ_EXAMPLES or 4)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
PASSWORD = "fuzz-pass-7291"
Case = schemathesis.Case[schemathesis.APIOperation[Any, Any, Any, Any]]


def surface_schema(key: str) -> schemathesis.BaseSchema:
    config = schemathesis.Config.from_dict(
        {
            "generation": {"deterministic": True, "database": "none"},
            # The coverage phase sends each parameter's boundary and near-miss values: tens of
            # requests per operation, whatever max_examples says; `make fuzz` only.
            "phases": {"coverage": {"enabled": FUZZ_EXAMPLES is not None}, "stateful": {"enabled": False}},
        }
    )
    return schemathesis.openapi.from_path(DOCUMENTS / f"{key}.json", config=config)


@dataclass(frozen=True)
class World:
    """The seeded directory: the super's token on each surface, and ids that exist, by the
    name of the path parameter that takes them, per surface."""

    a_token: str
    b_token: str
    c_token: str
    e_token: str
    app_token: str
    existing: Mapping[str, Mapping[str, str]]


@pytest.fixture
def world(seeded_once: SeedOnce[World], unthrottled: None) -> World:
    """Seeded by the module's first test; the others load the store it left."""
    return seeded_once(seed)


def seed(api: ApiClient) -> World:
    def post(path: str, body: dict[str, Any], token: str | None = None, status: int = 200) -> Any:
        response = api.post(path, json=body, headers=bearer(token) if token else None)
        assert response.status == status, response.body
        return response.json

    # The first user is the super.
    post(
        "/api/auth/register",
        {"username": "root", "password": PASSWORD, "email": "root@example.com", "sex": 0, "age": 40},
    )
    credentials = {"email": "root@example.com", "password": PASSWORD}
    a_token = post("/api/v1/login", credentials)["data"]["token"]
    b_token = post("/api/auth/login", credentials)["access_token"]
    c_token = post("/api/login", credentials)["data"]["token"]
    e_token = post("/api/v0/tokens", {"login": "root", "password": PASSWORD}, status=201)["jwt"]

    staff = {"name": "Staff", "level": 20, "permissions": ["users.read"]}
    group = post("/api/v1/groups", staff, b_token)["group"]["id"]
    alice = {"nickname": "alice", "email": "alice@example.com", "password": PASSWORD, "group": group}
    d_user = post("/api/v1/users/new_user", alice, b_token)["user"]["id"]
    organization = post("/api/organizations", {"name": "Acme"}, c_token, 201)["data"]["organization"]["id"]
    it = {"name": "IT", "organization_id": organization}
    department = post("/api/departments", it, c_token, 201)["data"]["department"]["id"]
    developer = {"name": "Developer", "department_id": department}
    position = post("/api/positions", developer, c_token, 201)["data"]["position"]["id"]
    bob = {
        "name": "Bob Builder",
        "email": "bob@example.com",
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
        "organization_id": organization,
        "department_id": department,
        "position_id": position,
        "role": "user",
    }
    c_user = post("/api/users", bob, c_token, 201)["data"]["user"]["id"]
    carol = {"name": "Carol", "surname": "Smith", "email": "carol@example.com", "password": PASSWORD}
    a_user = post("/api/v1/user", carol, a_token, 201)["_id"]
    laptop = {"name": "Laptop", "description": "A new laptop", "responsible_id": c_user}
    demand = post("/api/v1/demand", laptop, a_token, 201)["_id"]
    user_meta = post("/api/v1/user_meta", {"user__id": a_user, "key": "team", "value": "platform"}, a_token)[
        "_id"
    ]
    portal = {"name": "Portal", "url": "https://portal.example.com", "is_super": True}
    app = post("/api/v0/apps", portal, e_token, 201)
    return World(
        a_token=a_token,
        b_token=b_token,
        c_token=c_token,
        e_token=e_token,
        app_token=app["token"],
        existing={
            "a": {
                "user": a_user,
                "demand": demand,
                "user_metum": user_meta,
                "position_id": str(position),
                "position": str(position),
            },
            "b": {},
            "c": {
                "organization_id": str(organization),
                "department_id": str(department),
                "position_id": str(position),
                "user_id": str(c_user),
            },
            "d": {"user_id": str(d_user), "group_id": str(group)},
            "e": {"app_id": str(app["id"])},
        },
    )


def credentials(world: World, key: str, jwt_in: str) -> dict[str, Callable[[Case], None]]:
    """How each of the document's security schemes is satisfied: its name → what it adds."""

    def header(name: str, value: str) -> Callable[[Case], None]:
        return lambda case: case.headers.update({name: value})

    def cookie(name: str, value: str) -> Callable[[Case], None]:
        def signed_in(case: Case) -> None:
            # Schemathesis fills the bearer scheme's header with made-up values, and a present
            # but unusable header is a 401 on E whatever the cookie holds (docs/surface-e.md).
            case.headers.pop("Authorization", None)
            case.cookies[name] = value

        return signed_in

    surface_jwt = {"a": world.a_token, "b": world.b_token, "d": world.b_token, "e": world.e_token}
    schemes = {
        "sanctum": header("Authorization", f"Bearer {world.c_token}"),
        "appToken": header("x-app-token", world.app_token),
        "jwtCookie": cookie("jwt", world.e_token),
    }
    if key in surface_jwt and not (key == "e" and jwt_in == "cookie"):
        schemes["bearer"] = header("Authorization", f"Bearer {surface_jwt[key]}")
    return schemes


def authenticate(case: Case, schemes: Mapping[str, Callable[[Case], None]]) -> None:
    """Sign the case in with the first of the operation's security requirements that the
    available schemes satisfy (none for a public route)."""
    if case.headers is None:
        case.headers = {}
    if case.cookies is None:
        case.cookies = {}
    requirements: list[dict[str, list[str]]] = case.operation.definition.raw.get("security") or []
    for requirement in requirements:
        if requirement and all(name in schemes for name in requirement):
            for name in requirement:
                schemes[name](case)
            return


def aim_at_the_world(case: Case, existing: Mapping[str, str]) -> None:
    """Half of the cases (by a hash of what was generated, so a replayed case is the same) name
    seeded ids in their path, so routes get past their 404 and act on real things."""
    if not case.path_parameters or zlib.crc32(repr(sorted(case.path_parameters.items())).encode()) % 2:
        return
    for name in case.path_parameters:
        if name in existing:
            case.path_parameters[name] = existing[name]


def exercise(case: Case, api: ApiClient, world: World, key: str, jwt_in: str = "header") -> None:
    aim_at_the_world(case, world.existing[key])
    authenticate(case, credentials(world, key, jwt_in))
    case.call_and_validate(app=WsgiApi(api), checks=CHECKS)


BOUNDED = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def surface_of(case: Case) -> str:
    """The surface key of a case's document: its file's name (docs/openapi/{key}.json)."""
    return Path(urlsplit(case.operation.schema.location or "").path).stem


@schemathesis.pytest.parametrize(**{key: surface_schema(key) for key in "abcd"})
@BOUNDED
def test_surfaces_a_to_d_answer_as_documented(case: Case, api: ApiClient, world: World) -> None:
    exercise(case, api, world, surface_of(case))


@surface_schema("e").parametrize()
@BOUNDED
@pytest.mark.parametrize("jwt_in", ["header", "cookie"])
def test_surface_e_answers_as_documented_with_its_jwt_as_header_and_as_cookie(
    case: Case, api: ApiClient, world: World, jwt_in: str
) -> None:
    exercise(case, api, world, "e", jwt_in)
