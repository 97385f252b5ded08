"""Surface D: /api/v1/users/* — the routes, the user struct and the super/admin/user rules."""

from __future__ import annotations

import re

import pytest

from gatehouse_local.testing import ApiClient, bearer
from tests.api.users_admin_support import (
    ALL_PERMISSIONS,
    PASSWORD,
    Cast,
    cast,
    group,
    new_user,
    person,
    sign_in,
)
from tests.seeding import SeedOnce

USER_FIELDS = [
    "id", "first_name", "mid_name", "last_name", "nickname", "userpic", "contacts", "role", "group",
    "last_activity", "create_at",
]  # fmt: skip
MINUTE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")
PERMISSIONS_ERROR = {"status": "error", "message": "Permissions error"}
USER_NOT_FOUND = {"status": "error", "message": "User not found"}


@pytest.fixture
def people(seeded_once: SeedOnce[Cast]) -> Cast:
    return seeded_once(cast)


def test_the_first_user_needs_no_token_and_becomes_the_super(api: ApiClient) -> None:
    response = api.post(
        "/api/v1/users/new_user",
        json={
            "first_name": "John", "mid_name": "", "last_name": "Doe", "nickname": "john.doe",
            "email": "john.doe@gmail.com", "password": "strong_password", "role": "super",
        },
    )  # fmt: skip
    assert response.status == 200
    assert response.json["status"] == "ok"
    user = response.json["user"]
    assert list(user) == USER_FIELDS
    assert user["id"] == 1
    assert (user["first_name"], user["mid_name"], user["last_name"]) == ("John", "", "Doe")
    assert user["nickname"] == "john.doe"
    assert user["contacts"] == {"email": "john.doe@gmail.com", "phone": "", "telegram": "", "viber": ""}
    assert user["role"] == "super"
    assert user["group"] is False
    assert user["userpic"] == ""
    assert MINUTE.match(user["create_at"])
    assert "password" not in response.body


def test_without_a_token_only_the_first_user_can_be_created(api: ApiClient) -> None:
    new_user(api, None, "root")
    response = api.post(
        "/api/v1/users/new_user", json={"nickname": "x", "email": "x@example.com", "password": PASSWORD}
    )
    assert response.status == 401
    assert response.json == {"status": "error", "message": "Unauthorized"}


def test_nobody_creates_a_second_super(people: Cast, api: ApiClient) -> None:
    for creator in (people.super, people.admin):
        response = api.post(
            "/api/v1/users/new_user",
            json={"nickname": "x", "email": "x@example.com", "password": PASSWORD, "role": "super"},
            headers=creator.auth,
        )
        assert (response.status, response.json) == (403, PERMISSIONS_ERROR)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"email": "a@example.com", "password": PASSWORD}, "nickname", "Nickname can`t be empty"),
        ({"nickname": "a", "email": "", "password": PASSWORD}, "email", "Email can`t be empty"),
        ({"nickname": "a", "email": "a@example.com"}, "password", "Password can`t be empty"),
        (
            {"nickname": "a", "email": "a@example.com", "password": "12345"},
            "password",
            "Password must be strongest",
        ),
        ({"nickname": "a", "email": "not-an-email", "password": PASSWORD}, "email", "Email is invalid"),
        (
            {"nickname": "a", "email": "a@example.com", "password": PASSWORD, "role": "god"},
            "role",
            "Role is invalid",
        ),
    ],
)
def test_new_user_field_errors_name_the_field(
    api: ApiClient, body: dict[str, str], field: str, message: str
) -> None:
    response = api.post("/api/v1/users/new_user", json=body)
    assert response.status == 422
    assert response.json == {"status": "error", "field": field, "message": message}


def test_a_taken_nickname_is_alias_already_exists(people: Cast, api: ApiClient) -> None:
    response = api.post(
        "/api/v1/users/new_user",
        json={"nickname": "WORKER", "email": "other@example.com", "password": PASSWORD},
        headers=people.super.auth,
    )
    assert response.status == 422
    assert response.json == {"status": "error", "field": "nickname", "message": "Alias already exists"}
    taken_email = api.post(
        "/api/v1/users/new_user",
        json={"nickname": "fresh", "email": "worker@example.com", "password": PASSWORD},
        headers=people.super.auth,
    )
    assert taken_email.json == {"status": "error", "field": "email", "message": "Email already exists"}


def test_admins_add_only_lower_roles_into_lower_groups(people: Cast, api: ApiClient) -> None:
    created = new_user(api, people.admin, "clerk", group_id=people.user_group, first_name="Ann")
    assert created["role"] == "user"
    assert created["group"]["id"] == people.user_group
    assert created["group"]["name"] == "Staff"
    refused: list[dict[str, object]] = [
        {"role": "admin"},
        {"group_id": people.admin_group},  # their own level is not lower
    ]
    for n, extra in enumerate(refused):
        response = api.post(
            "/api/v1/users/new_user",
            json={"nickname": f"n{n}", "email": f"n{n}@example.com", "password": PASSWORD, **extra},
            headers=people.admin.auth,
        )
        assert (response.status, response.json) == (403, PERMISSIONS_ERROR), extra


def test_super_adds_admins_into_any_group(people: Cast, api: ApiClient) -> None:
    created = new_user(api, people.super, "deputy", role="admin", group_id=people.admin_group)
    assert (created["role"], created["group"]["id"]) == ("admin", people.admin_group)


def test_plain_users_and_admins_without_the_permission_add_nobody(people: Cast, api: ApiClient) -> None:
    idle_group = group(api, people.super, "Idle admins", 40, ["users.read"])
    idle_admin = person(api, people.super, "idle", role="admin", group_id=idle_group)
    for creator in (people.user, idle_admin):
        response = api.post(
            "/api/v1/users/new_user",
            json={"nickname": "x", "email": "x@example.com", "password": PASSWORD},
            headers=creator.auth,
        )
        assert (response.status, response.json) == (403, PERMISSIONS_ERROR)


def test_an_unknown_group_is_a_field_error(people: Cast, api: ApiClient) -> None:
    response = api.post(
        "/api/v1/users/new_user",
        json={"nickname": "x", "email": "x@example.com", "password": PASSWORD, "group_id": 999},
        headers=people.super.auth,
    )
    assert response.status == 422
    assert response.json["field"] == "group_id"


def test_list_answers_users_and_the_total(people: Cast, api: ApiClient) -> None:
    response = api.get("/api/v1/users/list", headers=people.admin.auth)
    assert response.status == 200
    assert response.json["status"] == "ok"
    assert response.json["total"] == 3
    assert [user["nickname"] for user in response.json["users"]] == ["root", "boss", "worker"]
    assert all(list(user) == USER_FIELDS for user in response.json["users"])
    assert response.json["users"][1]["group"]["permissions"] == ALL_PERMISSIONS


def test_list_pages_with_a_cursor(people: Cast, api: ApiClient) -> None:
    first = api.get("/api/v1/users/list", headers=people.super.auth, query={"per_page": 2}).json
    assert [user["id"] for user in first["users"]] == [1, 2]
    rest = api.get(
        "/api/v1/users/list", headers=people.super.auth, query={"per_page": 2, "cursor": first["next_cursor"]}
    ).json
    assert [user["id"] for user in rest["users"]] == [3]
    assert rest["next_cursor"] is None
    bad = api.get("/api/v1/users/list", headers=people.super.auth, query={"per_page": 1000})
    assert (bad.status, bad.json["field"]) == (422, "per_page")


def test_list_needs_the_read_permission(people: Cast, api: ApiClient) -> None:
    response = api.get("/api/v1/users/list", headers=people.user.auth)
    assert (response.status, response.json) == (403, PERMISSIONS_ERROR)
    readers = group(api, people.super, "Readers", 5, ["users.read"])
    reader = person(api, people.super, "reader", group_id=readers)
    assert api.get("/api/v1/users/list", headers=reader.auth).status == 200


@pytest.mark.parametrize("path", ["/api/v1/users/list", "/api/v1/users/current", "/api/v1/users/id/1"])
def test_routes_need_a_valid_token(api: ApiClient, path: str) -> None:
    for headers in ({}, bearer("nonsense")):
        response = api.get(path, headers=headers)
        assert (response.status, response.json) == (401, {"status": "error", "message": "Unauthorized"})


def test_read_a_user(people: Cast, api: ApiClient) -> None:
    response = api.get(f"/api/v1/users/id/{people.user.id}", headers=people.admin.auth)
    assert response.status == 200
    assert response.json["user"]["nickname"] == "worker"
    own = api.get(f"/api/v1/users/id/{people.user.id}", headers=people.user.auth)
    assert own.status == 200
    other = api.get(f"/api/v1/users/id/{people.admin.id}", headers=people.user.auth)
    assert (other.status, other.json) == (403, PERMISSIONS_ERROR)
    for missing in ("999", "abc", "1.5"):
        response = api.get(f"/api/v1/users/id/{missing}", headers=people.admin.auth)
        assert (response.status, response.json) == (404, USER_NOT_FOUND), missing


@pytest.mark.parametrize("path", ["/api/v1/users/current", "/api/v1/users/current/"])
def test_current_answers_the_callers_struct_with_or_without_the_slash(
    people: Cast, api: ApiClient, path: str
) -> None:
    response = api.get(path, headers=people.user.auth)
    assert response.status == 200
    assert response.json["user"]["id"] == people.user.id
    assert response.json["user"]["group"]["id"] == people.user_group


def test_last_activity_is_kept_current_on_authenticated_requests(people: Cast, api: ApiClient) -> None:
    response = api.get("/api/v1/users/current", headers=people.user.auth)
    assert MINUTE.match(response.json["user"]["last_activity"])


def test_update_changes_only_the_fields_sent_and_ignores_role(people: Cast, api: ApiClient) -> None:
    response = api.post(
        f"/api/v1/users/id/{people.user.id}/update",
        json={
            "last_name": "Smith",
            "role": "admin",
            "contacts": {"telegram": "@worker", "phone": "+380630000000"},
        },
        headers=people.user.auth,
    )
    assert response.status == 200
    user = response.json["user"]
    assert (user["last_name"], user["role"]) == ("Smith", "user")
    assert user["contacts"] == {
        "email": "worker@example.com", "phone": "+380630000000", "telegram": "@worker", "viber": "",
    }  # fmt: skip
    assert user["group"]["id"] == people.user_group


def test_contacts_that_are_not_an_object_are_a_field_error(people: Cast, api: ApiClient) -> None:
    response = api.post(
        f"/api/v1/users/id/{people.user.id}/update", json={"contacts": "@worker"}, headers=people.user.auth
    )
    assert (response.status, response.json) == (
        422,
        {"status": "error", "field": "contacts", "message": "Contacts is invalid"},
    )


def test_the_super_makes_a_user_a_manager_and_back(people: Cast, api: ApiClient) -> None:
    path = f"/api/v1/users/id/{people.user.id}/update/role"
    made = api.post(path, json={"role": "manager"}, headers=people.super.auth)
    assert (made.status, made.json["user"]["role"]) == (200, "manager")
    back = api.post(path, json={"role": "user"}, headers=people.super.auth)
    assert back.json["user"]["role"] == "user"


def test_update_sets_a_direct_userpic_url_and_checks_it(people: Cast, api: ApiClient) -> None:
    url = "https://cdn.example.com/pic.png"
    response = api.post(
        f"/api/v1/users/id/{people.user.id}/update", json={"userpic": url}, headers=people.user.auth
    )
    assert response.json["user"]["userpic"] == url
    bad = api.post(
        f"/api/v1/users/id/{people.user.id}/update",
        json={"userpic": "javascript:x"},
        headers=people.user.auth,
    )
    assert (bad.status, bad.json["field"]) == (422, "userpic")


def test_update_reports_a_taken_nickname(people: Cast, api: ApiClient) -> None:
    response = api.post(
        f"/api/v1/users/id/{people.user.id}/update", json={"nickname": "Boss"}, headers=people.user.auth
    )
    assert response.status == 422
    assert response.json == {"status": "error", "field": "nickname", "message": "Alias already exists"}


def test_update_of_others_follows_the_role_order(people: Cast, api: ApiClient) -> None:
    ok = api.post(
        f"/api/v1/users/id/{people.user.id}/update", json={"first_name": "W"}, headers=people.admin.auth
    )
    assert ok.status == 200
    for actor, target in [(people.user, people.admin), (people.admin, people.super)]:
        response = api.post(
            f"/api/v1/users/id/{target.id}/update", json={"first_name": "X"}, headers=actor.auth
        )
        assert (response.status, response.json) == (403, PERMISSIONS_ERROR)
    missing = api.post("/api/v1/users/id/999/update", json={"first_name": "X"}, headers=people.super.auth)
    assert (missing.status, missing.json) == (404, USER_NOT_FOUND)


def test_groups_change_only_downwards_and_never_by_oneself(people: Cast, api: ApiClient) -> None:
    lowest = group(api, people.super, "Interns", 1, [])
    moved = api.post(
        f"/api/v1/users/id/{people.user.id}/update", json={"group_id": lowest}, headers=people.admin.auth
    )
    assert moved.json["user"]["group"]["id"] == lowest
    for actor, target, group_id in [
        (people.admin, people.user, people.admin_group),
        (people.user, people.user, people.user_group),
        (people.admin, people.admin, lowest),
    ]:
        response = api.post(
            f"/api/v1/users/id/{target.id}/update", json={"group_id": group_id}, headers=actor.auth
        )
        assert (response.status, response.json) == (403, PERMISSIONS_ERROR)
    cleared = api.post(
        f"/api/v1/users/id/{people.user.id}/update", json={"group_id": None}, headers=people.super.auth
    )
    assert cleared.json["user"]["group"] is False


def test_only_the_super_changes_roles(people: Cast, api: ApiClient) -> None:
    promoted = api.post(
        f"/api/v1/users/id/{people.user.id}/update/role", json={"role": "admin"}, headers=people.super.auth
    )
    assert promoted.status == 200
    assert promoted.json["user"]["role"] == "admin"
    refused = api.post(
        f"/api/v1/users/id/{people.user.id}/update/role", json={"role": "user"}, headers=people.admin.auth
    )
    assert (refused.status, refused.json) == (403, PERMISSIONS_ERROR)
    own = api.post(
        f"/api/v1/users/id/{people.super.id}/update/role", json={"role": "user"}, headers=people.super.auth
    )
    assert (own.status, own.json) == (403, PERMISSIONS_ERROR)
    missing = api.post("/api/v1/users/id/999/update/role", json={"role": "user"}, headers=people.super.auth)
    assert (missing.status, missing.json) == (404, USER_NOT_FOUND)
    invalid = api.post(
        f"/api/v1/users/id/{people.user.id}/update/role", json={"role": "super"}, headers=people.super.auth
    )
    assert (invalid.status, invalid.json["field"]) == (422, "role")


def test_password_change_needs_the_current_password(people: Cast, api: ApiClient) -> None:
    path = f"/api/v1/users/id/{people.user.id}/update/password"
    wrong = api.post(path, json={"password": "not-it", "new_password": "another"}, headers=people.user.auth)
    assert (wrong.status, wrong.json["message"]) == (422, "Wrong password")
    weak = api.post(path, json={"password": PASSWORD, "new_password": "12345"}, headers=people.user.auth)
    assert weak.json == {"status": "error", "field": "new_password", "message": "Password must be strongest"}
    other = api.post(path, json={"password": PASSWORD, "new_password": "123456"}, headers=people.admin.auth)
    assert (other.status, other.json) == (403, PERMISSIONS_ERROR)
    done = api.post(path, json={"password": PASSWORD, "new_password": "123456"}, headers=people.user.auth)
    assert done.status == 200
    assert done.json["status"] == "ok"
    assert sign_in(api, people.user.email, "123456")


def test_reset_password_answers_a_strong_password_once_and_signs_the_user_out(
    people: Cast, api: ApiClient
) -> None:
    response = api.get(f"/api/v1/users/id/{people.user.id}/reset_password", headers=people.admin.auth)
    assert response.status == 200
    assert list(response.json) == ["status", "new_password"]
    password = response.json["new_password"]
    assert len(password) >= 12
    assert any(c.isdigit() for c in password)
    assert any(c.isupper() for c in password)
    assert api.get("/api/v1/users/current", headers=people.user.auth).status == 401
    assert sign_in(api, people.user.email, password)


def test_reset_password_follows_the_role_rules(people: Cast, api: ApiClient) -> None:
    other_admin = person(api, people.super, "admin2", role="admin", group_id=people.admin_group)
    refused = [
        (people.admin, other_admin),  # admins reset only plain users
        (people.admin, people.super),
        (people.super, people.super),
        (people.user, people.admin),
    ]
    for actor, target in refused:
        response = api.get(f"/api/v1/users/id/{target.id}/reset_password", headers=actor.auth)
        assert (response.status, response.json) == (403, PERMISSIONS_ERROR)
    assert (
        api.get(f"/api/v1/users/id/{other_admin.id}/reset_password", headers=people.super.auth).status == 200
    )
    missing = api.get("/api/v1/users/id/999/reset_password", headers=people.super.auth)
    assert (missing.status, missing.json) == (404, USER_NOT_FOUND)


def test_permissions_are_the_groups_and_all_for_the_super(people: Cast, api: ApiClient) -> None:
    def permissions_of(target: int, actor: str) -> list[str]:
        response = api.get(f"/api/v1/users/id/{target}/permissions", headers=bearer(actor))
        assert response.status == 200
        assert list(response.json) == ["status", "permissions"]
        found: list[str] = response.json["permissions"]
        return found

    assert permissions_of(people.super.id, people.admin.token) == ALL_PERMISSIONS
    assert permissions_of(people.admin.id, people.super.token) == ALL_PERMISSIONS
    assert permissions_of(people.user.id, people.user.token) == []
    loner = new_user(api, people.super, "loner")
    assert permissions_of(loner["id"], people.super.token) == []
    refused = api.get(f"/api/v1/users/id/{people.admin.id}/permissions", headers=people.user.auth)
    assert (refused.status, refused.json) == (403, PERMISSIONS_ERROR)
    missing = api.get("/api/v1/users/id/999/permissions", headers=people.super.auth)
    assert (missing.status, missing.json) == (404, USER_NOT_FOUND)


def test_remove_needs_an_admin_with_a_higher_role(people: Cast, api: ApiClient) -> None:
    for actor, target in [
        (people.user, people.admin),
        (people.admin, people.super),
        (people.super, people.super),
    ]:
        response = api.get(f"/api/v1/users/id/{target.id}/remove", headers=actor.auth)
        assert (response.status, response.json) == (403, PERMISSIONS_ERROR)
    removed = api.get(f"/api/v1/users/id/{people.user.id}/remove", headers=people.admin.auth)
    assert removed.status == 200
    assert removed.json["user"]["nickname"] == "worker"
    gone = api.get(f"/api/v1/users/id/{people.user.id}", headers=people.admin.auth)
    assert (gone.status, gone.json) == (404, USER_NOT_FOUND)
    assert api.get("/api/v1/users/list", headers=people.super.auth).json["total"] == 2
    again = api.get(f"/api/v1/users/id/{people.user.id}/remove", headers=people.admin.auth)
    assert (again.status, again.json) == (404, USER_NOT_FOUND)


def test_client_mistakes_are_never_500s(people: Cast, api: ApiClient) -> None:
    bodies: list[object] = [[], "text", 42, {"nickname": ["x"], "email": {"a": 1}, "password": 7}]
    for body in bodies:
        response = api.post("/api/v1/users/new_user", json=body, headers=people.super.auth)
        assert response.status in (400, 422), body
        assert response.json["status"] == "error"
    raw = api.post(
        f"/api/v1/users/id/{people.user.id}/update",
        body="{not json",
        headers={**people.user.auth, "Content-Type": "application/json"},
    )
    assert (raw.status, raw.json) == (400, {"status": "error", "message": "Invalid request body"})


def test_an_undeclared_method_answers_405_with_the_allowed_methods(people: Cast, api: ApiClient) -> None:
    response = api.delete(f"/api/v1/users/id/{people.user.id}", headers=people.super.auth)

    assert response.status == 405
    assert response.headers["allow"] == "GET"
    assert response.json == {"status": "error", "message": "Method not allowed"}
