"""What C's routes leave behind: one audit event after each change, with the caller's details."""

from __future__ import annotations

from gatehouse.data.audit import AuditEventItem
from gatehouse.data.audit_queries import shard_keys
from gatehouse_local.testing import TEST_SOURCE_IP, ApiClient, bearer
from tests.api.test_org_structure import new_dept, new_org, new_position, sign_up

PHONE = {"X-Device-Id": "phone-3"}


def audit_events() -> list[AuditEventItem]:
    found = [
        item
        for key in shard_keys()
        for item in AuditEventItem.gsi1.query(key)
        if isinstance(item, AuditEventItem)
    ]
    return sorted(found, key=lambda e: e.GSI1SK or "")


def on_device(device_id: str) -> list[AuditEventItem]:
    found = AuditEventItem.gsi4.query(f"AUDIT#DEVICE#{device_id}")
    return [item for item in found if isinstance(item, AuditEventItem)]


def c_events() -> list[tuple[str, str, str | None, str | None]]:
    """Every event but the sign-ups and sign-ins that set the test up."""
    return [
        (e.action, e.outcome, e.target_type, e.target_id)
        for e in audit_events()
        if e.action not in ("user.register", "auth.login")
    ]


def test_each_structure_change_is_audited_after_it_succeeds(api: ApiClient) -> None:
    root = {**bearer(sign_up(api, 0)), **PHONE}
    org_id = new_org(api, root)
    api.put(f"/api/organizations/{org_id}", json={"name": "Renamed"}, headers=root)
    dept_id = new_dept(api, root, org_id)
    api.put(f"/api/departments/{dept_id}", json={"name": "Renamed"}, headers=root)
    position_id = new_position(api, root, dept_id)
    api.put(f"/api/positions/{position_id}", json={"name": "Renamed"}, headers=root)
    a_position = api.post("/api/v1/position", json={"name": "Shared"}, headers=root).json["_id"]
    api.put(f"/api/v1/position/{a_position}", json={"name": "Shared too"}, headers=root)
    api.delete(f"/api/v1/position/{a_position}", headers=root)
    api.delete(f"/api/positions/{position_id}", headers=root)
    api.delete(f"/api/departments/{dept_id}", headers=root)
    api.delete(f"/api/organizations/{org_id}", headers=root)
    assert c_events() == [
        ("org.create", "success", "organization", str(org_id)),
        ("org.update", "success", "organization", str(org_id)),
        ("department.create", "success", "department", str(dept_id)),
        ("department.update", "success", "department", str(dept_id)),
        ("position.create", "success", "position", str(position_id)),
        ("position.update", "success", "position", str(position_id)),
        ("position.create", "success", "position", str(a_position)),
        ("position.update", "success", "position", str(a_position)),
        ("position.delete", "success", "position", str(a_position)),
        ("position.delete", "success", "position", str(position_id)),
        ("department.delete", "success", "department", str(dept_id)),
        ("org.delete", "success", "organization", str(org_id)),
    ]
    on_phone = on_device("phone-3")
    assert len(on_phone) == 12
    assert {(e.ip, e.actor_id) for e in on_phone} == {(TEST_SOURCE_IP, 1)}


def test_each_staff_change_and_the_sign_out_are_audited(api: ApiClient) -> None:
    root = {**bearer(sign_up(api, 0)), **PHONE}
    org_id = new_org(api, root)
    member = {
        "name": "Member One",
        "email": "m1@company.kz",
        "password": "password123",
        "password_confirmation": "password123",
        "organization_id": org_id,
    }
    user_id = api.post("/api/users", json=member, headers=root).json["data"]["user"]["id"]
    api.put(f"/api/users/{user_id}", json={"phone": "+7 700 000 00 00"}, headers=root)
    new_password = {"password": "password456", "password_confirmation": "password456"}
    api.put(f"/api/users/{user_id}/password", json=new_password, headers=root)
    api.put(f"/api/users/{user_id}/deactivate", headers=root)
    api.put(f"/api/users/{user_id}/activate", headers=root)
    api.delete(f"/api/users/{user_id}", headers=root)
    api.post("/api/logout", headers=root)
    assert c_events() == [
        ("org.create", "success", "organization", str(org_id)),
        ("user.create", "success", "user", str(user_id)),
        ("user.update", "success", "user", str(user_id)),
        ("user.password", "success", "user", str(user_id)),
        ("user.deactivate", "success", "user", str(user_id)),
        ("user.activate", "success", "user", str(user_id)),
        ("user.delete", "success", "user", str(user_id)),
        ("auth.logout", "success", "user", "1"),
    ]
    on_phone = on_device("phone-3")
    assert len(on_phone) == 8
    assert {(e.ip, e.actor_id) for e in on_phone} == {(TEST_SOURCE_IP, 1)}


def test_a_refused_change_leaves_no_event(api: ApiClient) -> None:
    root = bearer(sign_up(api, 0))
    org_id = new_org(api, root)
    plain = bearer(sign_up(api, 1))
    assert api.post("/api/organizations", json={"name": "Mine"}, headers=plain).status == 403
    assert api.delete(f"/api/organizations/{org_id}", headers=plain).status == 403
    assert api.put("/api/users/1/deactivate", headers=plain).status == 403
    assert c_events() == [("org.create", "success", "organization", str(org_id))]
