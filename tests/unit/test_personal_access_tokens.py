"""Sanctum-style personal access tokens and per-user session listing (gatehouse.services.sessions)."""

from __future__ import annotations

import hashlib
import re
import time
import uuid
import zlib
from typing import Any

import pytest

from gatehouse.data import sessions as session_store
from gatehouse.errors import NotAuthenticated
from gatehouse.security.tokens import JWT_AUTH
from gatehouse.services import accounts, sessions


def test_a_personal_access_token_stores_only_the_hash_of_its_secret(embedded_aws: Any) -> None:
    user = accounts.register(email="a@example.com", password="password-1")
    issued = sessions.start_personal_access_token(user, "laptop")
    session_id, secret = issued.token.split("|")
    assert len(secret) == 48
    stored = session_store.get(session_id)
    assert stored is not None
    assert stored.name == "laptop"
    assert stored.token_format == "sanctum"
    assert stored.secret_hash is not None
    assert secret not in stored.secret_hash
    assert stored.expires_at - stored.created_at_ms // 1000 == sessions.PERSONAL_ACCESS_TOKEN_TTL_SECONDS
    assert sessions.authenticate(issued.token).user.id == user.id


def _other_last_character(token: str) -> str:
    return token[:-1] + ("Y" if token.endswith("Z") else "Z")  # always a different secret


def _another_id(token: str) -> str:
    token_id, secret = token.split("|")
    return f"{int(token_id) + 1}|{secret}"


@pytest.mark.parametrize(
    "mangle", [_other_last_character, _another_id, lambda t: "0" + t, lambda t: t + "|x"]
)
def test_a_tampered_personal_access_token_is_refused(embedded_aws: Any, mangle: Any) -> None:
    user = accounts.register(email="a@example.com", password="password-1")
    token = sessions.start_personal_access_token(user, "api").token
    with pytest.raises(NotAuthenticated):
        sessions.authenticate(mangle(token))


def test_a_token_is_an_integer_id_and_sanctum_4s_secret_with_its_crc32(embedded_aws: Any) -> None:
    user = accounts.register(email="a@example.com", password="password-1")
    first = sessions.start_personal_access_token(user, "api").token
    second = sessions.start_personal_access_token(user, "api").token
    assert re.fullmatch(r"1\|[A-Za-z0-9]{40}[0-9a-f]{8}", first)
    assert second.startswith("2|")
    entropy, checksum = first[2:42], first[42:]
    assert checksum == f"{zlib.crc32(entropy.encode()):08x}"


def test_a_users_sessions_are_listed_newest_first(embedded_aws: Any) -> None:
    user = accounts.register(email="a@example.com", password="password-1")
    first = sessions.start(user, JWT_AUTH)
    second = sessions.start_personal_access_token(user, "phone")
    listed = sessions.sessions_of(user)
    assert [s.session_id for s in listed] == [second.session.session_id, first.session.session_id]
    sessions.end(sessions.authenticate(second.token))
    assert [s.session_id for s in sessions.sessions_of(user)] == [first.session.session_id]


def test_deactivation_stops_personal_access_tokens(embedded_aws: Any) -> None:
    accounts.register(email="root@example.com", password="password-1")
    user = accounts.register(email="a@example.com", password="password-1")
    token = sessions.start_personal_access_token(user, "api").token
    accounts.set_active(user, False)
    with pytest.raises(NotAuthenticated):
        sessions.authenticate(token)


def test_a_token_issued_with_a_32_hex_id_before_ids_were_integers_still_works(embedded_aws: Any) -> None:
    user = accounts.register(email="a@example.com", password="password-1")
    session_id, secret = uuid.uuid4().hex, "s" * 40
    created_ms = int(time.time() * 1000)
    session_store.put(
        session_store.new_session(
            session_id=session_id,
            user_id=user.id,
            token_format="sanctum",
            created_at_ms=created_ms,
            expires_at=created_ms // 1000 + 60,
            secret_hash=hashlib.sha256(secret.encode()).hexdigest(),
            name="api",
        )
    )
    assert sessions.authenticate(f"{session_id}|{secret}").user.id == user.id
