"""Surface D: the document's role rules hold without any group; groups narrow or widen them.

The first flow of a D client: the anonymous first sign-up is the super, the super adds an admin,
and that admin, in no group, administers users and reads the log; a plain user reads only
themselves. Then a group narrows an admin or widens a plain user, never beyond the role's ceiling.
"""

from __future__ import annotations

from typing import Any

import pytest

from gatehouse_local.testing import ApiClient
from tests.api.users_admin_support import (
    ADMIN_DEFAULTS,
    ALL_PERMISSIONS,
    PASSWORD,
    Person,
    group,
    held,
    new_user,
    person,
    sign_in,
)

PERMISSIONS_ERROR = {"status": "error", "message": "Permissions error"}
LOGS = "/api/v1/logs/list/filtered"


def refused(api: ApiClient, actor: Person, path: str, **body: Any) -> None:
    response = api.post(path, json=body, headers=actor.auth) if body else api.get(path, headers=actor.auth)
    assert (response.status, response.json) == (403, PERMISSIONS_ERROR), path


@pytest.fixture
def root(api: ApiClient) -> Person:
    return person(api, None, "root")


@pytest.fixture
def admin(api: ApiClient, root: Person) -> Person:
    """An admin the super added without a group."""
    return person(api, root, "boss", role="admin")


def test_an_admin_in_no_group_runs_the_documents_first_flow(
    api: ApiClient, root: Person, admin: Person
) -> None:
    me = api.get("/api/v1/users/current", headers=admin.auth).json["user"]
    assert (me["role"], me["group"]) == ("admin", False)
    assert held(api, admin, admin.id) == ADMIN_DEFAULTS

    worker = new_user(api, admin, "worker", first_name="Ann")
    lead = new_user(api, admin, "lead", role="manager")
    assert (worker["role"], worker["group"], lead["role"]) == ("user", False, "manager")

    listed = api.get("/api/v1/users/list", headers=admin.auth)
    assert listed.status == 200
    assert [user["nickname"] for user in listed.json["users"]] == ["root", "boss", "worker", "lead"]
    assert listed.json["total"] == 4
    for target in (worker["id"], root.id):
        read = api.get(f"/api/v1/users/id/{target}", headers=admin.auth)
        assert (read.status, read.json["user"]["id"]) == (200, target)

    reset = api.get(f"/api/v1/users/id/{worker['id']}/reset_password", headers=admin.auth)
    assert reset.status == 200
    assert sign_in(api, "worker@example.com", reset.json["new_password"])

    removed = api.get(f"/api/v1/users/id/{lead['id']}/remove", headers=admin.auth)
    assert (removed.status, removed.json["user"]["nickname"]) == (200, "lead")

    log = api.get(LOGS, headers=admin.auth, query={"by_user": admin.id})
    assert log.status == 200
    actions = [(event["action"], event["target"]["id"]) for event in log.json["logs"] if event["target"]]
    assert ("user.create", str(worker["id"])) in actions
    assert ("user.delete", str(lead["id"])) in actions


def test_an_admin_in_no_group_adds_only_lower_roles_and_assigns_no_group(
    api: ApiClient, root: Person, admin: Person
) -> None:
    staff = group(api, root, "Staff", 1, [])
    refusals: list[dict[str, Any]] = [{"role": "admin"}, {"role": "super"}, {"group_id": staff}]
    for n, extra in enumerate(refusals):
        refused(
            api, admin, "/api/v1/users/new_user",
            nickname=f"n{n}", email=f"n{n}@example.com", password=PASSWORD, **extra,
        )  # fmt: skip


def test_an_admin_resets_only_lower_roles_passwords(api: ApiClient, root: Person, admin: Person) -> None:
    peer = person(api, root, "peer", role="admin")
    for target in (peer, root):
        refused(api, admin, f"/api/v1/users/id/{target.id}/reset_password")
    assert sign_in(api, peer.email)  # the refused reset changed nothing


def test_an_admin_removes_only_lower_roles(api: ApiClient, root: Person, admin: Person) -> None:
    peer = person(api, root, "peer", role="admin")
    for target in (peer, root, admin):
        refused(api, admin, f"/api/v1/users/id/{target.id}/remove")
    worker = new_user(api, admin, "worker")
    assert api.get(f"/api/v1/users/id/{worker['id']}/remove", headers=admin.auth).status == 200
    assert api.get("/api/v1/users/list", headers=admin.auth).json["total"] == 3


@pytest.mark.parametrize("role", ["user", "manager"])
def test_a_user_in_no_group_reads_only_themselves(
    api: ApiClient, root: Person, admin: Person, role: str
) -> None:
    someone = person(api, admin, "someone", role=role)
    own = api.get(f"/api/v1/users/id/{someone.id}", headers=someone.auth)
    assert (own.status, own.json["user"]["role"]) == (200, role)
    assert api.get("/api/v1/users/current", headers=someone.auth).json["user"]["id"] == someone.id
    assert held(api, someone, someone.id) == []
    for path in (
        "/api/v1/users/list",
        f"/api/v1/users/id/{admin.id}",
        f"/api/v1/users/id/{root.id}",
        f"/api/v1/users/id/{admin.id}/permissions",
        f"/api/v1/users/id/{admin.id}/reset_password",
        f"/api/v1/users/id/{admin.id}/remove",
        LOGS,
    ):
        refused(api, someone, path)
    refused(api, someone, "/api/v1/users/new_user", nickname="x", email="x@example.com", password=PASSWORD)


def test_a_group_narrows_an_admin(api: ApiClient, root: Person, admin: Person) -> None:
    readers = group(api, root, "Read-only admins", 20, ["users.read"])
    worker = new_user(api, admin, "worker")
    moved = api.post(f"/api/v1/users/id/{admin.id}/update", json={"group_id": readers}, headers=root.auth)
    assert moved.json["user"]["group"]["id"] == readers

    assert held(api, admin, admin.id) == ["users.read"]
    assert api.get("/api/v1/users/list", headers=admin.auth).status == 200
    for path in (
        f"/api/v1/users/id/{worker['id']}/reset_password",
        f"/api/v1/users/id/{worker['id']}/remove",
        LOGS,
    ):
        refused(api, admin, path)
    refused(api, admin, "/api/v1/users/new_user", nickname="x", email="x@example.com", password=PASSWORD)
    refused(api, admin, f"/api/v1/users/id/{worker['id']}/update", first_name="X")


def test_a_group_widens_an_admin_with_group_management(api: ApiClient, root: Person, admin: Person) -> None:
    everything = group(api, root, "Head admins", 50, ALL_PERMISSIONS)
    api.post(f"/api/v1/users/id/{admin.id}/update", json={"group_id": everything}, headers=root.auth)
    assert held(api, admin, admin.id) == ALL_PERMISSIONS
    assert group(api, admin, "Interns", 10, ["users.read"])


def test_a_group_widens_a_plain_user_only_up_to_the_roles_ceiling(
    api: ApiClient, root: Person, admin: Person
) -> None:
    generous = group(api, root, "Generous", 5, ["users.read", "users.remove", "logs.read", "groups.manage"])
    member = person(api, root, "member", group_id=generous)
    other = new_user(api, admin, "other")

    assert held(api, member, member.id) == ["users.read"]
    listed = api.get("/api/v1/users/list", headers=member.auth)
    assert (listed.status, len(listed.json["users"]), listed.json["total"]) == (200, 4, 4)
    assert api.get(f"/api/v1/users/id/{admin.id}", headers=member.auth).status == 200
    assert held(api, member, admin.id) == ADMIN_DEFAULTS
    refused(api, member, f"/api/v1/users/id/{other['id']}/remove")
    refused(api, member, LOGS)
    assert api.get("/api/v1/groups", headers=member.auth).status == 403


def test_the_super_sees_what_each_user_really_holds(api: ApiClient, root: Person, admin: Person) -> None:
    worker = new_user(api, admin, "worker")
    assert held(api, root, root.id) == ALL_PERMISSIONS
    assert held(api, root, admin.id) == ADMIN_DEFAULTS
    assert held(api, root, worker["id"]) == []
