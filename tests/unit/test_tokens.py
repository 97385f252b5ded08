"""JWTs: explicit algorithms per profile, required claims, expiry, issuer."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest

from gatehouse.errors import NotAuthenticated
from gatehouse.security import tokens
from gatehouse.security.signing_key import signing_key
from gatehouse.security.tokens import GONCORD, JWT_AUTH


def forge(claims: dict[str, Any], algorithm: str = "HS256", key: bytes | None = None) -> str:
    return jwt.encode(claims, key or signing_key(), algorithm=algorithm)


def valid_claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"iss": JWT_AUTH.issuer, "sub": "7", "iat": now, "exp": now + 60, "jti": "abc", **overrides}


def test_jwt_auth_tokens_round_trip_to_user_and_session() -> None:
    token = tokens.issue(JWT_AUTH, user_id=7, session_id="s1", issued_at=int(time.time()))
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    claims = tokens.verify(token)
    assert (claims.user_id, claims.session_id, claims.profile) == (7, "s1", JWT_AUTH)


def test_goncord_tokens_carry_goncords_claims() -> None:
    issued_at = int(time.time())
    token = tokens.issue(GONCORD, user_id=4, session_id="s2", issued_at=issued_at)
    payload = jwt.decode(token, options={"verify_signature": False})
    assert jwt.get_unverified_header(token)["alg"] == "HS512"
    assert payload["iss"] == "Goncord"
    assert payload["sub"] == payload["aud"] == "User:4"
    assert payload["typ"] == "token"
    assert payload["pem"] == {}
    assert payload["exp"] - payload["iat"] == 14 * 86_400
    assert tokens.verify(token).user_id == 4


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(forge(valid_claims(exp=int(time.time()) - 3600)), id="expired"),
        pytest.param(forge(valid_claims(iss="someone-else")), id="foreign-issuer"),
        pytest.param(forge({k: v for k, v in valid_claims().items() if k != "jti"}), id="no-jti"),
        pytest.param(forge({k: v for k, v in valid_claims().items() if k != "exp"}), id="no-exp"),
        pytest.param(forge(valid_claims(), key=b"k" * 64), id="wrong-key"),
        pytest.param(forge(valid_claims(), algorithm="HS384"), id="unlisted-algorithm"),
        pytest.param(forge(valid_claims(), algorithm="HS512"), id="hs256-claims-under-goncord-algorithm"),
        pytest.param(forge(valid_claims(sub="User:7")), id="malformed-subject"),
        pytest.param(jwt.encode(valid_claims(), "", algorithm="none"), id="alg-none"),
        pytest.param("not.a.jwt", id="garbage"),
    ],
)
def test_tokens_that_must_not_authenticate(token: str) -> None:
    with pytest.raises(NotAuthenticated):
        tokens.verify(token)
