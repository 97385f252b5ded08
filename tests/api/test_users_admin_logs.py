"""Surface D: /api/v1/logs/list/filtered — the audit log of every surface, filtered, sorted, paged."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest

from gatehouse.clock import iso, now
from gatehouse.data import audit as audit_store
from gatehouse_local.testing import ApiClient, CallCounter
from tests.api.users_admin_support import PASSWORD, Cast, Person, cast, group, person
from tests.seeding import SeedOnce

LOGS = "/api/v1/logs/list/filtered"
EVENT_FIELDS = [
    "id", "action", "outcome", "user", "group", "device", "target", "ip", "user_agent", "details",
    "create_at", "timestamp",
]  # fmt: skip


@pytest.fixture
def people(seeded_once: SeedOnce[Cast]) -> Cast:
    return seeded_once(cast)


def logs(api: ApiClient, reader: Person, **query: Any) -> dict[str, Any]:
    response = api.get(LOGS, headers=reader.auth, query=query)
    assert response.status == 200, response.body
    body: dict[str, Any] = response.json
    return body


def planted(at: str, action: str = "test.event", **attributes: Any) -> None:
    audit_store.put(audit_store.new_event(uuid.uuid4().hex, at, action=action, **attributes))


def test_b_sign_ins_and_sign_outs_appear_in_the_log(people: Cast, api: ApiClient) -> None:
    api.post("/api/auth/login", json={"email": people.user.email, "password": "wrong-password"})
    api.post("/api/auth/logout", headers={**people.user.auth, "X-Device-Id": "phone-7"})
    answer = logs(api, people.admin, by_user=people.user.id)
    assert answer["status"] == "ok"
    actions = [(event["action"], event["outcome"]) for event in answer["logs"]]
    assert actions[0] == ("auth.logout", "success")
    assert ("auth.login", "success") in actions
    failures = [e for e in logs(api, people.admin)["logs"] if e["outcome"] == "failure"]
    assert failures[0]["action"] == "auth.login"
    latest = answer["logs"][0]
    assert list(latest) == EVENT_FIELDS
    assert (latest["user"], latest["group"], latest["device"]) == (
        people.user.id,
        people.user_group,
        "phone-7",
    )
    assert latest["ip"] == "203.0.113.10"
    assert latest["user_agent"] == "gatehouse-tests/1.0"
    assert latest["target"] == {"type": "user", "id": str(people.user.id)}


def test_d_actions_are_recorded_without_secrets(people: Cast, api: ApiClient) -> None:
    api.post(f"/api/v1/users/id/{people.user.id}/update", json={"last_name": "S"}, headers=people.admin.auth)
    api.post(
        f"/api/v1/users/id/{people.user.id}/update/role", json={"role": "admin"}, headers=people.super.auth
    )
    reset = api.get(f"/api/v1/users/id/{people.user.id}/reset_password", headers=people.super.auth).json
    api.get(f"/api/v1/users/id/{people.user.id}/remove", headers=people.super.auth)
    response = api.get(LOGS, headers=people.super.auth, query={"per_page": 100})
    actions = {event["action"] for event in response.json["logs"]}
    assert {
        "user.create", "user.update", "user.role", "user.password", "user.delete", "group.create", "auth.login",
    } <= actions  # fmt: skip
    for secret in (reset["new_password"], PASSWORD, people.user.token, "argon2"):
        assert secret not in response.body


def test_filters_by_user_group_and_device(people: Cast, api: ApiClient) -> None:
    api.get("/api/v1/users/current", headers=people.user.auth)
    api.post("/api/auth/logout", headers={**people.admin.auth, "X-Device-Id": "tablet-1"})
    by_group = logs(api, people.super, by_group=people.admin_group)["logs"]
    assert by_group
    assert {event["group"] for event in by_group} == {people.admin_group}
    by_device = logs(api, people.super, by_device="tablet-1")["logs"]
    assert [(e["action"], e["user"]) for e in by_device] == [("auth.logout", people.admin.id)]
    combined = logs(api, people.super, by_user=people.admin.id, by_device="tablet-1")["logs"]
    assert [e["action"] for e in combined] == ["auth.logout"]
    assert logs(api, people.super, by_user=people.user.id, by_device="tablet-1")["logs"] == []
    both = logs(api, people.super, by_group=people.admin_group, by_device="tablet-1")["logs"]
    assert [e["action"] for e in both] == ["auth.logout"]


def test_sort_order_and_time_range(people: Cast, api: ApiClient) -> None:
    planted("2024-03-05T10:00:00.000000Z", "old.march", actor_id=people.user.id)
    planted("2024-04-05T10:00:00.000000Z", "old.april", actor_id=people.user.id)
    newest = logs(api, people.super, by_user=people.user.id)["logs"]
    oldest = logs(api, people.super, by_user=people.user.id, sort="asc")["logs"]
    assert [e["timestamp"] for e in newest] == sorted((e["timestamp"] for e in newest), reverse=True)
    assert oldest == newest[::-1]
    march = logs(api, people.super, by_user=people.user.id, **{"from": "2024-03-01", "to": "2024-03-31"})
    assert [e["action"] for e in march["logs"]] == ["old.march"]
    minute = logs(
        api, people.super, by_user=people.user.id, date_from="2024-04-05 10:00", date_to="2024-04-05 10:00"
    )
    assert [e["action"] for e in minute["logs"]] == ["old.april"]
    assert minute["logs"][0]["create_at"] == "2024-04-05 10:00"
    unfiltered = logs(api, people.super, **{"from": "2024-03-01", "to": "2024-04-30"}, sort="asc")
    assert [e["action"] for e in unfiltered["logs"]] == ["old.march", "old.april"]


def test_pages_follow_the_cursor_across_months(people: Cast, api: ApiClient) -> None:
    for month in range(1, 7):
        for day in (1, 2):
            planted(f"2024-{month:02d}-{day:02d}T08:00:00.000000Z", f"m{month}.d{day}")
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        query: dict[str, Any] = {"from": "2024-01-01", "to": "2024-06-30", "per_page": 5}
        if cursor:
            query["cursor"] = cursor
        page = logs(api, people.super, **query)
        assert len(page["logs"]) <= 5
        seen += [e["action"] for e in page["logs"]]
        cursor = page["next_cursor"]
        pages += 1
        if cursor is None:
            break
    assert pages >= 3
    expected = [f"m{m}.d{d}" for m in range(6, 0, -1) for d in (2, 1)]
    assert seen == expected


def test_the_default_range_reaches_back_a_year_for_the_whole_log(people: Cast, api: ApiClient) -> None:
    planted("2001-01-01T00:00:00.000000Z", "ancient")
    actions = [e["action"] for e in logs(api, people.super, per_page=100)["logs"]]
    assert "ancient" not in actions
    assert "user.create" in actions
    assert (
        logs(api, people.super, **{"from": "2001-01-01", "to": "2001-01-31"})["logs"][0]["action"]
        == "ancient"
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"by_user": "abc"}, "by_user"),
        ({"per_page": 0}, "per_page"),
        ({"per_page": 101}, "per_page"),
        ({"sort": "sideways"}, "sort"),
        ({"from": "yesterday"}, "from"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"to": "2020-01-01", "from": "2021-01-01"}, "to"),
    ],
)
def test_bad_filters_are_field_errors(
    people: Cast, api: ApiClient, query: dict[str, Any], field: str
) -> None:
    response = api.get(LOGS, headers=people.super.auth, query=query)
    assert response.status == 422
    assert (response.json["status"], response.json["field"]) == ("error", field)


def test_a_cursor_from_another_filter_is_refused(people: Cast, api: ApiClient) -> None:
    for n in range(3):
        api.get("/api/v1/users/current", headers={**people.user.auth, "X-Device-Id": f"d{n}"})
    planted(iso(now()), "x1", actor_id=people.user.id)
    planted(iso(now()), "x2", actor_id=people.user.id)
    first = logs(api, people.super, by_user=people.user.id, per_page=1)
    assert first["next_cursor"]
    moved = api.get(
        LOGS, headers=people.super.auth, query={"by_user": people.admin.id, "cursor": first["next_cursor"]}
    )
    assert (moved.status, moved.json["field"]) == (422, "cursor")


def test_only_admins_with_the_permission_and_the_super_read_the_log(people: Cast, api: ApiClient) -> None:
    assert logs(api, people.admin)["logs"]
    denied = {"status": "error", "message": "Permissions error"}
    response = api.get(LOGS, headers=people.user.auth)
    assert (response.status, response.json) == (403, denied)
    readers = group(api, people.super, "Log readers", 5, ["logs.read"])
    reader = person(api, people.super, "reader", group_id=readers)  # a plain user: logs.read needs admin
    assert api.get(LOGS, headers=reader.auth).status == 403
    assert api.get(LOGS).status == 401


def _only_audit_events(*stamps: str) -> None:
    """Clear the audit log, then plant one event at each of `stamps`: a sparse table."""
    for event in list(audit_store.AuditEventItem.scan()):
        event.delete()
    for at in stamps:
        planted(at, "sparse.event")


# Besides the shards' Queries, D's log reads the signed-in reader (one BatchGetItem): nothing else.
OTHER_CALLS = 1


def _counted_logs(api: ApiClient, reader: Person, **query: Any) -> tuple[dict[str, Any], Counter[str]]:
    logs(api, reader, per_page=1)  # warm: per-process caches and activity writes out of the way
    counter = CallCounter()
    with counter.installed():
        body = logs(api, reader, **query)
    return body, counter.operations


def test_the_whole_log_on_a_sparse_table_is_one_query_per_shard(people: Cast, api: ApiClient) -> None:
    six_months_ago = iso(now() - timedelta(days=183))
    _only_audit_events(six_months_ago)
    body, operations = _counted_logs(api, people.super)
    assert [event["action"] for event in body["logs"]] == ["sparse.event"]
    assert body["next_cursor"] is None
    assert operations["Query"] == audit_store.AUDIT_SHARDS  # no walk back month by month
    assert sum(operations.values()) == audit_store.AUDIT_SHARDS + OTHER_CALLS
    assert operations["Scan"] == 0
    assert operations["BatchGetItem"] == OTHER_CALLS


def test_the_whole_log_on_an_empty_table_is_one_query_per_shard(people: Cast, api: ApiClient) -> None:
    _only_audit_events()
    body, operations = _counted_logs(api, people.super, sort="asc")
    assert body["logs"] == []
    assert body["next_cursor"] is None
    assert operations["Query"] == audit_store.AUDIT_SHARDS
    assert sum(operations.values()) == audit_store.AUDIT_SHARDS + OTHER_CALLS
    assert operations["Scan"] == 0
    assert operations["BatchGetItem"] == OTHER_CALLS
