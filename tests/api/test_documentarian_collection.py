"""Surface A's published request list, replayed: the Postman collection the seed document links
(`/docs/collection.json`). `data/documentarian_collection.json` is the original's
`public/docs/collection.json` at the seed's commit (1a8a75e), unchanged.

Each request is sent as the collection has it, with the base URL swapped, a real token where the
route needs one, and the ids in its URL and body taken from objects the test creates; its answer
must not be a 5xx and must have the documented shape.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gatehouse_local.testing import ApiClient, bearer, multipart
from tests.api.documentarian_client import login, own_id, register
from tests.seeding import SeedOnce

COLLECTION = Path(__file__).parent / "data" / "documentarian_collection.json"
ORIGINAL_BASE_URL = "http://localhost"
# SPEC: registration, sign-in and recovery are the only A routes without a token.
PUBLIC_PATHS = {"/api/v1/register", "/api/v1/login", "/api/v1/recover"}
# The collection's placeholder values for a user id in a body (Documentarian's fake words).
BODY_USER_ID_FIELD = "user__id"

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
# The documented fields (the seed's example responses); users' password, remember_token and
# confirm_token are deliberately never shown (SPEC).
DEMAND_FIELDS = ["_id", "name", "description", "author_id", "responsible_id", "created_at", "updated_at"]
POSITION_FIELDS = ["_id", "name", "description", "created_at", "updated_at"]
USER_FIELDS = ["_id", "surname", "name", "middlename", "email", "is_verified", "created_at", "updated_at"]
META_FIELDS = ["_id", "user__id", "key", "value", "created_at", "updated_at"]


@dataclass(frozen=True)
class PostmanRequest:
    folder: str
    name: str
    method: str
    url: str
    form: dict[str, str]

    @property
    def route(self) -> str:
        """The path as documented, placeholders and all (`/api/v1/demand/{demand}`)."""
        return self.url.removeprefix(ORIGINAL_BASE_URL)

    @property
    def label(self) -> str:
        return f"{self.folder.splitlines()[0]}: {self.method} {self.route}"


def postman_requests(items: list[dict[str, Any]], folder: str = "") -> Iterator[PostmanRequest]:
    """Every request of a Postman v2.0 collection, in its order, folders flattened."""
    for item in items:
        if "item" in item:
            yield from postman_requests(item["item"], item["name"])
            continue
        request = item["request"]
        body = request.get("body") or {}
        assert body.get("mode", "formdata") == "formdata", item["name"]
        form = {
            field["key"]: field["value"] for field in body.get("formdata", []) if field.get("enabled", True)
        }
        yield PostmanRequest(folder, item["name"], request["method"], request["url"], form)


REQUESTS = list(postman_requests(json.loads(COLLECTION.read_text())["item"]))


def envelope_error(status: int) -> Callable[[int, Any], None]:
    def check(answered: int, body: Any) -> None:
        assert answered == status
        assert body["success"] is False
        assert body["error"]["code"] == status
        assert isinstance(body["error"]["message"], str)

    return check


def success_message(answered: int, body: Any) -> None:
    assert answered == 200
    assert body["success"] is True
    assert isinstance(body["message"], str)


def true(answered: int, body: Any) -> None:
    assert (answered, body) == (200, True)


def one(fields: list[str], status: int = 200) -> Callable[[int, Any], None]:
    def check(answered: int, body: Any) -> None:
        assert answered == status
        assert list(body) == fields
        assert TIMESTAMP.match(body["created_at"])
        assert TIMESTAMP.match(body["updated_at"])

    return check


def listing(fields: list[str]) -> Callable[[int, Any], None]:
    def check(answered: int, body: Any) -> None:
        assert answered == 200
        assert isinstance(body, list)
        assert body, "the list should hold what the test created"
        for entry in body:
            one(fields)(200, entry)

    return check


# What each request of the collection must answer. Bodies the collection leaves empty are
# validation errors where the route needs fields; an empty update changes nothing.
EXPECTED: dict[tuple[str, str], Callable[[int, Any], None]] = {
    ("POST", "/api/v1/register"): envelope_error(422),
    ("POST", "/api/v1/login"): envelope_error(422),
    ("POST", "/api/v1/recover"): envelope_error(422),
    ("GET", "/api/v1/logout"): success_message,
    ("GET", "/api/v1/demand"): listing(DEMAND_FIELDS),
    ("POST", "/api/v1/demand"): envelope_error(422),
    ("GET", "/api/v1/demand/{demand}"): one(DEMAND_FIELDS),
    ("PUT", "/api/v1/demand/{demand}"): one(DEMAND_FIELDS),
    ("DELETE", "/api/v1/demand/{demand}"): true,
    ("GET", "/api/v1/position"): listing(POSITION_FIELDS),
    ("POST", "/api/v1/position"): envelope_error(422),
    ("GET", "/api/v1/position/{position}"): one(POSITION_FIELDS),
    ("PUT", "/api/v1/position/{position}"): one(POSITION_FIELDS),
    ("DELETE", "/api/v1/position/{position}"): true,
    ("GET", "/api/v1/user"): listing(USER_FIELDS),
    ("POST", "/api/v1/user"): envelope_error(422),
    ("GET", "/api/v1/user/{user}"): one(USER_FIELDS),
    ("PUT", "/api/v1/user/{user}"): one(USER_FIELDS),
    ("DELETE", "/api/v1/user/{user}"): true,
    ("GET", "/api/v1/user_meta"): listing(META_FIELDS),
    ("POST", "/api/v1/user_meta"): one(META_FIELDS),
    ("GET", "/api/v1/user_meta/{user_metum}"): one(META_FIELDS),
    ("PUT", "/api/v1/user_meta/{user_metum}"): true,
    ("DELETE", "/api/v1/user_meta/{user_metum}"): true,
}


@dataclass(frozen=True)
class World:
    """What the collection's requests need: a super's tokens and one object of each kind."""

    token: str
    logout_token: str
    super_id: str
    ids: dict[str, str]


@pytest.fixture
def world(seeded_once: SeedOnce[World]) -> World:
    return seeded_once(seed_world)


def seed_world(api: ApiClient) -> World:
    register(api, "root@example.com")
    register(api, "other@example.com")
    token = login(api, "root@example.com")
    headers = bearer(token)
    demand = api.post(
        "/api/v1/demand",
        json={"name": "Demand Name 1", "description": "d", "responsible_id": 2},
        headers=headers,
    )
    position = api.post("/api/v1/position", json={"name": "cook", "description": "Повар"}, headers=headers)
    super_id = own_id(api, "root@example.com")
    meta = api.post(
        "/api/v1/user_meta", json={"user__id": super_id, "key": "phone", "value": "+7922"}, headers=headers
    )
    assert (demand.status, position.status, meta.status) == (201, 200, 200)
    return World(
        token=token,
        # A token of its own for the logout request, which revokes the one it carries.
        logout_token=login(api, "root@example.com"),
        super_id=super_id,
        ids={
            "{demand}": demand.json["_id"],
            "{position}": str(position.json["_id"]),
            "{user}": own_id(api, "other@example.com"),
            "{user_metum}": meta.json["_id"],
        },
    )


def replay(api: ApiClient, request: PostmanRequest, world: World) -> tuple[int, Any]:
    path = request.route
    for placeholder, value in world.ids.items():
        path = path.replace(placeholder, value)
    form = {
        name: world.super_id if name == BODY_USER_ID_FIELD else value for name, value in request.form.items()
    }
    options: dict[str, Any] = {"headers": {"Accept": "application/json"}}
    if request.route not in PUBLIC_PATHS:
        token = world.logout_token if request.route == "/api/v1/logout" else world.token
        options["headers"] |= bearer(token)
    if form:
        # Postman sends its form-data mode as multipart/form-data, as this does.
        content, content_type = multipart(form)
        options["body"] = content
        options["headers"] |= {"Content-Type": content_type}
    response = api.request(request.method, path, **options)
    return response.status, response.json if response.body else None


def test_the_collection_lists_every_documented_route_once() -> None:
    assert sorted((r.method, r.route) for r in REQUESTS) == sorted(EXPECTED)


@pytest.mark.parametrize("request_", REQUESTS, ids=[r.label for r in REQUESTS])
def test_every_request_of_the_published_collection_gets_its_documented_answer(
    api: ApiClient, world: World, request_: PostmanRequest
) -> None:
    status, body = replay(api, request_, world)
    assert status < 500, body
    EXPECTED[(request_.method, request_.route)](status, body)
