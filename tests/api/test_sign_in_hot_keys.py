"""A sign-in (and recorded activity) writes only the user's SEEN item, which is in no index; the
user item and its four all-projected index entries stay put, and every surface still shows the
timestamps where it did."""

from __future__ import annotations

from typing import Any

from gatehouse.data import users
from gatehouse.data.models import UserItem, user_key, user_seen_key
from gatehouse_local.environment import LOCAL_TABLE_NAME
from gatehouse_local.testing import ApiClient, AwsCallRecorder, bearer

PASSWORD = "correct-horse-1"
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}


def register(api: ApiClient, name: str) -> None:
    body = {"username": name, "password": PASSWORD, "email": f"{name}@example.com", "sex": 0, "age": 30}
    assert api.post("/api/auth/register", json=body).status == 200


def written_keys(recorder: AwsCallRecorder) -> list[tuple[str, str]]:
    """(PK, SK) of every item the recorded calls wrote."""
    keys: list[tuple[str, str]] = []
    for call in recorder.calls:
        if call.service != "dynamodb" or call.operation not in WRITES:
            continue
        params: Any = call.params
        if call.operation == "PutItem":
            keys.append((params["Item"]["PK"]["S"], params["Item"]["SK"]["S"]))
        elif call.operation in ("UpdateItem", "DeleteItem"):
            keys.append((params["Key"]["PK"]["S"], params["Key"]["SK"]["S"]))
        elif call.operation == "TransactWriteItems":
            for entry in params["TransactItems"]:
                for kind in ("Put", "Update", "Delete"):
                    if kind in entry:
                        key = entry[kind].get("Key") or entry[kind]["Item"]
                        keys.append((key["PK"]["S"], key["SK"]["S"]))
        else:
            for requests in params["RequestItems"].values():
                for request in requests:
                    key = request.get("PutRequest", {}).get("Item") or request["DeleteRequest"]["Key"]
                    keys.append((key["PK"]["S"], key["SK"]["S"]))
    return keys


def stored_profile(embedded_aws: Any, user_id: int) -> dict[str, Any]:
    pk, sk = user_key(user_id)
    item: dict[str, Any] = embedded_aws.client("dynamodb").get_item(
        TableName=LOCAL_TABLE_NAME, Key={"PK": {"S": pk}, "SK": {"S": sk}}
    )["Item"]
    return item


def test_sign_in_on_every_surface_writes_the_seen_item_never_the_indexed_user_item(
    api: ApiClient, embedded_aws: Any
) -> None:
    register(api, "first")  # the super
    register(api, "walker")
    user = users.find_by("email", "walker@example.com")
    assert user is not None
    assert user.last_login_at is None
    profile_before = stored_profile(embedded_aws, user.id)
    sign_ins = [
        ("/api/v1/login", {"email": "walker@example.com", "password": PASSWORD}),
        ("/api/auth/login", {"email": "walker@example.com", "password": PASSWORD}),
        ("/api/login", {"email": "walker@example.com", "password": PASSWORD, "device_name": "x"}),
        ("/api/v0/tokens", {"email": "walker@example.com", "password": PASSWORD}),
    ]
    for path, body in sign_ins:
        recorder = AwsCallRecorder()
        with recorder.installed():
            assert api.post(path, json=body).status in (200, 201), path
        written = written_keys(recorder)
        assert user_key(user.id) not in written, path
        assert user_seen_key(user.id) in written, path
    assert stored_profile(embedded_aws, user.id) == profile_before  # no attribute, no index entry moved
    stored = users.get(user.id)
    assert stored is not None
    assert stored.last_login_at is not None


def test_activity_is_recorded_on_the_seen_item_and_shown_by_d(api: ApiClient, embedded_aws: Any) -> None:
    register(api, "first")
    register(api, "walker")
    token = api.post("/api/auth/login", json={"email": "walker@example.com", "password": PASSWORD}).json[
        "access_token"
    ]
    user = users.find_by("email", "walker@example.com")
    assert user is not None
    recorder = AwsCallRecorder()
    with recorder.installed():
        current = api.get("/api/v1/users/current", headers=bearer(token))
    assert current.status == 200
    assert user_key(user.id) not in written_keys(recorder)
    assert "last_activity_at" not in stored_profile(embedded_aws, user.id)
    stored = users.get(user.id)
    assert stored is not None
    assert stored.last_activity_at is not None
    # The next request sees the activity (read with the session) and does not write again.
    recorder = AwsCallRecorder()
    with recorder.installed():
        again = api.get("/api/v1/users/current", headers=bearer(token))
    assert again.json["user"]["last_activity"] == current.json["user"]["last_activity"]
    assert user_seen_key(user.id) not in written_keys(recorder)


def test_c_shows_last_login_at_from_the_seen_item_in_its_sign_in_detail_and_list(api: ApiClient) -> None:
    register(api, "first")
    signed_in = api.post(
        "/api/login", json={"email": "first@example.com", "password": PASSWORD, "device_name": "x"}
    )
    shown = signed_in.json["data"]["user"]["last_login_at"]
    assert shown is not None
    headers = bearer(signed_in.json["data"]["token"])
    stored = users.find_by("email", "first@example.com")
    assert stored is not None
    assert stored.last_login_at == shown
    detail = api.get(f"/api/users/{stored.id}", headers=headers).json["data"]
    assert detail["user"]["last_login_at"] == shown
    listed = api.get("/api/users", headers=headers).json["data"]["users"]
    assert [u["last_login_at"] for u in listed if u["id"] == stored.id] == [shown]


def test_a_timestamp_stored_on_the_user_item_before_the_move_is_still_shown(api: ApiClient) -> None:
    register(api, "first")
    user = users.find_by("email", "first@example.com")
    assert user is not None
    user.update(actions=[UserItem.stored_last_login_at.set("2024-01-02T03:04:05.000000Z")])
    again = users.get(user.id)
    assert again is not None
    assert again.last_login_at == "2024-01-02T03:04:05.000000Z"
    users.record_login(again, "2025-01-02T03:04:05.000000Z")  # the SEEN item wins once it has one
    latest = users.get(user.id)
    assert latest is not None
    assert latest.last_login_at == "2025-01-02T03:04:05.000000Z"
