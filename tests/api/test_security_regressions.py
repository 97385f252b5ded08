"""Holes found in review, closed: authorization scope across surfaces, and links bound to an address."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from gatehouse_local.testing import ApiClient, bearer

PASSWORD = "correct-horse-1"


def sign_in(api: ApiClient, email: str, password: str = PASSWORD) -> str:
    response = api.post("/api/auth/login", json={"email": email, "password": password})
    assert response.status == 200, response.body
    token: str = response.json["access_token"]
    return token


def register(api: ApiClient, name: str) -> str:
    body = {"username": name, "password": PASSWORD, "email": f"{name}@example.com", "sex": 0, "age": 30}
    assert api.post("/api/auth/register", json=body).status == 200
    return sign_in(api, f"{name}@example.com")


def create_in_organization(
    api: ApiClient, root: str, name: str, organization_id: int, role: str = "user"
) -> int:
    response = api.post(
        "/api/users",
        headers=bearer(root),
        json={
            "name": f"{name} Person",
            "email": f"{name}@example.com",
            "password": PASSWORD,
            "password_confirmation": PASSWORD,
            "organization_id": organization_id,
            "role": role,
        },
    )
    assert response.status == 201, response.body
    user_id: int = response.json["data"]["user"]["id"]
    return user_id


def organization(api: ApiClient, root: str, name: str) -> int:
    response = api.post("/api/organizations", headers=bearer(root), json={"name": name})
    assert response.status == 201, response.body
    organization_id: int = response.json["data"]["organization"]["id"]
    return organization_id


def test_an_organizations_admin_cannot_use_d_to_act_on_another_organization(api: ApiClient) -> None:
    root = register(api, "root")
    acme, globex = organization(api, root, "Acme"), organization(api, root, "Globex")
    admin_id = create_in_organization(api, root, "ada", acme, role="admin")
    colleague = create_in_organization(api, root, "cole", acme)
    outsider = create_in_organization(api, root, "otto", globex)
    group = api.post(
        "/api/v1/groups",
        headers=bearer(root),
        json={
            "name": "HR",
            "level": 10,
            "permissions": ["users.read", "users.update", "users.reset_password"],
        },
    )
    assert group.status == 200, group.body
    assigned = api.post(
        f"/api/v1/users/id/{admin_id}/update",
        headers=bearer(root),
        json={"group_id": group.json["group"]["id"]},
    )
    assert assigned.status == 200, assigned.body
    admin = sign_in(api, "ada@example.com")

    assert api.get(f"/api/v1/users/id/{colleague}/reset_password", headers=bearer(admin)).status == 200
    refused = api.get(f"/api/v1/users/id/{outsider}/reset_password", headers=bearer(admin))
    assert refused.status == 403
    assert refused.json == {"status": "error", "message": "Permissions error"}
    assert sign_in(api, "otto@example.com")  # the outsider's password is untouched
    assert api.get(f"/api/v1/users/id/{outsider}", headers=bearer(admin)).status == 403
    assert (
        api.post(f"/api/v1/users/id/{outsider}/update", headers=bearer(admin), json={"last_name": "X"}).status
        == 403
    )
    listed = {u["id"] for u in api.get("/api/v1/users/list", headers=bearer(admin)).json["users"]}
    assert colleague in listed
    assert outsider not in listed


def mailed_link(outbox_dir: Path, to: str) -> str:
    mails = sorted(outbox_dir.glob("*.json"))
    texts = [json.loads(p.read_text())["text"] for p in mails if json.loads(p.read_text())["to"] == to]
    link: str = next(word for word in texts[-1].split() if word.startswith("http"))
    return link


def mailed_token(outbox_dir: Path, to: str) -> str:
    return parse_qs(urlsplit(mailed_link(outbox_dir, to)).query)["token"][0]


def test_changing_ones_own_email_on_d_waits_for_the_link_mailed_to_the_new_address(
    api: ApiClient, outbox_dir: Path
) -> None:
    register(api, "root")
    token = register(api, "mia")
    me = api.get("/api/v1/users/current", headers=bearer(token)).json["user"]
    verify = api.get("/api/v1/verify", query={"token": mailed_token(outbox_dir, "mia@example.com")})
    assert verify.status == 200, verify.body
    changed = api.post(
        f"/api/v1/users/id/{me['id']}/update", headers=bearer(token), json={"email": "mia2@example.com"}
    )
    assert changed.status == 200, changed.body
    assert changed.json["user"]["contacts"]["email"] == "mia@example.com"  # not yet
    confirmed = api.get("/api/v1/verify", query={"token": mailed_token(outbox_dir, "mia2@example.com")})
    assert confirmed.status == 200, confirmed.body
    a_view = api.get(f"/api/v1/user/{me['id']:024x}", headers=bearer(token)).json
    assert (a_view["email"], a_view["is_verified"]) == ("mia2@example.com", 1)


def test_a_verification_link_is_void_once_an_admin_changes_the_address(
    api: ApiClient, outbox_dir: Path
) -> None:
    root = register(api, "root")
    token = register(api, "max")
    user_id = api.get("/api/auth/me", headers=bearer(token)).json["id"]
    old_token = mailed_token(outbox_dir, "max@example.com")
    changed = api.put(
        f"/api/v1/user/{user_id:024x}", headers=bearer(root), json={"email": "max2@example.com"}
    )
    assert changed.status == 200, changed.body
    assert changed.json["email"] == "max2@example.com"
    assert api.get("/api/v1/verify", query={"token": old_token}).status == 404
    assert api.get(f"/api/v1/user/{user_id:024x}", headers=bearer(token)).json["is_verified"] == 0


def test_an_organizations_admin_neither_edits_shared_positions_nor_sees_another_organizations(
    api: ApiClient,
) -> None:
    root = register(api, "root")
    acme, globex = organization(api, root, "Acme"), organization(api, root, "Globex")
    create_in_organization(api, root, "ada", acme, role="admin")
    department = api.post(
        "/api/departments", headers=bearer(root), json={"name": "R&D", "organization_id": globex}
    )
    secret = api.post(
        "/api/positions",
        headers=bearer(root),
        json={"name": "Covert", "department_id": department.json["data"]["department"]["id"]},
    )
    assert secret.status == 201, secret.body
    admin = sign_in(api, "ada@example.com")

    assert api.put("/api/v1/position/1000", headers=bearer(admin), json={"name": "pwned"}).status == 403
    assert api.delete("/api/v1/position/1000", headers=bearer(admin)).status == 403
    names = {p["name"] for p in api.get("/api/v1/position", headers=bearer(admin)).json}
    assert "teacher" in names
    assert "Covert" not in names
    assert "Covert" in {p["name"] for p in api.get("/api/v1/position", headers=bearer(root)).json}


def test_an_admin_changes_only_demands_of_people_they_manage(api: ApiClient) -> None:
    root = register(api, "root")
    acme, globex = organization(api, root, "Acme"), organization(api, root, "Globex")
    create_in_organization(api, root, "ada", acme, role="admin")
    create_in_organization(api, root, "cole", acme)
    create_in_organization(api, root, "otto", globex)
    demands = {}
    for name in ("cole", "otto"):
        token = sign_in(api, f"{name}@example.com")
        me = api.get("/api/auth/me", headers=bearer(token)).json["id"]
        created = api.post(
            "/api/v1/demand",
            headers=bearer(token),
            json={"name": f"{name}'s", "description": "d", "responsible_id": me},
        )
        assert created.status == 201, created.body
        demands[name] = created.json["_id"]
    admin = sign_in(api, "ada@example.com")
    assert (
        api.patch(f"/api/v1/demand/{demands['cole']}", headers=bearer(admin), json={"name": "ok"}).status
        == 200
    )
    assert api.delete(f"/api/v1/demand/{demands['otto']}", headers=bearer(admin)).status == 403
    assert api.delete(f"/api/v1/demand/{demands['otto']}", headers=bearer(root)).status == 200
