"""Import rules: bad rows never stop the run or half-write a user; dry runs, re-runs and resumed
runs write nothing twice; merges, remapped ids and unknown hashes are reported."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from gatehouse_local.testing import ApiClient, bearer
from tests.api.documentarian_client import link_token
from tests.cli.support import EXAMPLES, gatehouse, stored, stored_user, write

pytestmark = pytest.mark.usefixtures("unthrottled")

BCRYPT_SECRET = "$2y$10$LE4h1ieBbHitWIya07pL8O.NegZtDouF8SuuO5GRsc/eQ/6mC/Cse"  # "secret-pass-1"
HEADER = "id,username,email,pwd,sex,age\n"


def _report(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _population() -> int:
    from gatehouse.data import users

    return users.population()


def _sign_in(api: ApiClient, identifier: str, password: str) -> int:
    return api.post("/api/auth/login", json={"email": identifier, "password": password}).status


def test_the_sample_bcrypt_hash_used_here_matches_its_password(api: ApiClient, tmp_path: Path) -> None:
    users_csv = write(tmp_path / "users.csv", HEADER + f"7,seven,seven@example.com,{BCRYPT_SECRET},0,20\n")
    assert gatehouse("import", "B", str(users_csv), "--report", str(tmp_path / "r.csv")).exit_code == 0
    assert _sign_in(api, "seven", "secret-pass-1") == 200


def test_bad_rows_are_reported_and_the_good_ones_imported(api: ApiClient, tmp_path: Path) -> None:
    users_csv = write(
        tmp_path / "users.csv",
        HEADER
        + f"1,good,good@example.com,{BCRYPT_SECRET},0,20\n"
        + f"2,noemail,,{BCRYPT_SECRET},0,20\n"
        + f"3,bademail,not-an-address,{BCRYPT_SECRET},0,20\n"
        + f"x,badid,badid@example.com,{BCRYPT_SECRET},0,20\n"
        + f"5,toomany,toomany@example.com,{BCRYPT_SECRET},0,20,extra\n"
        + f"6,badage,badage@example.com,{BCRYPT_SECRET},0,old\n",
    )
    result = gatehouse("import", "B", str(users_csv), "--report", str(tmp_path / "report.csv"))
    assert result.exit_code == 0, result.output
    report = {row["line"]: row for row in _report(tmp_path / "report.csv")}
    assert report["2"]["outcome"] == "created"
    reasons = {line: report[line]["notes"] for line in ("3", "4", "5", "6", "7")}
    assert reasons == {
        "3": "missing or invalid email",
        "4": "missing or invalid email",
        "5": "id is not an integer: 'x'",
        "6": "more values than columns",
        "7": "age is not an integer: 'old'",
    }
    assert all(report[line]["outcome"] == "rejected" for line in reasons)
    assert _population() == 1
    assert stored_user("badage@example.com") is None


def test_a_file_that_cannot_be_parsed_stops_before_anything_is_written(
    api: ApiClient, tmp_path: Path
) -> None:
    broken = write(tmp_path / "users.json", '{"users": [{"id": 1, "email": "a@example.com"')
    result = gatehouse("import", "D", str(broken))
    assert result.exit_code == 2
    assert "not JSON" in result.output
    assert "nothing was written" in result.output
    assert _population() == 0


def test_a_mongoexport_line_that_is_not_json_is_rejected_alone(api: ApiClient, tmp_path: Path) -> None:
    users_json = write(
        tmp_path / "users.json",
        (EXAMPLES / "a" / "users.json").read_text()
        + '{"_id": {"$oid": "5f1a2b3c4d5e6f7081920a1d"}, "email": \n',
    )
    result = gatehouse("import", "A", str(users_json), "--report", str(tmp_path / "report.csv"))
    assert result.exit_code == 0, result.output
    outcomes = [(row["line"], row["outcome"]) for row in _report(tmp_path / "report.csv")]
    assert outcomes == [("1", "created"), ("2", "created"), ("3", "rejected")]
    assert _population() == 2


def test_a_cp1251_file_is_refused_unless_its_encoding_is_named(api: ApiClient, tmp_path: Path) -> None:
    text = "id,login,hashed_password,email,first_name,last_name\n" + (
        f"40,ivan,{BCRYPT_SECRET},ivan@example.com,Иван,Петров\n"
    )
    users_csv = write(tmp_path / "users.csv", text, encoding="cp1251")
    refused = gatehouse("import", "E", str(users_csv))
    assert refused.exit_code == 2
    assert "not UTF-8" in refused.output
    assert "--encoding" in refused.output
    assert _population() == 0

    accepted = gatehouse(
        "import", "E", str(users_csv), "--encoding", "cp1251", "--report", str(tmp_path / "r.csv")
    )
    assert accepted.exit_code == 0, accepted.output
    ivan = stored_user("ivan")
    assert ivan is not None
    assert (ivan.first_name, ivan.last_name) == ("Иван", "Петров")


def test_duplicate_rows_in_a_file_are_rejected_after_the_first(api: ApiClient, tmp_path: Path) -> None:
    users_csv = write(
        tmp_path / "users.csv",
        HEADER
        + f"1,first,dup@example.com,{BCRYPT_SECRET},0,20\n"
        + f"1,again,again@example.com,{BCRYPT_SECRET},0,20\n"
        + f"2,second,DUP@example.com,{BCRYPT_SECRET},0,20\n",
    )
    result = gatehouse("import", "B", str(users_csv), "--report", str(tmp_path / "report.csv"))
    assert result.exit_code == 0
    report = {row["line"]: (row["outcome"], row["notes"]) for row in _report(tmp_path / "report.csv")}
    assert report == {
        "2": ("created", ""),
        "3": ("rejected", "duplicate of line 2"),
        "4": ("rejected", "same email as line 2"),
    }
    assert _population() == 1


@pytest.mark.parametrize(
    "stored",
    ["5f4dcc3b5aa765d61d8327deb882cf99", "pbkdf2_sha256$260000$salt$hash", "plain-text-password", ""],
)
def test_an_unknown_hash_scheme_imports_the_user_without_a_password_flagged_for_reset(
    api: ApiClient, tmp_path: Path, outbox_dir: Path, stored: str
) -> None:
    users_csv = write(tmp_path / "users.csv", HEADER + f"9,nine,nine@example.com,{stored},1,30\n")
    result = gatehouse("import", "B", str(users_csv), "--report", str(tmp_path / "report.csv"))
    assert result.exit_code == 0, result.output
    [row] = _report(tmp_path / "report.csv")
    assert row["outcome"] == "created"
    assert "unknown scheme" in row["notes"]
    assert "flagged for reset" in row["notes"]
    user = stored_user("nine")
    assert user is not None
    assert user.needs_password_reset is True
    # An argon2id hash of a random secret: nothing matches it, and checking it costs what any check does.
    assert user.password_hash.startswith("$argon2id$")
    assert stored not in user.password_hash or stored == ""
    exported = gatehouse("export", "--with-hashes")
    assert "password_hash" not in exported.stdout
    for attempt in (stored, "plain-text-password", ""):
        assert _sign_in(api, "nine@example.com", attempt) in (401, 422)
    shown = gatehouse("users", "show", "nine")
    assert json.loads(shown.stdout)["needs_password_reset"] is True
    assert "password_hash" not in shown.stdout

    mailed = gatehouse("users", "reset-password", "nine", "--base-url", "http://gatehouse.test")
    assert mailed.exit_code == 0, mailed.output
    api.deliver_queued_mail()
    token = link_token(outbox_dir, "nine@example.com", "/links/reset")
    reset = api.post(
        "/api/v1/reset",
        json={"token": token, "password": "brand-new-pass-1", "password_confirmation": "brand-new-pass-1"},
    )
    assert reset.status == 200, reset.body
    assert _sign_in(api, "nine", "brand-new-pass-1") == 200
    after = stored_user("nine")
    assert after is not None
    assert after.needs_password_reset is None


def test_a_dry_run_writes_nothing_and_says_what_would_happen(api: ApiClient, tmp_path: Path) -> None:
    files = [str(EXAMPLES / "c" / name) for name in ("organizations.csv", "departments.csv", "users.csv")]
    result = gatehouse("import", "C", *files, "--dry-run", "--report", str(tmp_path / "report.csv"))
    assert result.exit_code == 0, result.output
    assert "dry run" in result.output
    outcomes = sorted(row["outcome"] for row in _report(tmp_path / "report.csv"))
    assert outcomes == ["would create"] * 4
    assert _population() == 0
    assert stored_user("aigerim@acme.example") is None
    exported = gatehouse("export")
    assert exported.stdout == ""


def test_running_the_same_import_again_writes_nothing_new(api: ApiClient, tmp_path: Path) -> None:
    files = [str(path) for path in sorted((EXAMPLES / "e").glob("*.csv"))]
    first = gatehouse("import", "E", *files, "--report", str(tmp_path / "first.csv"))
    assert first.exit_code == 0
    second = gatehouse("import", "E", *files, "--report", str(tmp_path / "second.csv"))
    assert second.exit_code == 0
    assert {row["outcome"] for row in _report(tmp_path / "second.csv")} == {"skipped"}
    assert _population() == 2
    token = api.post("/api/v0/tokens", json={"login": "egor", "password": "egor-pass-1"}).json["jwt"]
    validated = api.get("/api/v0/tokens/validate", headers=bearer(token)).json
    assert sorted(role["name"] for role in validated["roles"]) == ["hr", "staff"]


def test_an_interrupted_import_resumes_where_it_stopped(api: ApiClient, tmp_path: Path) -> None:
    from gatehouse_cli import importer, sources

    rows = "".join(f"{n},user{n},user{n}@example.com,{BCRYPT_SECRET},0,20\n" for n in range(1, 13))
    users_csv = write(tmp_path / "users.csv", HEADER + rows)
    finished: list[int] = []

    def crash_after_the_third_chunk(size: int) -> None:
        finished.append(size)
        if len(finished) == 3:
            raise importer.ImportInterrupted()

    loaded = sources.load("B", [users_csv], None)
    summary = importer.run(loaded, workers=1, chunk_size=2, on_chunk=crash_after_the_third_chunk)
    assert summary.interrupted
    done_before = _population()
    assert 6 <= done_before < 12

    resumed = gatehouse("import", "B", str(users_csv), "--report", str(tmp_path / "report.csv"))
    assert resumed.exit_code == 0, resumed.output
    outcomes = [row["outcome"] for row in _report(tmp_path / "report.csv")]
    assert outcomes.count("skipped") == done_before
    assert outcomes.count("created") == 12 - done_before
    assert _population() == 12
    assert [stored(f"user{n}").id for n in range(1, 13)] == list(range(1, 13))


def test_the_same_email_in_a_second_source_merges_into_the_first_import(
    api: ApiClient, tmp_path: Path
) -> None:
    b_users = write(tmp_path / "users.csv", HEADER + f"1,egor_b,egor@goncord.example,{BCRYPT_SECRET},0,33\n")
    assert gatehouse("import", "B", str(b_users), "--report", str(tmp_path / "b.csv")).exit_code == 0
    e_files = [str(path) for path in sorted((EXAMPLES / "e").glob("*.csv"))]
    result = gatehouse("import", "E", *e_files, "--report", str(tmp_path / "e.csv"))
    assert result.exit_code == 0
    egor = next(row for row in _report(tmp_path / "e.csv") if row["email"] == "egor@goncord.example")
    assert egor["outcome"] == "merged"
    assert egor["gatehouse_id"] == "1"
    assert "same email as user 1" in egor["notes"]
    assert "kept login 'egor_b'" in egor["notes"]
    # The first import keeps the identity and the password; the second adds its own data.
    assert _sign_in(api, "egor@goncord.example", "secret-pass-1") == 200
    assert _sign_in(api, "egor@goncord.example", "egor-pass-1") == 401
    merged = stored_user("egor@goncord.example")
    assert merged is not None
    assert (merged.id, merged.login, merged.age, merged.first_name) == (1, "egor_b", 33, "Egor")
    assert sorted(merged.app_roles or []) == ["hr", "staff"]
    assert _population() == 2


def test_an_original_id_someone_else_has_gets_a_new_id_and_the_mapping_is_reported(
    api: ApiClient, tmp_path: Path
) -> None:
    registered = api.post(
        "/api/auth/register",
        json={
            "username": "early",
            "password": "early-bird-1",
            "email": "early@example.com",
            "sex": 0,
            "age": 20,
        },
    )
    assert registered.status == 200
    users_csv = write(
        tmp_path / "users.csv",
        HEADER + f"1,late,late@example.com,{BCRYPT_SECRET},0,20\n"
        f"2,early,other@example.com,{BCRYPT_SECRET},0,20\n",
    )
    assert gatehouse("import", "B", str(users_csv), "--report", str(tmp_path / "r.csv")).exit_code == 0
    report = {row["original_id"]: row for row in _report(tmp_path / "r.csv")}
    assert report["1"]["gatehouse_id"] == "3"
    assert "id 1 is taken" in report["1"]["notes"]
    assert report["2"]["gatehouse_id"] == "2"
    assert "login 'early' is taken" in report["2"]["notes"]
    assert _sign_in(api, "late@example.com", "secret-pass-1") == 200
    assert stored("early@example.com").id == 1


def test_nobody_becomes_super_by_import(api: ApiClient, tmp_path: Path) -> None:
    document = {"users": [{"id": 5, "email": "boss@example.com", "password": BCRYPT_SECRET, "role": "super"}]}
    users_json = write(tmp_path / "users.json", json.dumps(document))
    assert gatehouse("import", "D", str(users_json), "--report", str(tmp_path / "r.csv")).exit_code == 0
    [row] = _report(tmp_path / "r.csv")
    assert "imported as admin" in row["notes"]
    assert stored("boss@example.com").role == "admin"


def test_a_group_granting_a_permission_gatehouse_does_not_know_is_rejected(
    api: ApiClient, tmp_path: Path
) -> None:
    document = {
        "groups": [{"id": 3, "name": "Odd", "permissions": ["users.read", "coffee.make"]}],
        "users": [{"id": 6, "email": "odd@example.com", "password": BCRYPT_SECRET, "group_id": 3}],
    }
    users_json = write(tmp_path / "users.json", json.dumps(document))
    assert gatehouse("import", "D", str(users_json), "--report", str(tmp_path / "r.csv")).exit_code == 0
    group_row = next(row for row in _report(tmp_path / "r.csv") if row["kind"] == "group")
    assert group_row["outcome"] == "rejected"
    assert "unknown permissions coffee.make" in group_row["notes"]
    from gatehouse.data import groups

    assert groups.get(3) is None
