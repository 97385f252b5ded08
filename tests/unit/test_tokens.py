"""JWTs: explicit algorithms per profile, required claims, expiry, issuer."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
import pytest

from gatehouse.errors import NotAuthenticated
from gatehouse.security import tokens
from gatehouse.security.signing_key import signing_key
from gatehouse.security.tokens import DOCUMENTARIAN_JWT, GONCORD, JWT_AUTH


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


def test_jwt_auth_tokens_keep_the_decimal_user_id_as_subject() -> None:
    token = tokens.issue(JWT_AUTH, user_id=7, session_id="s1", issued_at=int(time.time()))
    assert jwt.decode(token, options={"verify_signature": False})["sub"] == "7"


def test_documentarian_tokens_name_the_user_by_their_24_hex_id_and_verify_like_jwt_auth() -> None:
    token = tokens.issue(DOCUMENTARIAN_JWT, user_id=26, session_id="s3", issued_at=int(time.time()))
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    assert jwt.decode(token, options={"verify_signature": False})["sub"] == "00000000000000000000001a"
    claims = tokens.verify(token)
    assert (claims.user_id, claims.session_id) == (26, "s3")
    # The same sessions as B's tokens: a token of either surface resolves to the same kind.
    assert claims.profile.name == DOCUMENTARIAN_JWT.name == JWT_AUTH.name


@pytest.mark.parametrize(
    ("subject", "user_id"),
    [
        ("7", 7),
        ("0", 0),
        ("123456789012345678", 123456789012345678),
        ("000000000000000000000007", 7),
        ("00000000000000000000001a", 26),
        ("00000000ffffffffffffffff", 2**64 - 1),
    ],
)
def test_hs256_tokens_accept_a_decimal_or_a_24_hex_subject(subject: str, user_id: int) -> None:
    assert tokens.verify(forge(valid_claims(sub=subject))).user_id == user_id


@pytest.mark.parametrize("subject", ["5f1a2b3c4d5e6f7a8b9c0d1e", "ffffffffffffffffffffffff"])
def test_a_kept_a_id_subject_is_returned_for_its_claim_to_resolve(subject: str) -> None:
    claims = tokens.verify(forge(valid_claims(sub=subject)))
    assert (claims.user_id, claims.kept_object_id) == (None, subject)


def test_a_tokens_of_an_imported_user_carry_its_kept_id() -> None:
    kept = "5f1a2b3c4d5e6f7a8b9c0d1e"
    token = tokens.issue(DOCUMENTARIAN_JWT, 9, "s4", int(time.time()), kept_object_id=kept)
    assert jwt.decode(token, options={"verify_signature": False})["sub"] == kept
    # B's profile writes the decimal id whatever the user kept on A.
    token = tokens.issue(JWT_AUTH, 9, "s5", int(time.time()), kept_object_id=kept)
    assert jwt.decode(token, options={"verify_signature": False})["sub"] == "9"


@pytest.mark.parametrize(
    "subject",
    [
        pytest.param("", id="empty"),
        pytest.param("00000000000000000000007", id="23-hex"),
        pytest.param("0000000000000000000000007", id="25-hex"),
        pytest.param("00000000000000000000001A", id="upper-case-hex"),
        pytest.param("00000000000000000000000g", id="not-hex"),
        pytest.param("0x7", id="hex-prefix"),
        pytest.param("1a", id="short-hex"),
        pytest.param("1234567890123456789", id="19-digits"),
        pytest.param("+7", id="plus"),
        pytest.param("-7", id="minus"),
        pytest.param(" 7", id="leading-space"),
        pytest.param("7 ", id="trailing-space"),
        pytest.param("7\n", id="trailing-newline"),
        pytest.param("7.0", id="decimal-point"),
        pytest.param("1e3", id="exponent"),
        pytest.param("1_000", id="underscore"),
        pytest.param("²", id="superscript-digit"),
        pytest.param("١", id="arabic-indic-digit"),
        pytest.param("User:7", id="goncord-prefix"),
    ],
)
def test_hs256_tokens_refuse_any_other_subject(subject: str) -> None:
    with pytest.raises(NotAuthenticated):
        tokens.verify(forge(valid_claims(sub=subject)))


def test_a_subject_that_is_not_a_string_is_refused() -> None:
    payload = json.dumps(valid_claims(sub=7)).encode()
    token = jwt.api_jws.encode(payload, signing_key(), algorithm="HS256")
    with pytest.raises(NotAuthenticated):
        tokens.verify(token)


def test_goncord_subjects_stay_decimal() -> None:
    now = int(time.time())
    subject = "User:000000000000000000000007"
    claims = {"iss": "Goncord", "sub": subject, "aud": subject, "iat": now, "exp": now + 60, "jti": "j"}
    with pytest.raises(NotAuthenticated):
        tokens.verify(forge(claims, algorithm="HS512"))


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
