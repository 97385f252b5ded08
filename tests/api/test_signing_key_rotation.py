"""Signing-key rotation without a mass sign-out: tokens carry a kid, the secret holds the current
and the previous key, verification accepts either (issue 11, part 5)."""

from __future__ import annotations

import jwt

from gatehouse.security import signing_key
from gatehouse_local.testing import ApiClient, bearer

PASSWORD = "correct-horse-1"


def _token(api: ApiClient) -> str:
    response = api.post("/api/auth/login", json={"email": "kid@example.com", "password": PASSWORD})
    assert response.status == 200
    token: str = response.json["access_token"]
    return token


def _works(api: ApiClient, token: str) -> bool:
    status = api.get("/api/auth/me", headers=bearer(token)).status
    assert status in (200, 401)
    return status == 200


def test_rotating_twice_keeps_old_tokens_valid_until_their_key_is_dropped(
    api: ApiClient, deployed_signing_key: signing_key.SecretsManagerSource
) -> None:
    body = {"username": "kid", "password": PASSWORD, "email": "kid@example.com", "sex": 0, "age": 30}
    assert api.post("/api/auth/register", json=body).status == 200
    before = _token(api)
    assert jwt.get_unverified_header(before)["kid"] == signing_key.LEGACY_KID

    first = signing_key.rotate_signing_key()
    assert first.previous is not None
    assert first.previous.kid == signing_key.LEGACY_KID
    assert _works(api, before)  # no mass sign-out
    after_first = _token(api)
    assert jwt.get_unverified_header(after_first)["kid"] == first.current.kid

    second = signing_key.rotate_signing_key()
    assert second.previous is not None
    assert second.previous.kid == first.current.kid
    assert not _works(api, before)  # its key is no longer in the secret
    assert _works(api, after_first)
    after_second = _token(api)

    signing_key.drop_previous_signing_key()
    assert not _works(api, after_first)
    assert _works(api, after_second)
    stored = signing_key.parse(deployed_signing_key.read())
    assert stored.previous is None
    assert stored.current.kid == second.current.kid


def test_a_token_with_a_kid_no_key_has_is_refused(api: ApiClient) -> None:
    body = {"username": "kid", "password": PASSWORD, "email": "kid@example.com", "sex": 0, "age": 30}
    assert api.post("/api/auth/register", json=body).status == 200
    claims = jwt.decode(_token(api), options={"verify_signature": False})
    forged = jwt.encode(claims, signing_key.signing_key(), algorithm="HS256", headers={"kid": "unknown"})
    assert not _works(api, forged)
