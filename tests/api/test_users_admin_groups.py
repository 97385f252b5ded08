"""Surface D: /api/v1/groups — permission groups, their levels and the permission catalogue."""

from __future__ import annotations

import pytest

from gatehouse_local.testing import ApiClient
from tests.api.users_admin_support import ADMIN_DEFAULTS, ALL_PERMISSIONS, Cast, cast, group, held, person
from tests.seeding import SeedOnce

PERMISSIONS_ERROR = {"status": "error", "message": "Permissions error"}
GROUP_FIELDS = ["id", "name", "description", "level", "permissions", "create_at"]


@pytest.fixture
def people(seeded_once: SeedOnce[Cast]) -> Cast:
    return seeded_once(cast)


def test_create_read_list_update_and_delete_a_group(people: Cast, api: ApiClient) -> None:
    created = api.post(
        "/api/v1/groups",
        json={
            "name": "Support",
            "description": "First line",
            "level": 20,
            "permissions": ["logs.read", "users.read"],
        },
        headers=people.super.auth,
    )
    assert created.status == 200
    body = created.json["group"]
    assert list(body) == GROUP_FIELDS
    assert body["permissions"] == ["users.read", "logs.read"]  # catalogue order
    group_id = body["id"]
    read = api.get(f"/api/v1/groups/{group_id}", headers=people.admin.auth)
    assert read.json == {"status": "ok", "group": body}
    listed = api.get("/api/v1/groups", headers=people.admin.auth).json
    assert [g["name"] for g in listed["groups"]] == ["Admins", "Staff", "Support"]
    assert listed["next_cursor"] is None
    patched = api.patch(
        f"/api/v1/groups/{group_id}", json={"description": "Second line"}, headers=people.super.auth
    )
    assert (patched.json["group"]["description"], patched.json["group"]["level"]) == ("Second line", 20)
    replaced = api.put(
        f"/api/v1/groups/{group_id}", json={"name": "Help", "permissions": []}, headers=people.super.auth
    )
    assert (replaced.json["group"]["name"], replaced.json["group"]["permissions"]) == ("Help", [])
    deleted = api.delete(f"/api/v1/groups/{group_id}", headers=people.super.auth)
    assert deleted.status == 200
    missing = api.get(f"/api/v1/groups/{group_id}", headers=people.super.auth)
    assert (missing.status, missing.json) == (404, {"status": "error", "message": "Group not found"})


def test_unknown_permission_names_are_refused(people: Cast, api: ApiClient) -> None:
    for permissions in (["users.fly"], "users.read", [1]):
        response = api.post(
            "/api/v1/groups", json={"name": "X", "permissions": permissions}, headers=people.super.auth
        )
        assert (response.status, response.json["field"]) == (422, "permissions")
    nameless = api.post("/api/v1/groups", json={"level": 1}, headers=people.super.auth)
    assert nameless.json == {"status": "error", "field": "name", "message": "Name can`t be empty"}


def test_admins_manage_only_lower_groups_granting_only_what_they_hold(people: Cast, api: ApiClient) -> None:
    limited = group(api, people.super, "Limited", 40, ["users.read", "groups.manage"])
    admin = person(api, people.super, "limited", role="admin", group_id=limited)
    assert group(api, admin, "Lower", 39, ["users.read"])
    for body in (
        {"name": "Peer", "level": 40},
        {"name": "Greedy", "level": 1, "permissions": ["users.remove"]},
    ):
        response = api.post("/api/v1/groups", json=body, headers=admin.auth)
        assert (response.status, response.json) == (403, PERMISSIONS_ERROR), body
    for method in ("patch", "delete"):
        response = api.request(
            method, f"/api/v1/groups/{people.admin_group}", json={"level": 1}, headers=admin.auth
        )
        assert (response.status, response.json) == (403, PERMISSIONS_ERROR)
    raised = api.patch(f"/api/v1/groups/{people.user_group}", json={"level": 45}, headers=admin.auth)
    assert (raised.status, raised.json) == (403, PERMISSIONS_ERROR)


def test_plain_users_cannot_see_or_touch_groups(people: Cast, api: ApiClient) -> None:
    assert api.get("/api/v1/groups", headers=people.user.auth).json == PERMISSIONS_ERROR
    assert api.post("/api/v1/groups", json={"name": "X"}, headers=people.user.auth).status == 403
    assert api.get("/api/v1/groups").status == 401


def test_members_of_a_deleted_group_show_no_group_and_hold_nothing_until_moved(
    people: Cast, api: ApiClient
) -> None:
    api.delete(f"/api/v1/groups/{people.admin_group}", headers=people.super.auth)
    me = api.get("/api/v1/users/current", headers=people.admin.auth)
    assert (me.status, me.json["user"]["group"]) == (200, False)  # they still read themselves
    assert held(api, people.admin, people.admin.id) == []  # not the admin role's defaults
    assert api.get("/api/v1/users/list", headers=people.admin.auth).status == 403
    moved = api.post(
        f"/api/v1/users/id/{people.admin.id}/update", json={"group_id": None}, headers=people.super.auth
    )
    assert (moved.status, moved.json["user"]["group"]) == (200, False)
    assert held(api, people.admin, people.admin.id) == ADMIN_DEFAULTS
    assert api.get("/api/v1/users/list", headers=people.admin.auth).status == 200


def test_deleting_a_group_never_widens_its_members(people: Cast, api: ApiClient) -> None:
    # An admin who manages groups but holds only `users.read` and `groups.manage` deletes the
    # lower group that narrows another admin: that admin must not fall back to the admin defaults
    # (user administration and the log), which the deleter does not hold either.
    managers = group(api, people.super, "Group managers", 40, ["users.read", "groups.manage"])
    deleter = person(api, people.super, "deleter", role="admin", group_id=managers)
    narrow = group(api, people.super, "Read-only admins", 10, ["users.read"])
    narrowed = person(api, people.super, "narrowed", role="admin", group_id=narrow)
    assert api.delete(f"/api/v1/groups/{narrow}", headers=deleter.auth).status == 200
    assert held(api, people.super, narrowed.id) == []
    for path in (
        "/api/v1/users/list",
        f"/api/v1/users/id/{people.user.id}/remove",
        "/api/v1/logs/list/filtered",
    ):
        response = api.get(path, headers=narrowed.auth)
        assert (response.status, response.json) == (403, PERMISSIONS_ERROR), path


def test_bad_group_ids_are_not_found(people: Cast, api: ApiClient) -> None:
    for group_id in ("999", "abc"):
        response = api.get(f"/api/v1/groups/{group_id}", headers=people.super.auth)
        assert (response.status, response.json["message"]) == (404, "Group not found")


def test_the_super_holds_every_permission_in_the_catalogue(people: Cast, api: ApiClient) -> None:
    response = api.get(f"/api/v1/users/id/{people.super.id}/permissions", headers=people.super.auth)
    assert response.json["permissions"] == ALL_PERMISSIONS


def test_a_null_level_on_create_means_the_lowest_level(people: Cast, api: ApiClient) -> None:
    # Validated as an optional integer, a null level reached int(None) and answered 500.
    response = api.post("/api/v1/groups", json={"name": "Interns", "level": None}, headers=people.super.auth)
    assert response.status == 200, response.body
    assert response.json["group"]["level"] == 0
