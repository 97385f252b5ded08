"""Surface D's services without HTTP: role rules, groups, the activity touch, log paging, userpics."""

from __future__ import annotations

import base64
import io
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from PIL import Image

from gatehouse.clock import iso, now
from gatehouse.contracts.users_admin import GroupChanges, NewGroup, NewUser, UserChanges
from gatehouse.data import users
from gatehouse.data.models import UserItem
from gatehouse.errors import NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from gatehouse.security.tokens import JWT_AUTH
from gatehouse.services import caller, groups, sessions, userpics, users_admin_logs, users_admin_users
from gatehouse.services.caller import ClientInfo
from gatehouse.services.mail import MailContext

EVERYTHING = list(groups.CATALOGUE)

D_MAIL = MailContext("d", "https://api.example.com")


def fields(nickname: str, **extra: Any) -> NewUser:
    return NewUser.parse(
        {"nickname": nickname, "email": f"{nickname}@example.com", "password": "secret-pass", **extra}
    )


@pytest.fixture
def root(embedded_aws: Any) -> UserItem:
    return users_admin_users.create_user(None, fields("root"))


def admin_in(root: UserItem, level: int, granted: list[str], nickname: str = "boss") -> UserItem:
    group = groups.create(root, NewGroup.parse({"name": f"g{level}", "level": level, "permissions": granted}))
    return users_admin_users.create_user(root, fields(nickname, role="admin", group_id=group.id))


def test_only_the_first_user_may_be_created_anonymously(root: UserItem) -> None:
    assert root.role == "super"
    with pytest.raises(NotAuthenticated):
        users_admin_users.create_user(None, fields("second"))
    assert users.find_by("login", "second") is None


def test_concurrent_anonymous_first_sign_ups_leave_exactly_one_user(embedded_aws: Any) -> None:
    def attempt(n: int) -> str:
        try:
            return users_admin_users.create_user(None, fields(f"racer{n}")).role
        except NotAuthenticated:
            return "refused"

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(attempt, range(6)))
    assert sorted(outcomes) == ["refused"] * 5 + ["super"]
    assert users.population() == 1


def test_admins_create_lower_roles_in_lower_groups_only(root: UserItem) -> None:
    admin = admin_in(root, 50, EVERYTHING)
    lower = groups.create(root, NewGroup.parse({"name": "low", "level": 10}))
    created = users_admin_users.create_user(admin, fields("u1", group_id=lower.id))
    assert (created.role, created.group_id) == ("user", lower.id)
    with pytest.raises(PermissionDenied):
        users_admin_users.create_user(admin, fields("u2", role="admin"))
    with pytest.raises(PermissionDenied):
        users_admin_users.create_user(admin, fields("u3", group_id=admin.group_id))
    with pytest.raises(PermissionDenied):
        users_admin_users.create_user(root, fields("u4", role="super"))


def test_permissions_take_effect_only_from_their_minimum_role(root: UserItem) -> None:
    staff = groups.create(
        root, NewGroup.parse({"name": "staff", "level": 5, "permissions": ["users.read", "users.remove"]})
    )
    member = users_admin_users.create_user(root, fields("member", group_id=staff.id))
    assert groups.has_permission(member, groups.USERS_READ)
    assert not groups.has_permission(member, groups.USERS_REMOVE)
    victim = users_admin_users.create_user(root, fields("victim"))
    with pytest.raises(PermissionDenied):
        users_admin_users.remove_user(member, victim.id)


def test_without_a_group_a_role_holds_its_defaults_and_a_group_replaces_them(root: UserItem) -> None:
    admin = users_admin_users.create_user(root, fields("boss", role="admin"))
    plain = users_admin_users.create_user(admin, fields("plain"))
    manager = users_admin_users.create_user(admin, fields("lead", role="manager"))
    assert groups.held_by(root) == EVERYTHING
    assert groups.held_by(admin) == sorted(groups.ROLE_DEFAULTS["admin"], key=EVERYTHING.index)
    assert groups.held_by(plain) == groups.held_by(manager) == []
    narrow = groups.create(root, NewGroup.parse({"name": "narrow", "level": 5, "permissions": ["logs.read"]}))
    narrowed, _ = users_admin_users.update_user(
        root, admin.id, UserChanges.parse({"group_id": narrow.id}), D_MAIL
    )
    assert groups.held_by(narrowed) == ["logs.read"]
    assert not groups.has_permission(narrowed, groups.USERS_CREATE)


def test_a_member_of_a_deleted_group_holds_nothing_until_moved(root: UserItem) -> None:
    narrow = groups.create(
        root, NewGroup.parse({"name": "narrow", "level": 5, "permissions": ["users.read"]})
    )
    admin = users_admin_users.create_user(root, fields("boss", role="admin", group_id=narrow.id))
    groups.delete(root, narrow)
    assert groups.group_of(admin) is None
    assert groups.held_by(admin) == []
    moved, _ = users_admin_users.update_user(root, admin.id, UserChanges.parse({"group_id": None}), D_MAIL)
    assert groups.held_by(moved) == sorted(groups.ROLE_DEFAULTS["admin"], key=EVERYTHING.index)


def test_users_read_reaches_the_callers_organization_or_everyone_without_one(root: UserItem) -> None:
    readers = groups.create(
        root, NewGroup.parse({"name": "readers", "level": 5, "permissions": ["users.read"]})
    )
    loose = users_admin_users.create_user(root, fields("loose", group_id=readers.id))
    bound = users_admin_users.create_user(root, fields("bound", group_id=readers.id))
    colleague = users_admin_users.create_user(root, fields("colleague"))
    outsider = users_admin_users.create_user(root, fields("outsider"))
    for user, organization_id in ((bound, 1), (colleague, 1), (outsider, 2)):
        users.update(user, organization_id=organization_id)
        user.organization_id = organization_id
    assert users_admin_users.read_user(loose, outsider.id).id == outsider.id
    assert users_admin_users.read_user(bound, colleague.id).id == colleague.id
    with pytest.raises(PermissionDenied):
        users_admin_users.read_user(bound, outsider.id)
    listed = {user.id for user in users_admin_users.list_users(bound, 100, None).users}
    assert colleague.id in listed
    assert outsider.id not in listed


def test_only_super_changes_roles_and_never_its_own(root: UserItem) -> None:
    admin = admin_in(root, 50, EVERYTHING)
    user = users_admin_users.create_user(root, fields("plain"))
    with pytest.raises(PermissionDenied):
        users_admin_users.change_role(admin, user.id, "admin")
    assert users_admin_users.change_role(root, user.id, "admin").role == "admin"
    with pytest.raises(PermissionDenied):
        users_admin_users.change_role(root, root.id, "user")
    with pytest.raises(NotFound):
        users_admin_users.change_role(root, 999, "user")


def test_password_resets_follow_the_role_ladder(root: UserItem) -> None:
    admin = admin_in(root, 50, EVERYTHING)
    other_admin = users_admin_users.create_user(root, fields("admin2", role="admin"))
    user = users_admin_users.create_user(root, fields("plain"))
    _, password = users_admin_users.reset_password(admin, user.id)
    assert len(password) == users_admin_users.GENERATED_PASSWORD_LENGTH
    for actor, target in [(admin, other_admin), (admin, root), (root, root), (user, admin)]:
        with pytest.raises(PermissionDenied):
            users_admin_users.reset_password(actor, target.id)
    users_admin_users.reset_password(root, other_admin.id)


def test_password_change_is_ones_own_checks_the_current_one_and_ends_the_other_sessions(
    root: UserItem,
) -> None:
    user = users_admin_users.create_user(root, fields("plain"))
    current = sessions.start(user, JWT_AUTH)
    other = sessions.start(user, JWT_AUTH)
    with pytest.raises(ValidationFailed) as caught:
        users_admin_users.change_password(user, user.id, "wrong", "new-secret", current.session)
    assert caught.value.violations[0].rule == "current_password"
    with pytest.raises(PermissionDenied):
        users_admin_users.change_password(root, user.id, "secret-pass", "new-secret", current.session)
    users_admin_users.change_password(user, user.id, "secret-pass", "new-secret", current.session)
    assert sessions.authenticate(current.token).user.id == user.id
    with pytest.raises(NotAuthenticated):
        sessions.authenticate(other.token)


def test_password_changes_are_recorded_with_the_bound_caller_refused_ones_with_the_reason(
    root: UserItem,
) -> None:
    user = users_admin_users.create_user(root, fields("plain"))
    current = sessions.start(user, JWT_AUTH)
    with caller.bound(ClientInfo(ip="198.51.100.7")):
        with pytest.raises(ValidationFailed):
            users_admin_users.change_password(user, user.id, "wrong", "new-secret", current.session)
        users_admin_users.change_password(user, user.id, "secret-pass", "new-secret", current.session)
    recorded = users_admin_logs.search(
        root, users_admin_logs.LogQuery(by_user=user.id, newest_first=False)
    ).events
    assert [(e.action, e.outcome, e.target_id, e.ip, e.details) for e in recorded] == [
        ("user.password", "failure", str(user.id), "198.51.100.7", {"reason": "ValidationFailed"}),
        ("user.password", "success", str(user.id), "198.51.100.7", None),
    ]


def test_a_group_move_is_recorded_apart_from_the_profile_fields(root: UserItem) -> None:
    staff = groups.create(root, NewGroup.parse({"name": "staff", "level": 5}))
    user = users_admin_users.create_user(root, fields("plain"))
    users_admin_users.update_user(
        root, user.id, UserChanges.parse({"first_name": "Ann", "group_id": staff.id}), D_MAIL
    )
    recorded = users_admin_logs.search(
        root, users_admin_logs.LogQuery(by_user=root.id, newest_first=False)
    ).events
    assert [(e.action, e.target_type, e.details) for e in recorded if e.target_id == str(user.id)] == [
        ("user.create", "user", {"role": "user", "group_id": None}),
        ("user.update", "user", {"fields": "first_name"}),
        ("user.group", "user", {"group_id": staff.id}),
    ]


def test_generated_passwords_mix_every_character_class() -> None:
    for _ in range(50):
        password = users_admin_users.generate_password()
        assert any(c.islower() for c in password)
        assert any(c.isupper() for c in password)
        assert any(c.isdigit() for c in password)
        assert any(not c.isalnum() for c in password)


def test_admins_cannot_escalate_through_groups(root: UserItem) -> None:
    admin = admin_in(root, 40, ["groups.manage", "users.read"])
    groups.create(admin, NewGroup.parse({"name": "lower", "level": 39, "permissions": ["users.read"]}))
    with pytest.raises(PermissionDenied):
        groups.create(admin, NewGroup.parse({"name": "peer", "level": 40}))
    with pytest.raises(PermissionDenied):
        groups.create(admin, NewGroup.parse({"name": "greedy", "level": 1, "permissions": ["logs.read"]}))
    own = groups.get(admin.group_id or 0)
    with pytest.raises(PermissionDenied):
        groups.update(admin, own, GroupChanges.parse({"level": 100}))


def test_activity_is_written_at_most_once_per_interval(root: UserItem) -> None:
    stored = users.get(root.id)
    assert stored is not None
    assert stored.last_activity_at is None
    sessions.note_activity(stored)
    first = users.get(root.id)
    assert first is not None
    assert first.last_activity_at is not None
    # Another request that still holds the stale copy does not write again.
    copy = users.get(root.id)
    assert copy is not None
    copy.last_activity_at = None
    sessions.note_activity(copy)
    again = users.get(root.id)
    assert again is not None
    assert again.last_activity_at == first.last_activity_at
    users.update(again, last_activity_at=iso(now() - timedelta(minutes=10)))
    old = users.get(root.id)
    assert old is not None
    before = old.last_activity_at or ""
    sessions.note_activity(old)
    fresh = users.get(root.id)
    assert fresh is not None
    assert (fresh.last_activity_at or "") > before


def test_a_failed_activity_touch_never_fails_the_request(
    root: UserItem, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("throttled")

    monkeypatch.setattr(users, "touch_activity", broken)
    sessions.note_activity(root)


def test_log_moments_become_iso_prefixes() -> None:
    assert users_admin_logs.moment_prefix("from", "2025-07-28") == "2025-07-28"
    assert users_admin_logs.moment_prefix("from", "2025-07-28 18:35") == "2025-07-28T18:35"
    assert users_admin_logs.moment_prefix("from", "2025-07-28T18:35:12Z") == "2025-07-28T18:35:12"
    with pytest.raises(ValidationFailed):
        users_admin_logs.moment_prefix("from", "28.07.2025")


def test_log_cursors_are_checked_not_trusted(root: UserItem) -> None:
    forged = base64.urlsafe_b64encode(b'{"p":"AUDIT#USER#1","k":{"PK":{"S":"x"}}}').decode()
    with pytest.raises(ValidationFailed):
        users_admin_logs.search(root, users_admin_logs.LogQuery(by_user=1, cursor=forged))


def png(size: tuple[int, int]) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", size).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def test_userpics_are_decoded_not_trusted() -> None:
    raw, extension, content_type = userpics.decode(f"data:image/png;base64,{png((512, 512))}")
    assert (extension, content_type) == ("png", "image/png")
    assert raw.startswith(b"\x89PNG")
    for bad in (png((511, 512)), "%%%", base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"0" * 100).decode()):
        with pytest.raises(ValidationFailed):
            userpics.decode(bad)
