"""Services record their own audit events, for the caller bound to the request (no HTTP)."""

from __future__ import annotations

from typing import Any

import pytest

from gatehouse.data import audit as audit_store
from gatehouse.data.audit import AuditEventItem
from gatehouse.errors import InvalidCredentials, ValidationFailed
from gatehouse.security.tokens import JWT_AUTH
from gatehouse.services import accounts, caller, password_reset, sessions
from gatehouse.services.caller import ClientInfo
from gatehouse.services.mail import MailContext

CALLER = ClientInfo(ip="198.51.100.7", user_agent="side-effect-tests", request_id="req-7")


@pytest.fixture
def recorded(embedded_aws: Any, monkeypatch: pytest.MonkeyPatch) -> list[AuditEventItem]:
    events: list[AuditEventItem] = []
    monkeypatch.setattr(audit_store, "put", events.append)
    return events


def test_a_sign_up_is_audited_as_the_new_users_registration_from_the_caller(
    recorded: list[AuditEventItem],
) -> None:
    with caller.bound(CALLER):
        user = accounts.sign_up(
            email="new@example.com", password="password-1", mail_context=MailContext("b", "https://x")
        )
    [event] = recorded
    assert (event.action, event.actor_id, event.target_id) == ("user.register", user.id, str(user.id))
    assert (event.ip, event.user_agent) == (CALLER.ip, CALLER.user_agent)


def test_a_failed_sign_in_is_audited_for_the_caller_without_an_actor(recorded: list[AuditEventItem]) -> None:
    accounts.register(email="ann@example.com", password="password-1")
    with caller.bound(CALLER), pytest.raises(InvalidCredentials):
        accounts.sign_in("ann@example.com", "wrong-password")
    [event] = recorded
    assert (event.action, event.outcome) == ("auth.login", "failure")
    assert event.actor_id is None
    assert event.details == {"reason": "InvalidCredentials"}
    assert event.ip == CALLER.ip


def test_a_refresh_and_a_sign_out_are_audited_for_the_user_from_the_caller(
    recorded: list[AuditEventItem],
) -> None:
    user = accounts.register(email="bob@example.com", password="password-1")
    principal = sessions.authenticate(sessions.start(user, JWT_AUTH).token)
    with caller.bound(CALLER):
        refreshed = sessions.authenticate(sessions.rotate(principal, JWT_AUTH).token)
        sessions.sign_out(refreshed)
    assert [(event.action, event.actor_id, event.ip) for event in recorded] == [
        ("auth.refresh", user.id, CALLER.ip),
        ("auth.logout", user.id, CALLER.ip),
    ]


def test_an_unknown_reset_token_is_audited_as_a_failed_password_change_from_the_caller(
    recorded: list[AuditEventItem],
) -> None:
    with caller.bound(CALLER), pytest.raises(ValidationFailed):
        password_reset.reset_password("no-such-token", "password-2")
    [event] = recorded
    assert (event.action, event.outcome, event.details) == (
        "user.password",
        "failure",
        {"reason": "invalid token"},
    )
    assert event.ip == CALLER.ip


def test_recovery_for_an_unknown_address_is_audited_as_such(recorded: list[AuditEventItem]) -> None:
    with caller.bound(CALLER):
        password_reset.recover("nobody@example.com", MailContext("a", "https://x"))
    [event] = recorded
    assert (event.action, event.outcome) == ("user.password_recover", "unknown_address")
    assert event.target_id is None
    assert event.ip == CALLER.ip
