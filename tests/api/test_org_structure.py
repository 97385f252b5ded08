"""Surface C: organizations, departments, positions, roles, and A's /api/v1/position."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from gatehouse_local.testing import ApiClient, bearer
from tests.seeding import SeedOnce

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
ORG_FIELDS = [
    "id", "name", "description", "address", "phone", "email", "website", "is_active", "created_at", "updated_at",
]  # fmt: skip


def sign_up(api: ApiClient, n: int) -> str:
    body = {"username": f"user{n}", "password": "12345678", "email": f"u{n}@example.com", "sex": 0, "age": 30}
    assert api.post("/api/auth/register", json=body).status == 200
    response = api.post("/api/login", json={"email": f"u{n}@example.com", "password": "12345678"})
    assert response.status == 200, response.body
    token: str = response.json["data"]["token"]
    return token


@pytest.fixture
def root(seeded_once: SeedOnce[dict[str, str]]) -> dict[str, str]:
    return seeded_once(signed_up_super)


def signed_up_super(api: ApiClient) -> dict[str, str]:
    """The super (first user)."""
    return bearer(sign_up(api, 0))


def new_org(api: ApiClient, headers: dict[str, str], name: str = "ООО Компания", **extra: Any) -> int:
    response = api.post("/api/organizations", json={"name": name, **extra}, headers=headers)
    assert response.status == 201, response.body
    org_id: int = response.json["data"]["organization"]["id"]
    return org_id


def new_dept(api: ApiClient, headers: dict[str, str], org_id: int, name: str = "IT отдел") -> int:
    response = api.post("/api/departments", json={"name": name, "organization_id": org_id}, headers=headers)
    assert response.status == 201, response.body
    dept_id: int = response.json["data"]["department"]["id"]
    return dept_id


def new_position(api: ApiClient, headers: dict[str, str], dept_id: int, name: str = "Разработчик") -> int:
    response = api.post("/api/positions", json={"name": name, "department_id": dept_id}, headers=headers)
    assert response.status == 201, response.body
    position_id: int = response.json["data"]["position"]["id"]
    return position_id


def new_member(
    api: ApiClient, headers: dict[str, str], n: int, org_id: int, role: str = "user", **extra: Any
) -> dict[str, str]:
    body = {
        "name": f"Member {n}",
        "email": f"m{n}@company.kz",
        "password": "password123",
        "password_confirmation": "password123",
        "organization_id": org_id,
        "role": role,
        **extra,
    }
    response = api.post("/api/users", json=body, headers=headers)
    assert response.status == 201, response.body
    login = api.post("/api/login", json={"email": f"m{n}@company.kz", "password": "password123"})
    return bearer(login.json["data"]["token"])


def test_organization_crud_answers_the_documented_envelopes(api: ApiClient, root: dict[str, str]) -> None:
    body = {
        "name": "ООО Новая Компания",
        "description": "Описание",
        "address": "г. Алматы, ул. Абая 1",
        "phone": "+7 727 123 45 67",
        "email": "info@newcompany.kz",
        "website": "https://newcompany.kz",
    }
    created = api.post("/api/organizations", json=body, headers=root)
    assert created.status == 201
    assert created.json["status"] == "success"
    assert created.json["message"] == "Organization created successfully"
    organization = created.json["data"]["organization"]
    assert list(organization) == ORG_FIELDS
    assert organization["is_active"] is True
    assert ISO.match(organization["created_at"])
    org_id = organization["id"]

    shown = api.get(f"/api/organizations/{org_id}", headers=root)
    assert shown.json["message"] == "Organization retrieved successfully"
    assert shown.json["data"]["organization"]["departments"] == []
    assert shown.json["data"]["organization"]["users"] == []

    updated = api.put(f"/api/organizations/{org_id}", json={"name": "ООО Обновленная"}, headers=root)
    assert updated.status == 200
    assert updated.json["message"] == "Organization updated successfully"
    assert updated.json["data"]["organization"]["name"] == "ООО Обновленная"
    assert updated.json["data"]["organization"]["address"] == body["address"]

    listed = api.get("/api/organizations", headers=root)
    assert listed.json["message"] == "Organizations retrieved successfully"
    assert listed.json["data"]["organizations"][0]["departments_count"] == 0
    assert listed.json["data"]["organizations"][0]["users_count"] == 0
    assert listed.json["data"]["pagination"] == {
        "current_page": 1,
        "last_page": 1,
        "per_page": 15,
        "total": 1,
    }

    deleted = api.delete(f"/api/organizations/{org_id}", headers=root)
    assert deleted.json == {"status": "success", "message": "Organization deleted successfully", "data": None}
    missing = api.get(f"/api/organizations/{org_id}", headers=root)
    assert missing.status == 404
    assert missing.json == {"status": "error", "message": "Organization not found"}


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"name": ["The name field is required."]}),
        ({"name": "x" * 256}, {"name": ["The name may not be greater than 255 characters."]}),
        (
            {"name": "A", "address": "x" * 501},
            {"address": ["The address may not be greater than 500 characters."]},
        ),
        ({"name": "A", "phone": "1" * 21}, {"phone": ["The phone may not be greater than 20 characters."]}),
        ({"name": "A", "email": "nope"}, {"email": ["The email must be a valid email address."]}),
        ({"name": "A", "website": "not a url"}, {"website": ["The website format is invalid."]}),
        ({"name": 5}, {"name": ["The name must be a string."]}),
    ],
)
def test_organization_validation_answers_laravel_errors(
    api: ApiClient, root: dict[str, str], body: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    response = api.post("/api/organizations", json=body, headers=root)
    assert response.status == 422
    assert response.json == {"status": "error", "message": "The given data was invalid.", "errors": errors}
    assert api.get("/api/organizations", headers=root).json["data"]["pagination"]["total"] == 0


def test_every_route_needs_a_token(api: ApiClient) -> None:
    for method, path in [
        ("GET", "/api/organizations"),
        ("POST", "/api/departments"),
        ("GET", "/api/positions/1"),
        ("GET", "/api/roles"),
        ("GET", "/api/users"),
        ("PUT", "/api/users/1/activate"),
        ("POST", "/api/logout"),
    ]:
        response = api.request(method, path)
        assert response.status == 401
        assert response.json == {"status": "error", "message": "Unauthenticated."}


def test_non_numeric_ids_and_bad_json_are_clean_errors(api: ApiClient, root: dict[str, str]) -> None:
    assert api.get("/api/organizations/abc", headers=root).status == 404
    bad = api.post("/api/organizations", body="{nope", headers={**root, "Content-Type": "application/json"})
    assert bad.status == 400
    assert bad.json["status"] == "error"
    assert api.get("/api/users", query={"organization_id": "x"}, headers=root).status == 422


def test_pagination_and_search(api: ApiClient, root: dict[str, str]) -> None:
    for n in range(7):
        new_org(api, root, f"Org {n}" if n % 2 else f"Company {n}")
    page = api.get("/api/organizations", query={"per_page": 3, "page": 3}, headers=root).json["data"]
    assert [o["name"] for o in page["organizations"]] == ["Org 5"]  # by name: Company 0-6, then Org 1-5
    assert page["pagination"] == {"current_page": 3, "last_page": 3, "per_page": 3, "total": 7}
    found = api.get("/api/organizations", query={"search": "comp"}, headers=root).json["data"]
    assert [o["name"] for o in found["organizations"]] == ["Company 0", "Company 2", "Company 4", "Company 6"]
    assert found["pagination"]["total"] == 4
    capped = api.get("/api/organizations", query={"per_page": 500}, headers=root).json["data"]
    assert capped["pagination"]["per_page"] == 100


@pytest.mark.parametrize("page", ["0", "abc", "-2", "1.5", "02", "", " ", "99999999999999999999"])
def test_a_page_that_is_not_an_integer_of_at_least_1_is_page_1(
    api: ApiClient, root: dict[str, str], page: str
) -> None:
    for n in range(3):
        new_org(api, root, f"Org {n}")
    for path, key in [("/api/organizations", "organizations"), ("/api/users", "users")]:
        response = api.get(path, query={"page": page, "per_page": 2}, headers=root)
        assert response.status == 200, response.body
        assert response.json["data"]["pagination"]["current_page"] == 1
        assert len(response.json["data"][key]) == min(2, response.json["data"]["pagination"]["total"])
    listed = api.get("/api/organizations", query={"page": page, "per_page": 2}, headers=root).json["data"]
    assert [o["name"] for o in listed["organizations"]] == ["Org 0", "Org 1"]


def test_pages_past_the_end_are_empty_with_the_right_totals(api: ApiClient, root: dict[str, str]) -> None:
    for n in range(3):
        new_org(api, root, f"Org {n}")
    second = api.get("/api/organizations", query={"page": "+2", "per_page": 2}, headers=root).json["data"]
    assert [o["name"] for o in second["organizations"]] == ["Org 2"]
    far = api.get("/api/organizations", query={"page": 100_001, "per_page": 2}, headers=root).json["data"]
    assert far["organizations"] == []
    assert far["pagination"] == {"current_page": 100_001, "last_page": 2, "per_page": 2, "total": 3}


ACCEPTED_BOOLEANS = [(True, True), (False, False), (1, True), (0, False), ("1", True), ("0", False)]
ACCEPTED_BOOLEANS += [("true", True), ("false", False)]


@pytest.mark.parametrize(("sent", "stored"), ACCEPTED_BOOLEANS)
def test_is_active_is_stored_and_shown_on_create_and_update_of_each_entity(
    api: ApiClient, root: dict[str, str], sent: object, stored: bool
) -> None:
    org_id = new_org(api, root, "Home", is_active=sent)
    dept_body = {"name": "IT", "organization_id": org_id, "is_active": sent}
    dept = api.post("/api/departments", json=dept_body, headers=root).json["data"]["department"]
    position_body = {"name": "Dev", "department_id": dept["id"], "is_active": sent}
    position = api.post("/api/positions", json=position_body, headers=root).json["data"]["position"]
    assert dept["is_active"] is stored
    assert position["is_active"] is stored
    for kind, item_id in [("organization", org_id), ("department", dept["id"]), ("position", position["id"])]:
        assert api.get(f"/api/{kind}s/{item_id}", headers=root).json["data"][kind]["is_active"] is stored
        listed = api.get(f"/api/{kind}s", headers=root).json["data"][f"{kind}s"]
        assert [entry["is_active"] for entry in listed if entry["id"] == item_id] == [stored]
        flipped = api.put(f"/api/{kind}s/{item_id}", json={"is_active": not stored}, headers=root)
        assert flipped.status == 200
        assert flipped.json["data"][kind]["is_active"] is (not stored)
        kept = api.put(f"/api/{kind}s/{item_id}", json={"name": "Renamed", "is_active": None}, headers=root)
        assert kept.json["data"][kind]["is_active"] is (not stored)  # null or absent keeps the value
        assert api.get(f"/api/{kind}s/{item_id}", headers=root).json["data"][kind]["is_active"] is (
            not stored
        )


@pytest.mark.parametrize("sent", ["yes", "on", "TRUE", 2, -1, 1.0, [], {}])
def test_is_active_refuses_what_laravels_boolean_rule_refuses(
    api: ApiClient, root: dict[str, str], sent: object
) -> None:
    org_id = new_org(api, root)
    dept = new_dept(api, root, org_id)
    position = new_position(api, root, dept)
    invalid = {"is_active": ["The is active field must be true or false."]}
    writes: list[tuple[str, str, dict[str, Any]]] = [
        ("POST", "/api/organizations", {"name": "New"}),
        ("PUT", f"/api/organizations/{org_id}", {}),
        ("POST", "/api/departments", {"name": "HR", "organization_id": org_id}),
        ("PUT", f"/api/departments/{dept}", {}),
        ("POST", "/api/positions", {"name": "QA", "department_id": dept}),
        ("PUT", f"/api/positions/{position}", {}),
    ]
    for method, path, body in writes:
        response = api.request(method, path, json={**body, "is_active": sent}, headers=root)
        assert response.status == 422, (method, path)
        assert response.json["errors"] == invalid
    assert (
        api.get(f"/api/organizations/{org_id}", headers=root).json["data"]["organization"]["is_active"]
        is True
    )


def test_departments_crud_filter_and_nested_organization(api: ApiClient, root: dict[str, str]) -> None:
    first, second = new_org(api, root, "First"), new_org(api, root, "Second")
    dept = new_dept(api, root, first, "IT отдел")
    new_dept(api, root, second, "HR")
    shown = api.get(f"/api/departments/{dept}", headers=root).json
    assert shown["message"] == "Department retrieved successfully"
    department = shown["data"]["department"]
    assert department["organization"] == {"id": first, "name": "First"}
    assert department["users"] == []
    listed = api.get("/api/departments", query={"organization_id": first}, headers=root).json["data"]
    assert [d["name"] for d in listed["departments"]] == ["IT отдел"]
    assert listed["departments"][0]["users_count"] == 0
    assert listed["pagination"]["total"] == 1
    assert api.get("/api/departments", headers=root).json["data"]["pagination"]["total"] == 2
    moved = api.put(f"/api/departments/{dept}", json={"organization_id": second}, headers=root)
    assert moved.status == 200
    assert moved.json["data"]["department"]["organization"]["name"] == "Second"
    orgs = {o["name"]: o for o in api.get("/api/organizations", headers=root).json["data"]["organizations"]}
    assert (orgs["First"]["departments_count"], orgs["Second"]["departments_count"]) == (0, 2)
    deleted = api.delete(f"/api/departments/{dept}", headers=root)
    assert deleted.json["message"] == "Department deleted successfully"
    assert api.get(f"/api/departments/{dept}", headers=root).json["message"] == "Department not found"


def test_department_validation(api: ApiClient, root: dict[str, str]) -> None:
    response = api.post("/api/departments", json={"name": "HR", "organization_id": 99}, headers=root)
    assert response.status == 422
    assert response.json["errors"] == {"organization_id": ["The selected organization id is invalid."]}
    response = api.post("/api/departments", json={"organization_id": "x"}, headers=root)
    assert response.json["errors"] == {
        "name": ["The name field is required."],
        "organization_id": ["The organization id must be an integer."],
    }


def test_positions_crud_with_department_and_salary(api: ApiClient, root: dict[str, str]) -> None:
    org_id = new_org(api, root)
    dept = new_dept(api, root, org_id)
    body = {"name": "Менеджер", "department_id": dept, "salary_min": 200000, "salary_max": 350000}
    created = api.post("/api/positions", json=body, headers=root)
    assert created.status == 201
    position = created.json["data"]["position"]
    assert position["id"] == 1005  # after A's seeded 1000-1004
    assert position["department"] == {
        "id": dept,
        "name": "IT отдел",
        "organization": {"id": org_id, "name": "ООО Компания"},
    }
    assert (position["salary_min"], position["salary_max"]) == (200000, 350000)
    listed = api.get("/api/positions", query={"department_id": dept}, headers=root).json["data"]
    assert [p["id"] for p in listed["positions"]] == [1005]
    assert listed["positions"][0]["users_count"] == 0
    everything = api.get("/api/positions", headers=root).json["data"]
    assert everything["pagination"]["total"] == 6
    assert everything["positions"][0]["department_id"] is None
    assert everything["positions"][0]["department"] is None
    updated = api.put("/api/positions/1005", json={"salary_max": 600000}, headers=root)
    assert updated.json["data"]["position"]["salary_max"] == 600000
    shown = api.get("/api/positions/1005", headers=root).json["data"]["position"]
    assert shown["users"] == []
    assert api.delete("/api/positions/1005", headers=root).json["message"] == "Position deleted successfully"
    assert api.get("/api/positions/1005", headers=root).status == 404


def test_a_position_moves_between_departments_of_one_organization(
    api: ApiClient, root: dict[str, str]
) -> None:
    org_id = new_org(api, root)
    first, second = new_dept(api, root, org_id, "A"), new_dept(api, root, org_id, "B")
    position = new_position(api, root, first)
    moved = api.put(f"/api/positions/{position}", json={"department_id": second}, headers=root)
    assert moved.status == 200
    assert moved.json["data"]["position"]["department"]["id"] == second
    assert api.delete(f"/api/departments/{first}", headers=root).status == 200  # its count went to 0
    assert api.delete(f"/api/departments/{second}", headers=root).status == 409  # and this one's to 1
    assert api.delete(f"/api/positions/{position}", headers=root).status == 200
    assert api.delete(f"/api/departments/{second}", headers=root).status == 200
    assert api.delete(f"/api/organizations/{org_id}", headers=root).status == 200  # its count stayed exact


def test_position_validation(api: ApiClient, root: dict[str, str]) -> None:
    response = api.post(
        "/api/positions", json={"name": "X", "department_id": 7, "salary_min": "a"}, headers=root
    )
    assert response.status == 422
    assert response.json["errors"] == {"salary_min": ["The salary min must be an integer."]}
    response = api.post("/api/positions", json={"name": "X", "department_id": 7}, headers=root)
    assert response.json["errors"] == {"department_id": ["The selected department id is invalid."]}
    response = api.post("/api/positions", json={"name": "X"}, headers=root)
    assert response.json["errors"] == {"department_id": ["The department id field is required."]}


def test_roles_lists_the_three_documented_roles(api: ApiClient, root: dict[str, str]) -> None:
    response = api.get("/api/roles", headers=root)
    assert response.json["message"] == "Roles retrieved successfully"
    assert [(r["id"], r["name"], r["display_name"]) for r in response.json["data"]["roles"]] == [
        (1, "admin", "Администратор"),
        (2, "manager", "Менеджер"),
        (3, "user", "Пользователь"),
    ]


def test_deletes_with_dependants_are_refused_and_change_nothing(api: ApiClient, root: dict[str, str]) -> None:
    org_id = new_org(api, root)
    dept = new_dept(api, root, org_id)
    refused = api.delete(f"/api/organizations/{org_id}", headers=root)
    assert refused.status == 409
    assert refused.json["status"] == "error"
    assert "departments" in refused.json["message"]
    new_member(api, root, 1, org_id, department_id=dept)
    refused = api.delete(f"/api/departments/{dept}", headers=root)
    assert refused.status == 409
    assert api.get(f"/api/departments/{dept}", headers=root).status == 200
    assert api.get(f"/api/organizations/{org_id}", headers=root).status == 200


def test_counts_stay_exact_under_concurrent_creates(api: ApiClient, root: dict[str, str]) -> None:
    org_id = new_org(api, root)

    def create(n: int) -> int:
        body = {"name": f"Dept {n}", "organization_id": org_id}
        return api.post("/api/departments", json=body, headers=root).status

    with ThreadPoolExecutor(max_workers=20) as pool:
        assert list(pool.map(create, range(20))) == [201] * 20
    organization = api.get("/api/organizations", headers=root).json["data"]["organizations"][0]
    assert organization["departments_count"] == 20
    assert api.get("/api/departments", headers=root).json["data"]["pagination"]["total"] == 20


def test_permissions_admin_manages_only_their_organization(api: ApiClient, root: dict[str, str]) -> None:
    mine, other = new_org(api, root, "Mine"), new_org(api, root, "Other")
    admin = new_member(api, root, 1, mine, role="admin")
    user = new_member(api, root, 2, mine)
    assert api.post("/api/organizations", json={"name": "New"}, headers=admin).status == 403
    assert api.put(f"/api/organizations/{mine}", json={"name": "Mine 2"}, headers=admin).status == 200
    assert api.put(f"/api/organizations/{other}", json={"name": "X"}, headers=admin).status == 403
    assert api.get(f"/api/organizations/{other}", headers=admin).status == 403
    assert api.delete(f"/api/organizations/{mine}", headers=admin).status == 403
    assert (
        api.post("/api/departments", json={"name": "D", "organization_id": other}, headers=admin).status
        == 403
    )
    dept = new_dept(api, admin, mine)
    listed = api.get("/api/organizations", headers=user).json["data"]
    assert [o["name"] for o in listed["organizations"]] == ["Mine 2"]
    assert listed["pagination"]["total"] == 1
    assert api.get(f"/api/departments/{dept}", headers=user).status == 200
    assert api.put(f"/api/departments/{dept}", json={"name": "Z"}, headers=user).status == 403
    assert api.post("/api/positions", json={"name": "P", "department_id": dept}, headers=user).status == 403
    assert api.get("/api/departments", query={"organization_id": other}, headers=user).status == 403


def test_managers_manage_their_department(api: ApiClient, root: dict[str, str]) -> None:
    org_id = new_org(api, root)
    dept, other_dept = new_dept(api, root, org_id, "A"), new_dept(api, root, org_id, "B")
    manager = new_member(api, root, 1, org_id, role="manager", department_id=dept)
    assert api.put(f"/api/departments/{dept}", json={"name": "A2"}, headers=manager).status == 200
    assert api.put(f"/api/departments/{other_dept}", json={"name": "B2"}, headers=manager).status == 403
    assert api.delete(f"/api/departments/{dept}", headers=manager).status == 403
    assert (
        api.post("/api/positions", json={"name": "P", "department_id": dept}, headers=manager).status == 201
    )
    assert (
        api.post("/api/positions", json={"name": "P", "department_id": other_dept}, headers=manager).status
        == 403
    )


def test_a_positions_are_seeded_once_and_served_in_as_shape(api: ApiClient, root: dict[str, str]) -> None:
    listed = api.get("/api/v1/position", headers=root)
    assert listed.status == 200
    assert [(p["_id"], p["name"], p["description"]) for p in listed.json] == [
        (1000, "teacher", "Воспитатель"),
        (1001, "doctor", "Медицинский работник"),
        (1002, "supplier", "МТО"),
        (1003, "clerk", "Делопроизводитель"),
        (1004, "administrator", "Управляющий"),
    ]
    assert list(listed.json[0]) == ["_id", "name", "description", "created_at", "updated_at"]
    assert re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", listed.json[0]["created_at"])
    head = api.head("/api/v1/position", headers=root)
    assert head.status == 200
    assert head.body == ""
    assert api.head("/api/v1/position/1000", headers=root).status == 200
    created = api.post("/api/v1/position", json={"name": "cook", "description": "Повар"}, headers=root)
    assert created.status == 200
    assert created.json["_id"] == 1005
    assert api.get("/api/v1/position/1005", headers=root).json["name"] == "cook"
    assert (
        api.patch("/api/v1/position/1005", json={"description": "Шеф"}, headers=root).json["description"]
        == "Шеф"
    )
    assert api.put("/api/v1/position/1005", json={"name": "chef"}, headers=root).json["name"] == "chef"
    assert api.delete("/api/v1/position/1005", headers=root).json is True
    missing = api.get("/api/v1/position/1005", headers=root)
    assert missing.status == 404
    assert missing.json == {"success": False, "error": {"code": 404, "message": "Not found"}}
    # The original's destroy (_BaseApiController) worded a missing object its own way.
    for gone in ("1005", "999999", "abc"):
        removed_again = api.delete(f"/api/v1/position/{gone}", headers=root)
        assert removed_again.status == 404
        assert removed_again.json == {
            "success": False,
            "error": {"code": 404, "message": "Удаляемый объект не найден"},
        }
    invalid = api.post("/api/v1/position", json={}, headers=root)
    assert invalid.status == 422
    assert invalid.json["error"]["errors"] == {"name": ["The name field is required."]}
    assert len(api.get("/api/v1/position", headers=root).json) == 5  # deleted seeds are not re-seeded either
    assert api.get("/api/positions/1000", headers=root).json["data"]["position"]["department_id"] is None


def test_a_positions_need_a_token_and_only_admins_write(api: ApiClient, root: dict[str, str]) -> None:
    unauthenticated = api.get("/api/v1/position")
    assert unauthenticated.status == 401
    assert unauthenticated.json == {"success": False, "error": {"code": 0, "message": "Token not provided"}}
    plain = bearer(sign_up(api, 1))
    assert api.get("/api/v1/position", headers=plain).status == 200
    refused = api.post("/api/v1/position", json={"name": "x"}, headers=plain)
    assert refused.status == 403
    assert refused.json["success"] is False
    assert api.delete("/api/v1/position/1000", headers=plain).status == 403
