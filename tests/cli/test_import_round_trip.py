"""Every source's sample export round-trips: import → sign-in on every surface with the old
password (the legacy hash is upgraded to argon2id) → export without secrets, or with hashes."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from gatehouse_local.testing import ApiClient, bearer
from tests.cli.support import EXAMPLES, gatehouse, stored, stored_user

pytestmark = [pytest.mark.usefixtures("unthrottled"), pytest.mark.heavy]


@dataclass(frozen=True)
class Sample:
    source: str
    files: list[Path]
    email: str
    login: str | None
    password: str
    user_id: int | None  # the original integer id kept (A's users keep their `_id`s on A instead)


def _files(name: str, *tables: str) -> list[Path]:
    return [EXAMPLES / name / table for table in tables]


SAMPLES = [
    Sample("A", _files("a", "users.json", "roles.json", "user_roles.json"), "anna@school.example", None, "anna-secret-1", None),
    Sample("B", _files("b", "users.csv"), "li.wei@clinic.example", "li_wei", "li-wei-pass-1", 1),
    Sample("B", _files("b", "users.sql"), "zhang.min@clinic.example", "zhang_min", "zhang-min-pass-1", 2),
    Sample(
        "C",
        _files("c", "organizations.csv", "departments.csv", "positions.csv", "roles.csv", "users.csv",
               "user_organization.csv", "user_position.csv"),
        "daniyar@acme.example", None, "daniyar-pass-1", 12,
    ),
    Sample("D", _files("d", "users.json"), "olga@admin.example", "olga_k", "olga-pass-12", 21),
    Sample(
        "E",
        _files("e", "users.csv", "roles.csv", "users_roles.csv", "resources.csv", "roles_resources.csv",
               "users_resources.csv"),
        "egor@goncord.example", "egor", "egor-pass-1", 31,
    ),
]  # fmt: skip


def _sign_ins(api: ApiClient, identifier: str, password: str) -> dict[str, str | None]:
    """A token from each surface's sign-in (None when refused)."""
    tokens: dict[str, str | None] = {}
    a = api.post("/api/v1/login", json={"email": identifier, "password": password})
    tokens["A"] = a.json["data"]["token"] if a.status == 200 else None
    b = api.post("/api/auth/login", json={"email": identifier, "password": password})
    tokens["B"] = b.json["access_token"] if b.status == 200 else None
    c = api.post("/api/login", json={"email": identifier, "password": password, "device_name": "cli-test"})
    tokens["C"] = c.json["data"]["token"] if c.status == 200 else None
    field = "email" if "@" in identifier else "login"
    e = api.post("/api/v0/tokens", json={field: identifier, "password": password})
    tokens["E"] = e.json["jwt"] if e.status == 201 else None
    return tokens


@pytest.mark.parametrize("sample", SAMPLES, ids=[f"{s.source}-{s.files[0].name}" for s in SAMPLES])
def test_an_imported_user_signs_in_everywhere_with_the_old_password_and_exports_without_secrets(
    api: ApiClient, tmp_path: Path, sample: Sample
) -> None:
    result = gatehouse(
        "import", sample.source, *map(str, sample.files), "--report", str(tmp_path / "report.csv")
    )
    assert result.exit_code == 0, result.output

    stored = stored_user(sample.email)
    assert stored is not None
    if sample.user_id is not None:
        assert stored.id == sample.user_id
    assert stored.password_hash.startswith("$2")  # kept as it was until the first sign-in

    identifiers = [sample.email] + ([sample.login] if sample.login else [])
    for identifier in identifiers:
        tokens = _sign_ins(api, identifier, sample.password)
        assert all(tokens.values()), (identifier, tokens)
    assert _sign_ins(api, sample.email, "not-the-password")["B"] is None
    # D has no sign-in of its own: any surface's token authenticates there.
    current = api.get("/api/v1/users/current", headers=bearer(str(tokens["B"])))
    assert current.status == 200
    assert current.json["user"]["contacts"]["email"] == sample.email

    upgraded = stored_user(sample.email)
    assert upgraded is not None
    assert upgraded.password_hash.startswith("$argon2id$")

    exported = gatehouse("export", "--output", str(tmp_path / "users.jsonl"))
    assert exported.exit_code == 0, exported.output
    records = [json.loads(line) for line in (tmp_path / "users.jsonl").read_text().splitlines()]
    mine = next(record for record in records if record["email"] == sample.email)
    assert mine["id"] == stored.id
    assert "password_hash" not in mine
    assert not any(
        "argon2" in line or "$2y$" in line for line in (tmp_path / "users.jsonl").read_text().splitlines()
    )

    with_hashes = gatehouse("export", "--with-hashes", "--output", str(tmp_path / "out.jsonl"))
    assert with_hashes.exit_code == 0
    records = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert next(r for r in records if r["email"] == sample.email)["password_hash"].startswith("$argon2id$")


def test_surface_data_comes_along_ids_groups_memberships_apps_and_profiles(
    api: ApiClient, tmp_path: Path
) -> None:
    # A last: its users get new ids (A shows integer ids as hex), so B..E keep theirs.
    for sample in [*SAMPLES[1:], SAMPLES[0]]:
        result = gatehouse(
            "import", sample.source, *map(str, sample.files), "--report", str(tmp_path / "r.csv")
        )
        assert result.exit_code == 0, result.output
    token = _sign_ins(api, "egor", "egor-pass-1")["E"]
    assert token is not None

    # E: roles, payloads and the app whose token is kept (only as a hash).
    egor = api.get("/api/v0/tokens/validate", headers=bearer(token))
    assert egor.status == 200
    assert egor.json["apps"] == {"https://hr.goncord.example": {"badge": "E-31", "desk": "4F"}}
    assert sorted(role["name"] for role in egor.json["roles"]) == ["hr", "staff"]
    menu = api.get("/api/v0/menu", headers=bearer(token))
    assert [item["url"] for item in menu.json] == ["https://hr.goncord.example"]
    # The original app token still identifies the app (x-app-token), though only its hash is stored.
    by_app = api.patch(
        "/api/v0/resource/self_update",
        json={"badge": "E-31b"},
        headers={**bearer(token), "x-app-token": "8f14e45f-ceea-4e7a-9b5c-3f1a2b3c4d5e"},
    )
    assert by_app.status == 200
    assert by_app.json["apps"] == {"https://hr.goncord.example": {"badge": "E-31b"}}

    # C: the organization, department and position keep their ids and count their users.
    daniyar = _sign_ins(api, "daniyar@acme.example", "daniyar-pass-1")["C"]
    me = api.get("/api/users/12", headers=bearer(str(daniyar)))
    assert me.status == 200
    user = me.json["data"]["user"]
    assert (user["organization_id"], user["department_id"], user["position_id"]) == (3, 5, 8)
    assert user["name"] == "Daniyar Ospanov"
    organizations = api.get("/api/organizations", headers=bearer(str(daniyar)))
    assert organizations.status == 200
    acme = next(item for item in organizations.json["data"]["organizations"] if item["id"] == 3)
    assert (acme["name"], acme["users_count"], acme["departments_count"]) == ("Acme Logistics", 2, 1)

    # D: the group with its permissions, the nickname and contacts.
    olga = _sign_ins(api, "olga_k", "olga-pass-12")["B"]
    current = api.get("/api/v1/users/current", headers=bearer(str(olga)))
    assert current.json["user"]["id"] == 21
    assert current.json["user"]["nickname"] == "olga_k"
    assert current.json["user"]["contacts"]["telegram"] == "@olgak"
    assert current.json["user"]["role"] == "admin"
    # Her imported group's permissions replace an admin's defaults: logs yes, groups no.
    assert api.get("/api/v1/logs/list/filtered", headers=bearer(str(olga))).status == 200
    assert api.get("/api/v1/groups/2", headers=bearer(str(olga))).status == 403
    from gatehouse.data import groups

    support = groups.get(2)
    assert support is not None
    assert (support.name, support.level, [str(p) for p in support.permissions]) == (
        "Support",
        10,
        ["users.read", "logs.read"],
    )

    # B: the profile columns on /me.
    li = _sign_ins(api, "li_wei", "li-wei-pass-1")["B"]
    me_b = api.get("/api/auth/me", headers=bearer(str(li)))
    assert me_b.json["id"] == 1
    assert (me_b.json["wechat"], me_b.json["school"], me_b.json["clinic"]) == ("wx_liwei", "PKU", 7)

    # Counters moved past the highest imported ids: a new sign-up gets a fresh id.
    registered = api.post(
        "/api/auth/register",
        json={
            "username": "newcomer",
            "password": "newcomer-1",
            "email": "new@example.com",
            "sex": 0,
            "age": 30,
        },
    )
    assert registered.status == 200
    assert stored("anna@school.example").id > 31
    assert stored("new@example.com").id > stored("boris@school.example").id


def test_a_user_meta_and_demands_keep_their_ids_and_follow_their_users(
    api: ApiClient, tmp_path: Path
) -> None:
    files = _files("a", "users.json", "roles.json", "user_roles.json", "user_meta.json", "demands.json")
    result = gatehouse("import", "A", *map(str, files), "--report", str(tmp_path / "report.csv"))
    assert result.exit_code == 0, result.output
    anna, boris = stored("anna@school.example"), stored("boris@school.example")
    token = _sign_ins(api, "anna@school.example", "anna-secret-1")["A"]
    headers = bearer(str(token))
    meta = api.get("/api/v1/user_meta/5f1a2b3c4d5e6f7081930001", headers=headers)
    assert meta.status == 200, meta.body
    # Anna keeps her MongoDB `_id` on A: her metas name her by it.
    assert meta.json["user__id"] == "5f1a2b3c4d5e6f7081920a1b"
    assert anna.a_object_id == "5f1a2b3c4d5e6f7081920a1b"
    assert (meta.json["key"], meta.json["value"]) == ("class", "3B")
    demand = api.get("/api/v1/demand/5f1a2b3c4d5e6f7081940001", headers=headers)
    assert demand.status == 200, demand.body
    assert (demand.json["author_id"], demand.json["responsible_id"]) == (boris.id, anna.id)
    again = gatehouse("import", "A", *map(str, files), "--report", str(tmp_path / "again.csv"))
    assert again.exit_code == 0
    with (tmp_path / "again.csv").open() as report:
        assert {row["outcome"] for row in csv.DictReader(report)} == {"skipped"}


def test_a_records_of_users_not_imported_are_rejected(api: ApiClient, tmp_path: Path) -> None:
    files = _files("a", "user_meta.json", "demands.json")
    users = tmp_path / "users.json"
    users.write_text("")
    result = gatehouse("import", "A", str(users), *map(str, files), "--report", str(tmp_path / "report.csv"))
    assert result.exit_code == 2  # no users at all: nothing to attach them to
    lone = (EXAMPLES / "a" / "users.json").read_text().splitlines()[0] + "\n"
    users.write_text(lone)
    result = gatehouse("import", "A", str(users), *map(str, files), "--report", str(tmp_path / "report.csv"))
    assert result.exit_code == 0, result.output
    report = (tmp_path / "report.csv").read_text()
    assert "unknown user 5f1a2b3c4d5e6f7081920a1c" in report
    assert api.get("/api/v1/demand/5f1a2b3c4d5e6f7081940001").status in (401, 404)
