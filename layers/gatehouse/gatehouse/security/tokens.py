"""JWT issue and verification with an explicit algorithm per token profile.

A profile fixes a surface's token shape (algorithm, issuer, lifetime, subject form).
Verification picks the profile from the header's algorithm and then verifies with
exactly that algorithm and issuer, so a token cannot be replayed under another profile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import jwt

from gatehouse.errors import NotAuthenticated
from gatehouse.security.signing_key import signing_key
from gatehouse.settings import get_settings

_settings = get_settings()
# Fetched during the init phase (cold start), not on the first request.
_signing_key = signing_key()
_REQUIRED_CLAIMS = ["exp", "iat", "iss", "sub", "jti"]


@dataclass(frozen=True)
class TokenProfile:
    name: str
    algorithm: str
    issuer: str
    ttl_seconds: int
    subject_prefix: str = ""
    audience_is_subject: bool = False
    static_claims: dict[str, Any] = field(default_factory=dict)

    def subject(self, user_id: int) -> str:
        return f"{self.subject_prefix}{user_id}"


# Surfaces A and B (tymon/jwt-auth): HS256, one hour.
JWT_AUTH = TokenProfile(
    name="jwt",
    algorithm="HS256",
    issuer=_settings.jwt_issuer,
    ttl_seconds=_settings.access_token_ttl_seconds,
)
# Surface E (Goncord/Guardian): HS512, 14 days, "User:{id}" subject and audience.
GONCORD = TokenProfile(
    name="goncord",
    algorithm="HS512",
    issuer="Goncord",
    ttl_seconds=_settings.goncord_token_ttl_seconds,
    subject_prefix="User:",
    audience_is_subject=True,
    static_claims={"typ": "token", "pem": {}},
)
_PROFILES_BY_ALGORITHM = {p.algorithm: p for p in (JWT_AUTH, GONCORD)}


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    session_id: str
    profile: TokenProfile


def issue(
    profile: TokenProfile,
    user_id: int,
    session_id: str,
    issued_at: int,
    extra_claims: dict[str, Any] | None = None,
) -> str:
    subject = profile.subject(user_id)
    claims: dict[str, Any] = {
        "iss": profile.issuer,
        "sub": subject,
        "iat": issued_at,
        "nbf": issued_at,
        "exp": issued_at + profile.ttl_seconds,
        "jti": session_id,
        **profile.static_claims,
        **(extra_claims or {}),
    }
    if profile.audience_is_subject:
        claims["aud"] = subject
    return jwt.encode(claims, _signing_key, algorithm=profile.algorithm)


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2


def verify(token: str) -> TokenClaims:
    try:
        algorithm = jwt.get_unverified_header(token).get("alg")
        profile = _PROFILES_BY_ALGORITHM.get(algorithm) if isinstance(algorithm, str) else None
        if profile is None:
            raise NotAuthenticated("unsupported token algorithm")
        claims = jwt.decode(
            token,
            _signing_key,
            algorithms=[profile.algorithm],
            issuer=profile.issuer,
            leeway=_settings.token_leeway_seconds,
            # The audience is the subject itself (Goncord), checked below rather than against a fixed value.
            options={"require": _REQUIRED_CLAIMS, "verify_aud": False},
        )
    except jwt.PyJWTError as error:
        raise NotAuthenticated(type(error).__name__) from None
    subject = str(claims["sub"])
    if profile.audience_is_subject and claims.get("aud") != subject:
        raise NotAuthenticated("audience does not match subject")
    if not subject.startswith(profile.subject_prefix):
        raise NotAuthenticated("malformed subject")
    user_id = subject.removeprefix(profile.subject_prefix)
    if not user_id.isdigit() or not isinstance(claims["jti"], str):
        raise NotAuthenticated("malformed subject or jti")
    return TokenClaims(user_id=int(user_id), session_id=claims["jti"], profile=profile)
