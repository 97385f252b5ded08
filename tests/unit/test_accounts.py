"""Accounts and sessions services against the template's table (no HTTP)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import bcrypt
import pytest

from gatehouse.clock import epoch_ms
from gatehouse.data import sessions as session_store
from gatehouse.data import users
from gatehouse.data.models import UserItem
from gatehouse.errors import (
    AccountDisabled,
    EmailNotVerified,
    InvalidCredentials,
    NotAuthenticated,
    ValidationFailed,
)
from gatehouse.security import tokens
from gatehouse.security.tokens import GONCORD, JWT_AUTH
from gatehouse.services import accounts, sessions

Register = Callable[..., UserItem]


@pytest.fixture
def new_user(embedded_aws: Any) -> Register:
    counter = iter(range(1, 10_000))

    def create(**overrides: Any) -> UserItem:
        n = next(counter)
        values: dict[str, Any] = {
            "email": f"user{n}@example.com",
            "password": "password-1",
            "login": f"user{n}",
        }
        values.update(overrides)
        return accounts.register(**values)

    return create


def test_the_first_user_becomes_super_and_later_ones_plain_users(new_user: Register) -> None:
    assert new_user().role == "super"
    assert new_user().role == "user"
    assert users.super_exists()


def test_concurrent_first_sign_ups_make_exactly_one_super(embedded_aws: Any) -> None:
    def sign_up(n: int) -> str:
        return accounts.register(email=f"racer{n}@example.com", password="password-1").role

    with ThreadPoolExecutor(max_workers=8) as pool:
        roles = list(pool.map(sign_up, range(12)))
    assert sorted(roles) == ["super"] + ["user"] * 11


def test_ids_come_from_the_counter_in_order(new_user: Register) -> None:
    assert [new_user().id for _ in range(3)] == [1, 2, 3]


def test_taken_values_are_reported_on_the_surfaces_field_names(new_user: Register) -> None:
    new_user(email="a@example.com", login="alice")
    with pytest.raises(ValidationFailed) as caught:
        new_user(email="A@EXAMPLE.COM", login="ALICE", field_names={"email": "mail", "login": "nickname"})
    assert {(v.field, v.rule) for v in caught.value.violations} == {
        ("mail", "unique"),
        ("nickname", "unique"),
    }


def test_logins_cannot_look_like_emails(new_user: Register) -> None:
    with pytest.raises(ValidationFailed):
        new_user(login="alice@example.com")


def test_sign_in_by_email_or_login_is_case_and_space_insensitive(new_user: Register) -> None:
    user = new_user(email="Bob@Example.com", login="Bobby")
    assert accounts.sign_in(" bob@example.COM ", "password-1").id == user.id
    assert accounts.sign_in("BOBBY", "password-1").id == user.id


def test_sign_in_refuses_wrong_passwords_and_unknown_people_alike(new_user: Register) -> None:
    new_user(email="carol@example.com")
    for identifier, password in [("carol@example.com", "nope-nope"), ("nobody@example.com", "password-1")]:
        with pytest.raises(InvalidCredentials):
            accounts.sign_in(identifier, password)


def test_a_legacy_laravel_hash_signs_in_and_is_rehashed_to_argon2id(new_user: Register) -> None:
    user = new_user(email="legacy@example.com")
    laravel_hash = "$2y$" + bcrypt.hashpw(b"old-secret", bcrypt.gensalt(rounds=4)).decode()[4:]
    users.update(user, password_hash=laravel_hash)
    accounts.sign_in("legacy@example.com", "old-secret")
    stored = users.get(user.id)
    assert stored is not None
    assert stored.password_hash.startswith("$argon2id$")
    assert stored.last_login_at is not None
    assert accounts.sign_in("legacy@example.com", "old-secret").id == user.id


def test_deactivated_accounts_cannot_sign_in_and_their_tokens_stop_working(new_user: Register) -> None:
    user = new_user()
    token = sessions.start(user, JWT_AUTH).token
    users.update(user, is_active=False)
    with pytest.raises(AccountDisabled):
        accounts.sign_in(user.email, "password-1")
    with pytest.raises(NotAuthenticated):
        sessions.authenticate(token)


def test_unverified_accounts_are_refused_when_the_deployment_requires_it(
    new_user: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = new_user()
    monkeypatch.setattr(
        accounts, "_settings", accounts._settings.model_copy(update={"require_verified_email": True})
    )
    with pytest.raises(EmailNotVerified):
        accounts.sign_in(user.email, "password-1")
    users.update(user, is_verified=True)
    assert accounts.sign_in(user.email, "password-1").id == user.id


def test_tokens_of_every_profile_authenticate_to_their_user(new_user: Register) -> None:
    user = new_user()
    for profile in (JWT_AUTH, GONCORD):
        principal = sessions.authenticate(sessions.start(user, profile).token)
        assert principal.user.id == user.id
        assert principal.session.token_format == profile.name


def test_revoking_all_sessions_stops_earlier_tokens_but_not_later_ones(new_user: Register) -> None:
    user = new_user()
    earlier = sessions.start(user, JWT_AUTH).token
    sessions.revoke_all(user)
    later = sessions.start(user, JWT_AUTH).token
    with pytest.raises(NotAuthenticated):
        sessions.authenticate(earlier)
    assert sessions.authenticate(later).user.id == user.id


def test_an_expired_session_is_refused_even_before_ttl_removes_it(new_user: Register) -> None:
    user = new_user()
    issued = sessions.start(user, JWT_AUTH)
    issued.session.update(actions=[type(issued.session).expires_at.set(epoch_ms() // 1000 - 1)])
    with pytest.raises(NotAuthenticated):
        sessions.authenticate(issued.token)


def test_a_token_rotated_again_within_the_grace_window_gets_its_one_successor(new_user: Register) -> None:
    user = new_user()
    token = sessions.start(user, JWT_AUTH).token
    principal = sessions.authenticate(token)
    first = sessions.rotate(principal, JWT_AUTH)
    again = sessions.rotate(principal, JWT_AUTH)
    assert again.token == first.token
    with pytest.raises(sessions.SessionSuperseded):
        sessions.authenticate(token)
    assert sessions.authenticate(first.token).user.id == user.id


def test_a_session_of_one_user_cannot_be_borrowed_by_another(new_user: Register) -> None:
    alice, mallory = new_user(), new_user()
    alice_session = sessions.start(alice, JWT_AUTH).session
    forged = tokens.issue(
        JWT_AUTH, user_id=mallory.id, session_id=alice_session.session_id, issued_at=epoch_ms() // 1000
    )
    with pytest.raises(NotAuthenticated):
        sessions.authenticate(forged)
    assert session_store.user_and_session(alice.id, alice_session.session_id)[1] is not None


def test_values_that_expand_past_dynamodbs_key_limit_still_register_and_sign_in(new_user: Register) -> None:
    # NFKC turns each U+FDFA into 18 characters: 200 of them make a 6 KB canonical login.
    expanding_login = "\ufdfa" * 200
    user = new_user(login=expanding_login)
    assert accounts.sign_in(expanding_login, "password-1").id == user.id
    with pytest.raises(ValidationFailed):
        new_user(login=expanding_login)
