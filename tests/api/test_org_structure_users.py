"""Surface C: /api/users, /api/login, /api/logout (Sanctum-style tokens)."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from gatehouse_local.testing import ApiClient, bearer
from tests.api.test_org_structure import new_dept, new_member, new_org, new_position, sign_up

USER_FIELDS = [
    "id", "name", "email", "phone", "position", "role", "organization_id", "department_id", "position_id",
    "organization", "department", "is_active", "last_login_at", "created_at", "updated_at",
]  # fmt: skip


@pytest.fixture
def root(api: ApiClient) -> dict[str, str]:
    return bearer(sign_up(api, 0))


def member_body(n: int, org_id: int, **extra: Any) -> dict[str, Any]:
    return {
        "name": f"Петр Петров{n}",
        "email": f"petr{n}@company.kz",
        "password": "password123",
        "password_confirmation": "password123",
        "organization_id": org_id,
        **extra,
    }


def test_login_issues_a_sanctum_style_token_that_works_on_every_surface(api: ApiClient) -> None:
    token = sign_up(api, 0)
    assert re.fullmatch(r"[1-9][0-9]*\|[A-Za-z0-9]{40}[0-9a-f]{8}", token)  # Sanctum 4: {id}|{secret}{crc32}
    me = api.get("/api/auth/me", headers=bearer(token))
    assert me.status == 200
    assert me.json["email"] == "u0@example.com"
    jwt = api.post("/api/auth/login", json={"email": "u0@example.com", "password": "12345678"}).json
    assert api.get("/api/roles", headers=bearer(jwt["access_token"])).status == 200
    # A wrong secret for a real id is refused.
    assert (
        api.get("/api/roles", headers=bearer(token[:-1] + ("a" if token[-1] != "a" else "b"))).status == 401
    )


def test_login_answers_the_user_and_failures_use_the_envelope(api: ApiClient) -> None:
    sign_up(api, 0)
    response = api.post(
        "/api/login", json={"email": "u0@example.com", "password": "12345678", "device_name": "ios"}
    )
    assert response.json["status"] == "success"
    assert response.json["data"]["token_type"] == "Bearer"
    assert response.json["data"]["user"]["email"] == "u0@example.com"
    wrong = api.post("/api/login", json={"email": "u0@example.com", "password": "wrong-pass"})
    assert wrong.status == 401
    assert wrong.json == {"status": "error", "message": "Invalid credentials"}
    missing = api.post("/api/login", json={})
    assert missing.status == 422
    assert set(missing.json["errors"]) == {"email", "password"}


def test_logout_answers_logout_successful_and_revokes_the_token(api: ApiClient) -> None:
    token = sign_up(api, 0)
    response = api.post("/api/logout", headers=bearer(token))
    assert response.json == {"status": "success", "message": "Logout successful", "data": None}
    assert api.get("/api/roles", headers=bearer(token)).status == 401
    assert api.get("/api/auth/me", headers=bearer(token)).status == 401


def test_create_and_show_user_with_nested_objects(
    api: ApiClient, root: dict[str, str], outbox_dir: Path
) -> None:
    org_id = new_org(api, root)
    dept = new_dept(api, root, org_id)
    position = new_position(api, root, dept)
    body = member_body(
        1, org_id, department_id=dept, position_id=position, phone="+7 777", position="Менеджер"
    )
    created = api.post("/api/users", json=body, headers=root)
    assert created.status == 201
    assert created.json["message"] == "User created successfully"
    user = created.json["data"]["user"]
    assert list(user) == [f for f in USER_FIELDS if f != "last_login_at"]
    assert user["name"] == "Петр Петров1"
    assert user["organization"] == {"id": org_id, "name": "ООО Компания"}
    assert user["department"] == {"id": dept, "name": "IT отдел"}
    assert user["position"] == {"id": position, "name": "Разработчик"}
    assert user["role"] == "user"
    assert "password" not in created.body
    assert any(outbox_dir.iterdir())  # the verification mail
    shown = api.get(f"/api/users/{user['id']}", headers=root).json["data"]["user"]
    assert list(shown) == [*USER_FIELDS, "permissions", "roles"]
    assert (shown["permissions"], shown["roles"]) == ([], ["user"])
    counts = api.get("/api/organizations", headers=root).json["data"]["organizations"][0]
    assert counts["users_count"] == 1
    assert api.get("/api/departments", headers=root).json["data"]["departments"][0]["users_count"] == 1
    detail = api.get(f"/api/organizations/{org_id}", headers=root).json["data"]["organization"]
    assert detail["users"] == [
        {"id": user["id"], "name": "Петр Петров1", "email": "petr1@company.kz", "position": "Менеджер"}
    ]
    assert (
        api.get(f"/api/positions/{position}", headers=root).json["data"]["position"]["users"][0]["salary"]
        is None
    )


@pytest.mark.parametrize("role", ["user", "manager"])
def test_a_created_user_has_updated_at_equal_to_created_at_as_documented(
    api: ApiClient, root: dict[str, str], role: str
) -> None:
    org_id = new_org(api, root)
    dept = new_dept(api, root, org_id)
    body = member_body(1, org_id, department_id=dept, position_id=new_position(api, root, dept), role=role)
    user = api.post("/api/users", json=body, headers=root).json["data"]["user"]
    assert (user["role"], user["department"]["id"]) == (role, dept)
    assert user["updated_at"] == user["created_at"]
    shown = api.get(f"/api/users/{user['id']}", headers=root).json["data"]["user"]
    assert shown["updated_at"] == shown["created_at"] == user["created_at"]


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"name": None}, {"name": ["The name field is required."]}),
        ({"name": "x" * 256}, {"name": ["The name may not be greater than 255 characters."]}),
        ({"email": "bad"}, {"email": ["The email must be a valid email address."]}),
        ({"email": "U0@example.com"}, {"email": ["The email has already been taken."]}),
        (
            {"password": "short", "password_confirmation": "short"},
            {"password": ["The password must be at least 8 characters."]},
        ),
        (
            {"password_confirmation": "different1"},
            {"password": ["The password confirmation does not match."]},
        ),
        ({"organization_id": 999}, {"organization_id": ["The selected organization id is invalid."]}),
        ({"department_id": 999}, {"department_id": ["The selected department id is invalid."]}),
        ({"position_id": 999}, {"position_id": ["The selected position id is invalid."]}),
        ({"role": "super"}, {"role": ["The selected role is invalid."]}),
        ({"phone": "1" * 21}, {"phone": ["The phone may not be greater than 20 characters."]}),
        ({"position": "p" * 256}, {"position": ["The position may not be greater than 255 characters."]}),
    ],
)
def test_user_validation(
    api: ApiClient, root: dict[str, str], overrides: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    org_id = new_org(api, root)
    body = {k: v for k, v in {**member_body(1, org_id), **overrides}.items() if v is not None}
    response = api.post("/api/users", json=body, headers=root)
    assert response.status == 422
    assert response.json["status"] == "error"
    assert response.json["errors"] == errors
    assert api.get("/api/users", headers=root).json["data"]["pagination"]["total"] == 1


def test_user_filters_and_search(api: ApiClient, root: dict[str, str]) -> None:
    org_id, other = new_org(api, root), new_org(api, root, "Other")
    dept = new_dept(api, root, org_id)
    position = new_position(api, root, dept)
    api.post(
        "/api/users", json=member_body(1, org_id, department_id=dept, position_id=position), headers=root
    )
    api.post("/api/users", json=member_body(2, org_id, role="manager", department_id=dept), headers=root)
    api.post("/api/users", json=member_body(3, other, name="Анна Смирнова"), headers=root)
    third = api.get("/api/users", query={"search": "анна"}, headers=root).json["data"]["users"]
    api.put(f"/api/users/{third[0]['id']}/deactivate", headers=root)

    def emails(**query: Any) -> list[str]:
        data = api.get("/api/users", query=query, headers=root).json["data"]
        assert data["pagination"]["total"] == len(data["users"])
        return [u["email"] for u in data["users"]]

    assert emails() == ["u0@example.com", "petr1@company.kz", "petr2@company.kz", "petr3@company.kz"]
    assert emails(organization_id=org_id) == ["petr1@company.kz", "petr2@company.kz"]
    assert emails(department_id=dept) == ["petr1@company.kz", "petr2@company.kz"]
    assert emails(position_id=position) == ["petr1@company.kz"]
    assert emails(role="manager") == ["petr2@company.kz"]
    assert emails(is_active="false") == ["petr3@company.kz"]
    assert emails(search="PETR2@") == ["petr2@company.kz"]
    assert emails(organization_id=other, department_id=dept) == []
    paged = api.get("/api/users", query={"per_page": 1, "page": 2}, headers=root).json["data"]
    assert paged["pagination"] == {"current_page": 2, "last_page": 4, "per_page": 1, "total": 4}
    assert [u["email"] for u in paged["users"]] == ["petr1@company.kz"]


def test_update_moves_membership_and_counts(api: ApiClient, root: dict[str, str]) -> None:
    first, second = new_org(api, root, "First"), new_org(api, root, "Second")
    dept = new_dept(api, root, second)
    created = api.post("/api/users", json=member_body(1, first), headers=root).json["data"]["user"]
    response = api.put(
        f"/api/users/{created['id']}",
        json={"name": "Иван Петров", "organization_id": second, "department_id": dept, "role": "manager"},
        headers=root,
    )
    assert response.status == 200
    assert response.json["message"] == "User updated successfully"
    user = response.json["data"]["user"]
    assert (user["name"], user["role"], user["organization_id"], user["department_id"]) == (
        "Иван Петров", "manager", second, dept,
    )  # fmt: skip
    orgs = {
        o["name"]: o["users_count"]
        for o in api.get("/api/organizations", headers=root).json["data"]["organizations"]
    }
    assert orgs == {"First": 0, "Second": 1}
    wrong = api.put(
        f"/api/users/{created['id']}", json={"department_id": new_dept(api, root, first)}, headers=root
    )
    assert wrong.status == 422
    assert wrong.json["errors"] == {"department_id": ["The selected department id is invalid."]}


def test_delete_user_frees_the_counts(api: ApiClient, root: dict[str, str]) -> None:
    org_id = new_org(api, root)
    created = api.post("/api/users", json=member_body(1, org_id), headers=root).json["data"]["user"]
    response = api.delete(f"/api/users/{created['id']}", headers=root)
    assert response.json == {"status": "success", "message": "User deleted successfully", "data": None}
    assert api.get(f"/api/users/{created['id']}", headers=root).json == {
        "status": "error",
        "message": "User not found",
    }
    assert api.get("/api/organizations", headers=root).json["data"]["organizations"][0]["users_count"] == 0
    assert api.delete(f"/api/organizations/{org_id}", headers=root).status == 200


def test_password_change_and_activation(api: ApiClient, root: dict[str, str]) -> None:
    org_id = new_org(api, root)
    member = new_member(api, root, 1, org_id)
    user_id = api.get("/api/users", query={"search": "m1@"}, headers=root).json["data"]["users"][0]["id"]
    mismatch = api.put(
        f"/api/users/{user_id}/password",
        json={"password": "newpassword1", "password_confirmation": "x"},
        headers=root,
    )
    assert mismatch.status == 422
    changed = api.put(
        f"/api/users/{user_id}/password",
        json={"password": "newpassword1", "password_confirmation": "newpassword1"},
        headers=root,
    )
    assert changed.json == {"status": "success", "message": "Password changed successfully", "data": None}
    assert api.get("/api/roles", headers=member).status == 401  # an admin's change signs the user out
    assert api.post("/api/login", json={"email": "m1@company.kz", "password": "newpassword1"}).status == 200
    token = bearer(
        api.post("/api/login", json={"email": "m1@company.kz", "password": "newpassword1"}).json["data"][
            "token"
        ]
    )
    off = api.put(f"/api/users/{user_id}/deactivate", headers=root)
    assert off.json == {
        "status": "success",
        "message": "User deactivated successfully",
        "data": {"user": {"id": user_id, "is_active": False}},
    }
    assert api.get("/api/roles", headers=token).status == 401
    assert api.post("/api/login", json={"email": "m1@company.kz", "password": "newpassword1"}).status == 403
    assert (
        api.post("/api/auth/login", json={"email": "m1@company.kz", "password": "newpassword1"}).status == 401
    )
    on = api.put(f"/api/users/{user_id}/activate", headers=root)
    assert on.json["data"] == {"user": {"id": user_id, "is_active": True}}
    assert api.post("/api/login", json={"email": "m1@company.kz", "password": "newpassword1"}).status == 200


def test_user_permissions(api: ApiClient, root: dict[str, str]) -> None:
    mine, other = new_org(api, root, "Mine"), new_org(api, root, "Other")
    dept = new_dept(api, root, mine)
    admin = new_member(api, root, 1, mine, role="admin")
    manager = new_member(api, root, 2, mine, role="manager", department_id=dept)
    user = new_member(api, root, 3, mine, department_id=dept)
    outsider = new_member(api, root, 4, other)
    ids = {u["email"]: u["id"] for u in api.get("/api/users", headers=root).json["data"]["users"]}
    user_id, admin_id = ids["m3@company.kz"], ids["m1@company.kz"]

    assert api.get(f"/api/users/{user_id}", headers=outsider).status == 403
    assert api.get("/api/users", headers=outsider).json["data"]["pagination"]["total"] == 1
    assert api.get("/api/users", query={"organization_id": mine}, headers=outsider).status == 403
    assert api.get("/api/users", headers=user).json["data"]["pagination"]["total"] == 3
    assert api.put(f"/api/users/{user_id}", json={"phone": "123"}, headers=user).status == 200
    assert api.put(f"/api/users/{user_id}", json={"role": "admin"}, headers=user).status == 403
    assert api.put(f"/api/users/{admin_id}", json={"phone": "1"}, headers=user).status == 403
    assert api.put(f"/api/users/{user_id}/deactivate", headers=user).status == 403
    assert api.put(f"/api/users/{user_id}", json={"phone": "9"}, headers=manager).status == 200
    assert api.post("/api/users", json=member_body(5, mine), headers=manager).status == 403
    assert (
        api.post("/api/users", json=member_body(5, mine, department_id=dept), headers=manager).status == 201
    )
    assert (
        api.post(
            "/api/users", json=member_body(6, mine, role="manager", department_id=dept), headers=manager
        ).status
        == 403
    )
    assert api.post("/api/users", json=member_body(7, other), headers=admin).status == 403
    assert api.post("/api/users", json=member_body(7, mine, role="admin"), headers=admin).status == 403
    assert api.post("/api/users", json=member_body(7, mine, role="manager"), headers=admin).status == 201
    assert api.put(f"/api/users/{user_id}/deactivate", headers=admin).status == 200
    assert api.delete(f"/api/users/{admin_id}", headers=admin).status == 403  # not oneself
    assert api.put("/api/users/1", json={"role": "user"}, headers=root).status == 403  # the super stays super
    assert api.delete("/api/users/1", headers=root).status == 403


def test_concurrent_user_creates_keep_users_count_exact(api: ApiClient, root: dict[str, str]) -> None:
    org_id = new_org(api, root)
    dept = new_dept(api, root, org_id)

    def create(n: int) -> int:
        return api.post("/api/users", json=member_body(n, org_id, department_id=dept), headers=root).status

    with ThreadPoolExecutor(max_workers=10) as pool:
        assert list(pool.map(create, range(10))) == [201] * 10
    assert api.get("/api/organizations", headers=root).json["data"]["organizations"][0]["users_count"] == 10
    assert api.get("/api/departments", headers=root).json["data"]["departments"][0]["users_count"] == 10
    assert api.get("/api/users", headers=root).json["data"]["pagination"]["total"] == 11
