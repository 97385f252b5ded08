"""A container verifies a token with PyJWT once; the token's next requests reuse that verdict
only while its key is in the key ring and its `exp` has not passed."""

from __future__ import annotations

import time
from collections.abc import Iterator

import jwt
import pytest

from gatehouse.errors import NotAuthenticated
from gatehouse.security import signing_key, tokens
from gatehouse.security.signing_key import FixedSource
from gatehouse.security.tokens import JWT_AUTH
from gatehouse.settings import get_settings


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    tokens.verified_tokens.clear()
    yield
    tokens.verified_tokens.clear()


def test_the_same_token_is_decoded_by_pyjwt_once_per_container(pyjwt_decodes: list[str]) -> None:
    token = tokens.issue(JWT_AUTH, user_id=7, session_id="s1", issued_at=int(time.time()))
    first, second = tokens.verify(token), tokens.verify(token)
    assert first == second
    assert (first.user_id, first.session_id) == (7, "s1")
    assert pyjwt_decodes == [token]


def test_a_refused_token_is_never_remembered(pyjwt_decodes: list[str]) -> None:
    token = tokens.issue(JWT_AUTH, user_id=7, session_id="s1", issued_at=int(time.time()))
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for _ in range(2):
        with pytest.raises(NotAuthenticated):
            tokens.verify(tampered)
    assert pyjwt_decodes == [tampered, tampered]


def test_a_remembered_token_is_not_reused_once_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    token = tokens.issue(JWT_AUTH, user_id=7, session_id="s1", issued_at=int(time.time()))
    tokens.verify(token)
    assert tokens.verified_tokens.get(token) is not None
    expires_at = jwt.decode(token, options={"verify_signature": False})["exp"]
    # Past `exp` and the leeway, the verdict is dropped, so PyJWT decides again (and refuses).
    later = expires_at + get_settings().token_leeway_seconds + 1
    monkeypatch.setattr(time, "time", lambda: float(later))
    assert tokens.verified_tokens.get(token) is None
    monkeypatch.undo()
    expired = tokens.issue(JWT_AUTH, user_id=7, session_id="s2", issued_at=int(time.time()) - 100_000)
    with pytest.raises(NotAuthenticated, match="ExpiredSignatureError"):
        tokens.verify(expired)


def test_a_remembered_token_is_refused_once_its_key_leaves_the_ring() -> None:
    token = tokens.issue(JWT_AUTH, user_id=7, session_id="s1", issued_at=int(time.time()))
    tokens.verify(token)
    original = signing_key._cache
    try:
        # Another secret: the token's kid now names another key, or none.
        signing_key.use_source(FixedSource("another-signing-secret-" + "k" * 64))
        with pytest.raises(NotAuthenticated):
            tokens.verify(token)
    finally:
        signing_key._cache = original


def test_the_cache_is_bounded_and_drops_its_oldest_entry_first() -> None:
    cache = tokens._VerifiedTokens(capacity=2)
    issued = [
        tokens.issue(JWT_AUTH, user_id=n, session_id=f"s{n}", issued_at=int(time.time())) for n in (1, 2, 3)
    ]
    key = signing_key.key_ring().current
    for n, token in enumerate(issued, start=1):
        claims = tokens.TokenClaims(user_id=n, session_id=f"s{n}", profile=JWT_AUTH)
        cache.put(token, tokens._Verified(claims=claims, key=key, expires_at=time.time() + 60))
    assert cache.get(issued[0]) is None
    assert cache.get(issued[1]) is not None
    assert cache.get(issued[2]) is not None
