"""Surface A: /api/v1/demand CRUD."""

from __future__ import annotations

import re
from typing import Any

import pytest

from gatehouse_local.testing import ApiClient
from tests.api.documentarian_client import People, four_people
from tests.seeding import SeedOnce

DEMAND_FIELDS = ["_id", "name", "description", "author_id", "responsible_id", "created_at", "updated_at"]
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
# The original's DemandController (develop) and FormDemandCreate::messages().
NOT_FOUND = {"success": False, "error": {"code": 404, "message": "Указанный ID требования не найден"}}
NAME_REQUIRED = "Необходимо указать поле name"
DESCRIPTION_REQUIRED = "Необходимо указать поле description"
FORBIDDEN = {"success": False, "error": {"code": 403, "message": "Permission denied"}}


@pytest.fixture
def people(seeded_once: SeedOnce[People]) -> People:
    return seeded_once(four_people)


def create(api: ApiClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    body = {"name": "Demand Name 1", "description": "Demand description 1", "responsible_id": 4, **overrides}
    response = api.post("/api/v1/demand", json=body, headers=headers)
    assert response.status == 201, response.body
    created: dict[str, Any] = response.json
    return created


def test_create_answers_the_documented_shape_with_the_author_from_the_token(
    api: ApiClient, people: dict[str, dict[str, str]]
) -> None:
    demand = create(api, people["alice"], author_id=1)
    assert list(demand) == DEMAND_FIELDS
    assert re.fullmatch(r"[0-9a-f]{24}", demand["_id"])
    assert (demand["author_id"], demand["responsible_id"]) == (3, 4)
    assert TIMESTAMP.match(demand["created_at"])
    assert TIMESTAMP.match(demand["updated_at"])


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", None, NAME_REQUIRED),
        ("name", "x" * 256, "The name may not be greater than 255 characters."),
        ("name", ["list"], "The name must be a string."),
        ("description", "", DESCRIPTION_REQUIRED),
        ("description", "x" * 65_536, "The description may not be greater than 65535 characters."),
        ("responsible_id", None, "The responsible id field is required."),
        ("responsible_id", "abc", "The responsible id must be an integer."),
        ("responsible_id", 0, "The responsible id must be at least 1."),
        ("responsible_id", 999, "The selected responsible id is invalid."),
        ("responsible_id", 10**40, f"The responsible id may not be greater than {2**53}."),
    ],
)
def test_create_validates_each_field_with_the_originals_required_messages(
    api: ApiClient, people: dict[str, dict[str, str]], field: str, value: object, message: str
) -> None:
    body = {"name": "n", "description": "d", "responsible_id": 4, field: value}
    response = api.post("/api/v1/demand", json=body, headers=people["alice"])
    assert response.status == 422
    assert response.json["error"]["errors"] == {field: [message]}
    assert api.get("/api/v1/demand", headers=people["alice"]).json == []


def test_list_is_a_bare_array_in_creation_order_paged_with_a_cap(
    api: ApiClient, people: dict[str, dict[str, str]]
) -> None:
    made = [create(api, people["alice"], name=f"demand {n}")["_id"] for n in range(5)]
    listed = api.get("/api/v1/demand", headers=people["bob"])
    assert listed.status == 200
    assert sorted(d["_id"] for d in listed.json) == sorted(made)
    assert "x-next-after" not in listed.headers
    first = api.get("/api/v1/demand", headers=people["bob"], query={"limit": 2})
    assert len(first.json) == 2
    cursor = first.headers["x-next-after"]
    assert cursor == first.json[-1]["_id"]
    rest = api.get("/api/v1/demand", headers=people["bob"], query={"limit": 100, "after": cursor})
    assert [d["_id"] for d in first.json + rest.json] == [d["_id"] for d in listed.json]
    too_many = api.get("/api/v1/demand", headers=people["bob"], query={"limit": 101})
    assert too_many.status == 422
    assert too_many.json["error"]["errors"] == {"limit": ["The limit may not be greater than 100."]}
    assert api.get("/api/v1/demand", headers=people["bob"], query={"limit": "x"}).status == 422


def test_head_routes_answer_without_a_body(api: ApiClient, people: dict[str, dict[str, str]]) -> None:
    demand = create(api, people["alice"])
    for path in ("/api/v1/demand", f"/api/v1/demand/{demand['_id']}"):
        response = api.head(path, headers=people["bob"])
        assert (response.status, response.body) == (200, "")
    assert api.head("/api/v1/demand/ffffffffffffffffffffffff", headers=people["bob"]).status == 404
    assert api.head("/api/v1/demand").status == 401


def test_show_answers_the_demand_and_404_in_the_originals_words_for_unknown_or_malformed_ids(
    api: ApiClient, people: dict[str, dict[str, str]]
) -> None:
    demand = create(api, people["alice"])
    shown = api.get(f"/api/v1/demand/{demand['_id']}", headers=people["bob"])
    assert (shown.status, shown.json) == (200, demand)
    for unknown in ("ffffffffffffffffffffffff", "1", "not-an-id", "5B86A2DFCE78A217700014F8"):
        for method in ("GET", "PUT", "PATCH", "DELETE"):
            response = api.request(
                method, f"/api/v1/demand/{unknown}", json={"name": "n"}, headers=people["bob"]
            )
            assert (response.status, response.json) == (404, NOT_FOUND), (method, unknown)


def test_a_create_without_fields_answers_the_originals_messages_in_the_envelope(
    api: ApiClient, people: dict[str, dict[str, str]]
) -> None:
    response = api.post("/api/v1/demand", json={}, headers=people["alice"])
    assert response.status == 422
    assert response.json == {
        "success": False,
        "error": {
            "code": 422,
            "message": "The given data was invalid.",
            "errors": {
                "name": [NAME_REQUIRED],
                "description": [DESCRIPTION_REQUIRED],
                "responsible_id": ["The responsible id field is required."],
            },
        },
    }


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_the_author_updates_a_demand(api: ApiClient, people: dict[str, dict[str, str]], method: str) -> None:
    demand = create(api, people["alice"])
    response = api.request(
        method,
        f"/api/v1/demand/{demand['_id']}",
        json={"description": "changed", "responsible_id": 2, "author_id": 4},
        headers=people["alice"],
    )
    assert response.status == 200
    assert response.json["description"] == "changed"
    assert response.json["responsible_id"] == 2
    assert response.json["author_id"] == 3  # never taken from the body
    assert response.json["name"] == demand["name"]
    assert api.get(f"/api/v1/demand/{demand['_id']}", headers=people["bob"]).json == response.json


def test_update_validates_the_fields_it_gets(api: ApiClient, people: dict[str, dict[str, str]]) -> None:
    demand = create(api, people["alice"])
    path = f"/api/v1/demand/{demand['_id']}"
    for body, errors in [
        ({"name": "x" * 256}, {"name": ["The name may not be greater than 255 characters."]}),
        ({"responsible_id": 999}, {"responsible_id": ["The selected responsible id is invalid."]}),
    ]:
        response = api.put(path, json=body, headers=people["alice"])
        assert response.status == 422
        assert response.json["error"]["errors"] == errors
    assert api.get(path, headers=people["alice"]).json == demand


def test_only_the_author_or_an_admin_changes_a_demand(
    api: ApiClient, people: dict[str, dict[str, str]]
) -> None:
    demand = create(api, people["alice"])
    path = f"/api/v1/demand/{demand['_id']}"
    refused = api.patch(path, json={"name": "mine now"}, headers=people["bob"])
    assert (refused.status, refused.json) == (403, FORBIDDEN)
    assert api.delete(path, headers=people["bob"]).status == 403
    assert api.patch(path, json={"name": "by admin"}, headers=people["admin"]).json["name"] == "by admin"
    assert api.patch(path, json={"name": "by super"}, headers=people["super"]).json["name"] == "by super"
    deleted = api.delete(path, headers=people["admin"])
    assert (deleted.status, deleted.json) == (200, True)


def test_delete_answers_true_and_the_demand_is_gone(
    api: ApiClient, people: dict[str, dict[str, str]]
) -> None:
    demand = create(api, people["alice"])
    path = f"/api/v1/demand/{demand['_id']}"
    response = api.delete(path, headers=people["alice"])
    assert (response.status, response.json) == (200, True)
    assert api.get(path, headers=people["alice"]).status == 404
    assert api.delete(path, headers=people["alice"]).status == 404
    assert api.put(path, json={"name": "x"}, headers=people["alice"]).status == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/demand"),
        ("POST", "/api/v1/demand"),
        ("GET", "/api/v1/demand/ffffffffffffffffffffffff"),
        ("PUT", "/api/v1/demand/ffffffffffffffffffffffff"),
        ("PATCH", "/api/v1/demand/ffffffffffffffffffffffff"),
        ("DELETE", "/api/v1/demand/ffffffffffffffffffffffff"),
    ],
)
def test_every_demand_route_requires_a_token(api: ApiClient, method: str, path: str) -> None:
    response = api.request(method, path, json={})
    assert response.status == 401
    assert response.json == {"success": False, "error": {"code": 0, "message": "Token not provided"}}
