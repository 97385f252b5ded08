"""Surface A: /api/v1/user_meta CRUD."""

from __future__ import annotations

import re
from typing import Any

import pytest

from gatehouse_local.testing import ApiClient
from tests.api.documentarian_client import People, four_people
from tests.seeding import SeedOnce

META_FIELDS = ["_id", "user__id", "key", "value", "created_at", "updated_at"]
NOT_FOUND = {"success": False, "error": {"code": 404, "message": "Not found"}}
NOTHING_TO_REMOVE = {"success": False, "error": {"code": 404, "message": "Удаляемый объект не найден"}}
# The original's FormUserMeta::messages().
USER__ID_REQUIRED = "Необходимо указать ID пользователя"
KEY_REQUIRED = "Необходимо указать ключ метаданных"
VALUE_REQUIRED = "Необходимо указать значение метаданных"
SUPER, ADMIN, ALICE, BOB = (f"{n:024x}" for n in range(1, 5))


@pytest.fixture
def people(seeded_once: SeedOnce[People]) -> People:
    return seeded_once(four_people)


def create(api: ApiClient, headers: dict[str, str], owner: str, key: str = "phone") -> dict[str, Any]:
    response = api.post("/api/v1/user_meta", json={"user__id": owner, "key": key, "value": "+79222222222"}, headers=headers)  # fmt: skip
    assert response.status == 200, response.body
    created: dict[str, Any] = response.json
    return created


def test_create_answers_200_with_the_documented_shape(
    api: ApiClient, people: dict[str, dict[str, str]]
) -> None:
    meta = create(api, people["alice"], ALICE)
    assert list(meta) == META_FIELDS
    assert re.fullmatch(r"[0-9a-f]{24}", meta["_id"])
    assert (meta["user__id"], meta["key"], meta["value"]) == (ALICE, "phone", "+79222222222")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", meta["created_at"])


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("user__id", None, USER__ID_REQUIRED),
        ("user__id", "ffffffffffffffffffffffff", "The selected user  id is invalid."),
        ("user__id", "3", "The selected user  id is invalid."),
        ("user__id", 3, "The user  id must be a string."),
        ("key", "", KEY_REQUIRED),
        ("key", 5, "The key must be a string."),
        ("key", "k" * 256, "The key may not be greater than 255 characters."),
        ("value", None, VALUE_REQUIRED),
        ("value", {"a": 1}, "The value must be a string."),
    ],
)
def test_create_validates_each_field_with_the_originals_required_messages(
    api: ApiClient, people: dict[str, dict[str, str]], field: str, value: object, message: str
) -> None:
    body = {"user__id": ALICE, "key": "phone", "value": "1", field: value}
    response = api.post("/api/v1/user_meta", json=body, headers=people["alice"])
    assert response.status == 422
    assert response.json["error"]["errors"] == {field: [message]}
    assert api.get("/api/v1/user_meta", headers=people["alice"]).json == []


def test_a_create_without_fields_answers_every_required_message_in_the_envelope(
    api: ApiClient, people: dict[str, dict[str, str]]
) -> None:
    response = api.post("/api/v1/user_meta", json={}, headers=people["alice"])
    assert response.status == 422
    assert response.json == {
        "success": False,
        "error": {
            "code": 422,
            "message": "The given data was invalid.",
            "errors": {"user__id": [USER__ID_REQUIRED], "key": [KEY_REQUIRED], "value": [VALUE_REQUIRED]},
        },
    }


def test_users_add_metas_only_to_themselves_admins_to_others(
    api: ApiClient, people: dict[str, dict[str, str]]
) -> None:
    refused = api.post("/api/v1/user_meta", json={"user__id": BOB, "key": "k", "value": "v"}, headers=people["alice"])  # fmt: skip
    assert refused.status == 403
    assert create(api, people["admin"], BOB)["user__id"] == BOB


def test_list_shows_a_user_their_own_and_super_everything(
    api: ApiClient, people: dict[str, dict[str, str]]
) -> None:
    alices = [create(api, people["alice"], ALICE, key)["_id"] for key in ("phone", "dob")]
    bobs = [create(api, people["bob"], BOB)["_id"]]
    own = api.get("/api/v1/user_meta", headers=people["alice"])
    assert own.status == 200
    assert sorted(m["_id"] for m in own.json) == sorted(alices)
    assert all(list(m) == META_FIELDS for m in own.json)
    assert sorted(m["_id"] for m in api.get("/api/v1/user_meta", headers=people["super"]).json) == sorted(
        alices + bobs
    )
    filtered = api.get("/api/v1/user_meta", headers=people["super"], query={"user__id": BOB})
    assert [m["_id"] for m in filtered.json] == bobs
    assert api.get("/api/v1/user_meta", headers=people["alice"], query={"user__id": BOB}).json == []
    assert api.get("/api/v1/user_meta", headers=people["alice"], query={"user__id": "xyz"}).status == 422
    head = api.head("/api/v1/user_meta", headers=people["alice"])
    assert (head.status, head.body) == (200, "")


def test_list_is_paged_by_cursor(api: ApiClient, people: dict[str, dict[str, str]]) -> None:
    for key in ("a", "b", "c"):
        create(api, people["alice"], ALICE, key)
    everything = api.get("/api/v1/user_meta", headers=people["alice"]).json
    first = api.get("/api/v1/user_meta", headers=people["alice"], query={"limit": 2})
    assert first.json == everything[:2]
    rest = api.get(
        "/api/v1/user_meta", headers=people["alice"], query={"after": first.headers["x-next-after"]}
    )
    assert rest.json == everything[2:]
    assert api.get("/api/v1/user_meta", headers=people["alice"], query={"limit": 101}).status == 422


def test_show_and_head(api: ApiClient, people: dict[str, dict[str, str]]) -> None:
    meta = create(api, people["alice"], ALICE)
    path = f"/api/v1/user_meta/{meta['_id']}"
    assert api.get(path, headers=people["alice"]).json == meta
    assert api.get(path, headers=people["super"]).json == meta
    assert api.get(path, headers=people["bob"]).status == 403
    head = api.head(path, headers=people["alice"])
    assert (head.status, head.body) == (200, "")


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_update_replaces_the_fields_and_answers_true(
    api: ApiClient, people: dict[str, dict[str, str]], method: str
) -> None:
    meta = create(api, people["alice"], ALICE)
    path = f"/api/v1/user_meta/{meta['_id']}"
    body = {"user__id": ALICE, "key": "dob", "value": "1990-01-01"}
    response = api.request(method, path, json=body, headers=people["alice"])
    assert (response.status, response.body) == (200, "true")
    updated = api.get(path, headers=people["alice"]).json
    assert (updated["_id"], updated["key"], updated["value"]) == (meta["_id"], "dob", "1990-01-01")


def test_update_requires_all_three_fields(api: ApiClient, people: dict[str, dict[str, str]]) -> None:
    meta = create(api, people["alice"], ALICE)
    response = api.patch(f"/api/v1/user_meta/{meta['_id']}", json={"value": "x"}, headers=people["alice"])
    assert response.status == 422
    assert response.json["error"]["errors"] == {"user__id": [USER__ID_REQUIRED], "key": [KEY_REQUIRED]}


def test_moving_a_meta_needs_the_right_to_manage_both_users(
    api: ApiClient, people: dict[str, dict[str, str]]
) -> None:
    meta = create(api, people["alice"], ALICE)
    path = f"/api/v1/user_meta/{meta['_id']}"
    body = {"user__id": BOB, "key": "phone", "value": "1"}
    assert api.put(path, json=body, headers=people["alice"]).status == 403
    assert api.put(path, json=body, headers=people["admin"]).json is True
    assert api.get(path, headers=people["admin"]).json["user__id"] == BOB
    assert [m["_id"] for m in api.get("/api/v1/user_meta", headers=people["bob"]).json] == [meta["_id"]]
    assert api.get("/api/v1/user_meta", headers=people["alice"]).json == []


def test_others_cannot_change_or_delete_a_meta(api: ApiClient, people: dict[str, dict[str, str]]) -> None:
    meta = create(api, people["alice"], ALICE)
    path = f"/api/v1/user_meta/{meta['_id']}"
    body = {"user__id": ALICE, "key": "phone", "value": "stolen"}
    assert api.put(path, json=body, headers=people["bob"]).status == 403
    assert api.delete(path, headers=people["bob"]).status == 403
    assert api.get(path, headers=people["alice"]).json == meta


def test_delete_answers_true(api: ApiClient, people: dict[str, dict[str, str]]) -> None:
    path = f"/api/v1/user_meta/{create(api, people['alice'], ALICE)['_id']}"
    response = api.delete(path, headers=people["alice"])
    assert (response.status, response.json) == (200, True)
    assert api.get(path, headers=people["alice"]).status == 404
    other = f"/api/v1/user_meta/{create(api, people['bob'], BOB)['_id']}"
    assert api.delete(other, headers=people["admin"]).json is True


@pytest.mark.parametrize("meta_id", ["ffffffffffffffffffffffff", "1", "nope", "000000000000000000000001"])
def test_unknown_and_malformed_ids_are_404(
    api: ApiClient, people: dict[str, dict[str, str]], meta_id: str
) -> None:
    body = {"user__id": ALICE, "key": "k", "value": "v"}
    for method in ("GET", "PUT", "PATCH"):
        response = api.request(method, f"/api/v1/user_meta/{meta_id}", json=body, headers=people["super"])
        assert (response.status, response.json) == (404, NOT_FOUND)
    # The original's destroy worded it its own way.
    response = api.delete(f"/api/v1/user_meta/{meta_id}", headers=people["super"])
    assert (response.status, response.json) == (404, NOTHING_TO_REMOVE)


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/v1/user_meta"), ("POST", "/api/v1/user_meta"), ("GET", "/api/v1/user_meta/ffffffffffffffffffffffff"),
     ("PUT", "/api/v1/user_meta/ffffffffffffffffffffffff"), ("PATCH", "/api/v1/user_meta/ffffffffffffffffffffffff"),
     ("DELETE", "/api/v1/user_meta/ffffffffffffffffffffffff")],
)  # fmt: skip
def test_every_user_meta_route_requires_a_token(api: ApiClient, method: str, path: str) -> None:
    response = api.request(method, path, json={})
    assert response.status == 401
    assert response.json == {"success": False, "error": {"code": 0, "message": "Token not provided"}}
