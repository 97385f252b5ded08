"""A's imported users keep their MongoDB `_id`s on A: the views, the path ids, the `user__id`s and
the token's `sub` carry the original `_id`, found through the user's `a_id` claim (one GetItem);
natively created users keep the hex of their integer id, and an unknown id is A's 404."""

from __future__ import annotations

import csv
from pathlib import Path

import jwt
import pytest

from gatehouse_local.testing import ApiClient, bearer
from tests.cli.support import EXAMPLES, gatehouse, stored, stored_user, write

pytestmark = pytest.mark.usefixtures("unthrottled")

ANNA_ID = "5f1a2b3c4d5e6f7081920a1b"
FILES = [EXAMPLES / "a" / name for name in ("users.json", "roles.json", "user_roles.json")]


def _import(tmp_path: Path, *files: Path) -> None:
    result = gatehouse("import", "A", *map(str, files or FILES), "--report", str(tmp_path / "report.csv"))
    assert result.exit_code == 0, result.output


def _sign_in(api: ApiClient, email: str, password: str) -> str:
    answer = api.post("/api/v1/login", json={"email": email, "password": password})
    assert answer.status == 200, answer.body
    return str(answer.json["data"]["token"])


def test_an_imported_a_user_signs_in_on_a_with_its_original_id_as_subject(
    api: ApiClient, tmp_path: Path
) -> None:
    _import(tmp_path)
    token = _sign_in(api, "anna@school.example", "anna-secret-1")
    assert jwt.decode(token, options={"verify_signature": False})["sub"] == ANNA_ID
    # The token works: A reads the user it names, by that `_id`.
    me = api.get(f"/api/v1/user/{ANNA_ID}", headers=bearer(token))
    assert me.status == 200, me.body
    assert me.json["_id"] == ANNA_ID
    assert me.json["email"] == "anna@school.example"
    # The same user on B keeps its integer id (B's subject is decimal).
    anna = stored("anna@school.example")
    b = api.post("/api/auth/login", json={"email": "anna@school.example", "password": "anna-secret-1"})
    assert b.status == 200
    assert jwt.decode(b.json["access_token"], options={"verify_signature": False})["sub"] == str(anna.id)


def test_an_imported_a_user_is_read_and_changed_by_its_original_id(api: ApiClient, tmp_path: Path) -> None:
    _import(tmp_path)
    # Anna changes her own profile, named by her original `_id`.
    token = _sign_in(api, "anna@school.example", "anna-secret-1")
    changed = api.patch(f"/api/v1/user/{ANNA_ID}", json={"name": "Anya"}, headers=bearer(token))
    assert changed.status == 200, changed.body
    assert (changed.json["_id"], changed.json["name"]) == (ANNA_ID, "Anya")
    # Upper-case hex names the same user.
    again = api.get(f"/api/v1/user/{ANNA_ID.upper()}", headers=bearer(token))
    assert (again.status, again.json["name"]) == (200, "Anya")
    assert stored("anna@school.example").first_name == "Anya"


def test_an_unknown_24_hex_id_is_still_a_404(api: ApiClient, tmp_path: Path) -> None:
    _import(tmp_path)
    token = _sign_in(api, "anna@school.example", "anna-secret-1")
    for unknown in ("5f1a2b3c4d5e6f70819200ff", "0000000000000000000003e7"):
        missing = api.get(f"/api/v1/user/{unknown}", headers=bearer(token))
        assert missing.status == 404, (unknown, missing.body)
        assert missing.json == {"success": False, "error": {"code": 404, "message": "Not found"}}


def test_natively_created_users_keep_the_hex_of_their_integer_id(api: ApiClient, tmp_path: Path) -> None:
    _import(tmp_path)
    registered = api.post(
        "/api/v1/register",
        json={"email": "native@school.example", "password": "native-pass-1", "name": "Nat", "surname": "Ive"},
    )
    assert registered.status in (200, 201), registered.body
    native = stored("native@school.example")
    assert native.a_object_id is None
    token = _sign_in(api, "anna@school.example", "anna-secret-1")
    listed = api.get("/api/v1/user", query={"limit": "100"}, headers=bearer(token))
    assert listed.status == 200, listed.body
    ids = {user["email"]: user["_id"] for user in listed.json}
    assert ids["anna@school.example"] == ANNA_ID
    assert ids["native@school.example"] == f"{native.id:024x}"


def test_a_page_continues_after_a_kept_id(api: ApiClient, tmp_path: Path) -> None:
    _import(tmp_path)
    token = _sign_in(api, "anna@school.example", "anna-secret-1")
    everyone = api.get("/api/v1/user", query={"limit": "100"}, headers=bearer(token)).json
    position = [user["_id"] for user in everyone].index(ANNA_ID)
    after = api.get("/api/v1/user", query={"limit": "100", "after": ANNA_ID}, headers=bearer(token))
    assert after.status == 200, after.body
    assert [user["_id"] for user in after.json] == [user["_id"] for user in everyone[position + 1 :]]


def test_a_meta_created_for_an_imported_user_names_it_by_its_original_id(
    api: ApiClient, tmp_path: Path
) -> None:
    _import(tmp_path)
    token = _sign_in(api, "anna@school.example", "anna-secret-1")
    created = api.post(
        "/api/v1/user_meta",
        json={"user__id": ANNA_ID, "key": "club", "value": "chess"},
        headers=bearer(token),
    )
    assert created.status == 200, created.body
    assert created.json["user__id"] == ANNA_ID
    mine = api.get("/api/v1/user_meta", query={"user__id": ANNA_ID}, headers=bearer(token))
    assert [meta["key"] for meta in mine.json] == ["club"]


def test_an_id_imported_again_under_another_email_is_skipped(api: ApiClient, tmp_path: Path) -> None:
    _import(tmp_path)
    (tmp_path / "again").mkdir()
    clash = write(
        tmp_path / "again" / "users.json",
        f'{{"_id": {{"$oid": "{ANNA_ID}"}}, "email": "other@school.example", "name": "O",'
        ' "password": "$2y$10$nQ1IvyWtIzehtqm0JvSdAe3QmxBOdSmlE72WbM7fVIScpgkPSd5km"}\n',
    )
    result = gatehouse("import", "A", str(clash), "--report", str(tmp_path / "clash.csv"))
    assert result.exit_code == 0, result.output
    with (tmp_path / "clash.csv").open() as report:
        rows = list(csv.DictReader(report))
    assert [row["outcome"] for row in rows] == ["skipped"]
    assert stored_user("other@school.example") is None
    token = _sign_in(api, "anna@school.example", "anna-secret-1")
    assert api.get(f"/api/v1/user/{ANNA_ID}", headers=bearer(token)).json["email"] == "anna@school.example"


def test_an_a_row_merged_into_an_existing_user_gives_it_the_original_id(
    api: ApiClient, tmp_path: Path
) -> None:
    registered = api.post(
        "/api/v1/register",
        json={"email": "anna@school.example", "password": "anna-own-pass-1", "name": "Anna", "surname": "I"},
    )
    assert registered.status in (200, 201), registered.body
    _import(tmp_path)
    anna = stored("anna@school.example")
    assert anna.a_object_id == ANNA_ID
    # The existing user keeps its password (the first identity wins) and answers by the `_id`.
    token = _sign_in(api, "anna@school.example", "anna-own-pass-1")
    assert jwt.decode(token, options={"verify_signature": False})["sub"] == ANNA_ID
    assert api.get(f"/api/v1/user/{ANNA_ID}", headers=bearer(token)).json["_id"] == ANNA_ID


def test_a_batch_with_one_taken_login_still_imports_every_row(api: ApiClient, tmp_path: Path) -> None:
    """Rows go 20 to a transaction; one that fails (user7's login is taken, which only the
    transaction finds out) writes nothing, and its rows go one by one."""
    registered = api.post(
        "/api/auth/register",
        json={
            "username": "user7",
            "password": "own-pass-7",
            "email": "seven@else.example",
            "sex": 0,
            "age": 30,
        },
    )
    assert registered.status == 200, registered.body
    lines = [
        f'{{"_id": {{"$oid": "6{n:023x}"}}, "email": "user{n}@school.example", "name": "U{n}",'
        ' "password": "$2y$10$nQ1IvyWtIzehtqm0JvSdAe3QmxBOdSmlE72WbM7fVIScpgkPSd5km"}'
        for n in range(30)
    ]
    (tmp_path / "many").mkdir()
    users_file = write(tmp_path / "many" / "users.json", "\n".join(lines) + "\n")
    _import(tmp_path, users_file)
    with (tmp_path / "report.csv").open() as report:
        outcomes = {row["email"]: row["outcome"] for row in csv.DictReader(report)}
    assert set(outcomes.values()) == {"created"}
    assert len(outcomes) == 30
    assert stored("user7@school.example").login != "user7"
    assert stored("user8@school.example").login == "user8"
    for n in (0, 7, 29):
        assert stored(f"user{n}@school.example").a_object_id == f"6{n:023x}"
