"""Goncord's services without HTTP: app roles, payloads, app tokens, optimistic profile writes."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from gatehouse.contracts.goncord import NewApp, ProfileUpdate
from gatehouse.data import apps as app_store
from gatehouse.data import users
from gatehouse.data.models import UserItem
from gatehouse.errors import AppTokenUnknown, Conflict, NotFound, PermissionDenied, ValidationFailed
from gatehouse.services import accounts, caller, goncord, lockouts, users_admin_logs
from gatehouse.services import apps as app_service
from gatehouse.services.caller import ClientInfo


@pytest.fixture
def root(embedded_aws: Any) -> UserItem:
    return accounts.register(email="root@example.com", password="password-1", login="root")


@pytest.fixture
def member(root: UserItem) -> UserItem:
    return accounts.register(email="member@example.com", password="password-1", login="member")


def rules(error: ValidationFailed) -> list[tuple[str, str]]:
    return [(v.field, v.rule) for v in error.violations]


def test_role_names_accept_strings_and_name_objects_trimmed_and_distinct() -> None:
    assert app_service.role_names([" hr ", {"name": "staff"}, "hr", {"name": "staff "}]) == ["hr", "staff"]
    assert app_service.role_names([]) == []


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("hr", "type"),
        ([None], "type"),
        ([{"name": 3}], "type"),
        (["  "], "type"),
        (["a\x00b"], "type"),
        (["x" * 65], "max.item_length"),
        ([str(n) for n in range(51)], "max.count"),
    ],
)
def test_role_names_refuse_what_is_not_a_short_name(value: Any, rule: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        app_service.role_names(value)
    assert rules(refused.value) == [("roles", rule)]


def test_app_payloads_must_be_objects_of_bounded_size() -> None:
    assert goncord.app_payloads({"https://a": {"k": 1}, "https://b": None}) == {
        "https://a": {"k": 1},
        "https://b": None,
    }
    bad: Any
    for bad in (
        [],
        {"https://a": [1]},
        {" ": {}},
        {f"u{n}": {} for n in range(21)},
        {"u": {"k": "x" * 9000}},
    ):
        with pytest.raises(ValidationFailed):
            goncord.app_payloads(bad)


def test_roles_are_created_once_even_when_asked_for_concurrently(root: UserItem) -> None:
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda _: app_service.ensure_roles(["hr", "staff"]), range(6)))
    assert app_store.missing_roles(["hr", "staff", "finance"]) == ["finance"]


def test_only_a_super_user_creates_apps(root: UserItem, member: UserItem) -> None:
    with pytest.raises(PermissionDenied):
        app_service.create(member, NewApp.parse({"name": "X", "url": "https://x"}))
    app, token = app_service.create(root, NewApp.parse({"name": "X", "url": "https://x", "roles": ["hr"]}))
    assert app.token_hash == app_store.token_digest(token) != token
    assert app_store.missing_roles(["hr"]) == []


def test_an_app_token_authorizes_only_a_super_app(root: UserItem) -> None:
    _, plain = app_service.create(root, NewApp.parse({"name": "Plain", "url": "https://plain"}))
    _, privileged = app_service.create(
        root, NewApp.parse({"name": "Super", "url": "https://super", "is_super": True})
    )
    assert app_service.authorize_super_app(privileged).app_id == 2
    with pytest.raises(app_service.AppNotSuper):
        app_service.authorize_super_app(plain)
    for missing in (None, "", "unknown-token", "x" * 129):
        with pytest.raises(AppTokenUnknown):
            app_service.authorize_super_app(missing)


def test_unknown_app_tokens_lock_out_only_the_caller_who_guessed_them(
    root: UserItem, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lockouts._settings, "lockout_threshold", 2)
    with caller.bound(ClientInfo(ip="198.51.100.9")):
        for _ in range(2):
            with pytest.raises(AppTokenUnknown):
                app_service.authorize_super_app("guessed-token")
        with pytest.raises(lockouts.LockedOut):
            app_service.authorize_super_app("guessed-token")
    with caller.bound(ClientInfo(ip="198.51.100.10")), pytest.raises(AppTokenUnknown):
        app_service.authorize_super_app("guessed-token")


def test_an_apps_change_to_a_user_is_recorded_as_the_users_own_naming_the_app(
    root: UserItem, member: UserItem
) -> None:
    app, token = app_service.create(
        root, NewApp.parse({"name": "Super", "url": "https://super", "is_super": True})
    )
    calling_app = app_service.authorize_super_app(token)
    goncord.set_roles_by(calling_app, member, ["hr", "staff"])
    goncord.remove_roles_by(calling_app, member, ["hr"])
    recorded = users_admin_logs.search(
        root, users_admin_logs.LogQuery(by_user=member.id, newest_first=False)
    ).events
    assert [(e.action, e.target_id, e.details) for e in recorded if e.action == "user.update"] == [
        ("user.update", str(member.id), {"app_id": app.id, "fields": "app_roles"}),
        ("user.update", str(member.id), {"app_id": app.id, "fields": "app_roles"}),
    ]


def test_any_known_app_identifies_itself_by_its_token(root: UserItem) -> None:
    _, plain = app_service.create(root, NewApp.parse({"name": "Plain", "url": "https://plain"}))
    assert app_service.require_app(f" {plain} ").app_id == 1
    for missing in (None, "", "unknown-token"):
        with pytest.raises(NotFound):
            app_service.require_app(missing)


def test_profile_update_retries_when_payloads_changed_meanwhile(
    root: UserItem, member: UserItem, monkeypatch: pytest.MonkeyPatch
) -> None:
    app_service.create(root, NewApp.parse({"name": "A", "url": "https://a"}))
    app_service.create(root, NewApp.parse({"name": "B", "url": "https://b"}))
    stale = users.get(member.id)
    assert stale is not None
    goncord.update_profile(member, ProfileUpdate.parse({"apps": {"https://a": {"from": "first"}}}))
    updated, changed = goncord.update_profile(
        stale, ProfileUpdate.parse({"first_name": "Ann", "apps": {"https://b": {"from": "second"}}})
    )
    assert changed == ["app_data", "first_name"]
    assert updated.app_data == {"https://a": {"from": "first"}, "https://b": {"from": "second"}}
    stored = users.get(member.id)
    assert stored is not None
    assert stored.app_data == updated.app_data


def test_profile_update_gives_up_after_repeated_conflicts(
    root: UserItem, member: UserItem, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_store, "update_user_profile", lambda *args: False)
    with pytest.raises(Conflict):
        goncord.update_profile(member, ProfileUpdate.parse({"first_name": "Ann"}))


def test_profile_update_of_a_removed_user_is_not_found(root: UserItem, member: UserItem) -> None:
    accounts.remove(member)
    with pytest.raises(NotFound):
        goncord.update_profile(member, ProfileUpdate.parse({"first_name": "Ann"}))


def test_profile_update_skips_urls_that_are_no_apps(root: UserItem, member: UserItem) -> None:
    app_service.create(root, NewApp.parse({"name": "A", "url": "https://a"}))
    updated, changed = goncord.update_profile(
        member,
        ProfileUpdate.parse(
            {"first_name": "Ann", "apps": {"https://nowhere": {"x": 1}, "https://a": {"y": 2}}}
        ),
    )
    assert changed == ["app_data", "first_name"]
    stored = users.get(member.id)
    assert stored is not None
    assert stored.app_data == updated.app_data == {"https://a": {"y": 2}}


def test_menu_shows_apps_sharing_a_role_without_reading_apps_for_roleless_users(
    root: UserItem, member: UserItem, monkeypatch: pytest.MonkeyPatch
) -> None:
    app_service.create(root, NewApp.parse({"name": "HR", "url": "https://hr", "roles": ["hr"]}))
    app_service.create(root, NewApp.parse({"name": "Ops", "url": "https://ops", "roles": ["ops"]}))
    goncord.update_profile(member, ProfileUpdate.parse({"roles": ["ops"]}))
    assert [app.name for app in app_service.menu(member)] == ["Ops"]
    monkeypatch.setattr(app_store, "all_apps", lambda limit: pytest.fail("no read for a user without roles"))
    assert app_service.menu(root) == []


def test_rotation_of_a_deleted_app_is_not_found(root: UserItem) -> None:
    app, _ = app_service.create(root, NewApp.parse({"name": "X", "url": "https://x"}))
    app_store.delete(app)
    with pytest.raises(NotFound):
        app_service.rotate_token(root, app.id)
    with pytest.raises(app_store.AppGone):
        app_store.replace_token(app, "f" * 64, "2025-01-01T00:00:00.000000Z")


def test_role_removal_from_a_stale_read_keeps_roles_added_meanwhile(root: UserItem, member: UserItem) -> None:
    goncord.set_roles(member, ["a", "b"])
    stale = users.get(member.id)
    assert stale is not None
    goncord.set_roles(member, ["a", "b", "c"])
    updated, changed = goncord.remove_roles(stale, ["a"])
    assert changed == ["app_roles"]
    stored = users.get(member.id)
    assert stored is not None
    assert stored.app_roles == updated.app_roles == ["b", "c"]


def test_an_app_deleted_after_its_token_was_checked_cannot_set_its_payload(
    root: UserItem, member: UserItem
) -> None:
    app, token = app_service.create(root, NewApp.parse({"name": "X", "url": "https://x"}))
    caller = app_service.require_app(token)
    app_store.delete(app)
    with pytest.raises(NotFound):
        goncord.set_own_payload(member, caller, {"a": 1})
