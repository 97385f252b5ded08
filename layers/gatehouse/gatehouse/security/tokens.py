"""JWT issue and verification with an explicit algorithm per token profile.

A profile fixes a surface's token shape (algorithm, issuer, lifetime, subject form).
Verification picks the profile from the header's algorithm and then verifies with
exactly that algorithm and issuer, so a token cannot be replayed under another profile.

A user id appears in a subject in one of two forms: decimal digits (B's `"7"`, E's
`"User:7"`), or surface A's 24 lower-case hex digits (`"000000000000000000000007"`, the
user's `_id` there). A decimal subject has at most 18 digits, so no subject reads as both.
A user imported from A keeps its MongoDB `_id` as A's subject (`object_ids.is_kept_object_id`):
verification returns it as `TokenClaims.kept_object_id`, resolved to the user by the caller.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import jwt

from gatehouse import object_ids, snapstart
from gatehouse.errors import NotAuthenticated
from gatehouse.security import signing_key
from gatehouse.settings import get_settings

_settings = get_settings()
# Fetched during the init phase (cold start), not on the first request.
signing_key.key_ring()
_REQUIRED_CLAIMS = ["exp", "iat", "iss", "sub", "jti"]

SubjectForm = Literal["decimal", "object_id"]
# ASCII digits only (str.isdigit would also take "²" or "١"); 18 digits are far above any user id.
_DECIMAL = re.compile(r"[0-9]{1,18}")


@dataclass(frozen=True)
class TokenProfile:
    name: str
    algorithm: str
    issuer: str
    ttl_seconds: int
    subject_prefix: str = ""
    # The form `issue` writes the user id in, and the forms `verify` reads (nothing else).
    subject_form: SubjectForm = "decimal"
    accepted_subject_forms: frozenset[SubjectForm] = frozenset({"decimal"})
    audience_is_subject: bool = False
    static_claims: dict[str, Any] = field(default_factory=dict)

    def subject(self, user_id: int, kept_object_id: str | None = None) -> str:
        if self.subject_form == "object_id":
            written = kept_object_id or object_ids.user_object_id(user_id)
        else:
            written = str(user_id)
        return f"{self.subject_prefix}{written}"

    def kept_object_id(self, subject: str) -> str | None:
        """The kept A `_id` `subject` names (see object_ids), else None."""
        written = subject.removeprefix(self.subject_prefix)
        if (
            subject.startswith(self.subject_prefix)
            and "object_id" in self.accepted_subject_forms
            and object_ids.is_object_id(written)
            and object_ids.is_kept_object_id(written)
        ):
            return written
        return None

    def user_id(self, subject: str) -> int | None:
        """The user id `subject` names in one of the accepted forms, else None."""
        if not subject.startswith(self.subject_prefix):
            return None
        written = subject.removeprefix(self.subject_prefix)
        if "decimal" in self.accepted_subject_forms and _DECIMAL.fullmatch(written):
            return int(written)
        if (
            "object_id" in self.accepted_subject_forms
            and object_ids.is_object_id(written)
            and not object_ids.is_kept_object_id(written)
        ):
            return int(written, 16)
        return None


# Surfaces A and B (tymon/jwt-auth): HS256, one hour. B's subject is the decimal user id; its
# verification also reads A's form, so a token from either works on every surface.
JWT_AUTH = TokenProfile(
    name="jwt",
    algorithm="HS256",
    issuer=_settings.jwt_issuer,
    ttl_seconds=_settings.access_token_ttl_seconds,
    accepted_subject_forms=frozenset({"decimal", "object_id"}),
)
# Surface A: the same tokens (same sessions, verified as JWT_AUTH), but the subject is the
# user's `_id`, as the original's (a MongoDB key), so a client can GET /api/v1/user/{sub}.
DOCUMENTARIAN_JWT = replace(JWT_AUTH, subject_form="object_id")
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
    # None when the subject is a kept A `_id` (then `kept_object_id` names the user).
    user_id: int | None
    session_id: str
    profile: TokenProfile
    kept_object_id: str | None = None


def issue(
    profile: TokenProfile,
    user_id: int,
    session_id: str,
    issued_at: int,
    extra_claims: dict[str, Any] | None = None,
    kept_object_id: str | None = None,
) -> str:
    subject = profile.subject(user_id, kept_object_id)
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
    key = signing_key.current_key()
    return jwt.encode(claims, key.key, algorithm=profile.algorithm, headers={"kid": key.kid})


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2


@dataclass(frozen=True)
class _Verified:
    claims: TokenClaims
    key: signing_key.SigningKey
    expires_at: float


class _VerifiedTokens:
    """Tokens PyJWT has verified in this container, so a client's next request with the same
    token is not parsed and HMAC-checked again. A hit still needs its key in the key ring
    (a dropped key ends its tokens here too) and an unexpired `exp` (same leeway); revocation is
    checked against the store on every request whatever this holds. Bounded, oldest out first."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._entries: dict[str, _Verified] = {}
        self._lock = threading.Lock()

    def get(self, token: str) -> _Verified | None:
        with self._lock:
            found = self._entries.get(token)
        if found is None:
            return None
        current_key = signing_key.key_ring().find(found.key.kid)
        if current_key != found.key or found.expires_at <= time.time() - _settings.token_leeway_seconds:
            self.forget(token)
            return None
        return found

    def put(self, token: str, verified: _Verified) -> None:
        with self._lock:
            if len(self._entries) >= self.capacity:
                self._entries.pop(next(iter(self._entries)))
            self._entries[token] = verified

    def forget(self, token: str) -> None:
        with self._lock:
            self._entries.pop(token, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


verified_tokens = _VerifiedTokens(capacity=1024)
# A restored snapshot starts with the keys re-read; what it verified before is dropped with them.
snapstart.after_restore(verified_tokens.clear)


def _decoded_by_pyjwt(token: str) -> tuple[dict[str, Any], TokenProfile, signing_key.SigningKey]:
    try:
        header = jwt.get_unverified_header(token)
        algorithm = header.get("alg")
        profile = _PROFILES_BY_ALGORITHM.get(algorithm) if isinstance(algorithm, str) else None
        if profile is None:
            raise NotAuthenticated("unsupported token algorithm")
        # Tokens signed before keys had ids carry none: they are the legacy key's.
        kid = header.get("kid", signing_key.LEGACY_KID)
        key = signing_key.verification_key(kid) if isinstance(kid, str) else None
        if key is None:
            raise NotAuthenticated("unknown signing key")
        claims = jwt.decode(
            token,
            key.key,
            algorithms=[profile.algorithm],
            issuer=profile.issuer,
            leeway=_settings.token_leeway_seconds,
            # The audience is the subject itself (Goncord), checked below rather than against a fixed value.
            options={"require": _REQUIRED_CLAIMS, "verify_aud": False},
        )
    except jwt.PyJWTError as error:
        raise NotAuthenticated(type(error).__name__) from None
    return claims, profile, key


def _verified(token: str) -> _Verified:
    claims, profile, key = _decoded_by_pyjwt(token)
    subject = claims["sub"]
    if not isinstance(subject, str) or not isinstance(claims["jti"], str):
        raise NotAuthenticated("malformed subject or jti")
    if profile.audience_is_subject and claims.get("aud") != subject:
        raise NotAuthenticated("audience does not match subject")
    user_id = profile.user_id(subject)
    kept_object_id = profile.kept_object_id(subject) if user_id is None else None
    if user_id is None and kept_object_id is None:
        raise NotAuthenticated("malformed subject")
    token_claims = TokenClaims(
        user_id=user_id, session_id=claims["jti"], profile=profile, kept_object_id=kept_object_id
    )
    return _Verified(claims=token_claims, key=key, expires_at=float(claims["exp"]))


def verify(token: str) -> TokenClaims:
    """The token's claims, verified by PyJWT (explicit algorithm, issuer, expiry) the first time
    this container sees the token, and from `verified_tokens` on its next requests."""
    verified = verified_tokens.get(token)
    if verified is None:
        verified = _verified(token)
        verified_tokens.put(token, verified)
    return verified.claims
