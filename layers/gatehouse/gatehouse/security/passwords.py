"""Password hashing: argon2id for new hashes; legacy bcrypt ($2y$/$2b$) verifies and is upgraded.

passlib, argon2 and bcrypt are loaded by the first hash or verify, not at import: the services
that import this module are on every function's cold start, most of whose requests never hash.
(With SnapStart, the snapshot is taken after `warm()`: see gatehouse.snapstart.)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from gatehouse import snapstart

if TYPE_CHECKING:
    from passlib.context import CryptContext


@dataclass(frozen=True)
class Argon2Profile:
    """The cost of new argon2id hashes; a stored hash of another profile is rehashed at sign-in."""

    memory_cost: int  # KiB
    time_cost: int
    parallelism: int


# OWASP's argon2id profile: 19 MiB, 2 passes, 1 lane (~25 ms on one core).
# argon2-cffi's default p=4 profile costs several times that on Lambda's vCPU share.
OWASP = Argon2Profile(memory_cost=19_456, time_cost=2, parallelism=1)
_profile = OWASP


def use_profile(profile: Argon2Profile) -> None:
    """Hash with `profile` from now on. Only the test suite calls this (a cheap profile, as
    Django's tests use a fast hasher); every deployed and local function hashes with OWASP."""
    global _profile
    _profile = profile
    _context.cache_clear()
    _dummy_hash.cache_clear()


@cache
def _context() -> CryptContext:
    from passlib.context import CryptContext

    return CryptContext(
        schemes=["argon2", "bcrypt"],
        default="argon2",
        deprecated=["bcrypt"],
        argon2__type="ID",
        argon2__memory_cost=_profile.memory_cost,
        argon2__time_cost=_profile.time_cost,
        argon2__parallelism=_profile.parallelism,
    )


@snapstart.before_snapshot
def warm() -> None:
    """Load the hashing libraries now: a SnapStart snapshot holds them, no request loads them."""
    _context().identify(_dummy_hash())


# Verified against when the account does not exist, so a miss costs what a hit costs.
# A literal (same profile as new hashes) rather than hashed at import: that would add ~40 ms to cold starts.
_OWASP_DUMMY_HASH = (
    "$argon2id$v=19$m=19456,t=2,p=1$Ucr531sLoVQqBUAIYWzt3Q$/NReY86RcEynlc9s6LWxOCchE5L/kFsDhHT2rEus6z0"
)


@cache
def _dummy_hash() -> str:
    return _OWASP_DUMMY_HASH if _profile == OWASP else hash_password("gatehouse-dummy-password")


# bcrypt reads at most 72 bytes; only imported `$2y$`/`$2b$` hashes are bcrypt (argon2id has no limit).
BCRYPT_MAX_BYTES = 72
_BCRYPT_PREFIXES = ("$2y$", "$2b$", "$2a$")


@dataclass(frozen=True)
class Verification:
    ok: bool
    # A fresh argon2id hash when the stored one is legacy or weaker than today's profile.
    upgraded_hash: str | None = None


def hash_password(password: str) -> str:
    hashed: str = _context().hash(password)
    return hashed


def is_supported_hash(value: str) -> bool:
    """Whether `value` is a hash of a scheme sign-in can check (argon2, bcrypt `$2y$`/`$2b$`/`$2a$`)."""
    try:
        return _context().identify(value, required=False) is not None
    except (ValueError, TypeError):
        return False


def verify_password(password: str, stored_hash: str | None) -> Verification:
    if not stored_hash:
        _context().verify(password, _dummy_hash())
        return Verification(ok=False)
    secret: str | bytes = password
    if stored_hash.startswith(_BCRYPT_PREFIXES) and len(password.encode()) > BCRYPT_MAX_BYTES:
        # An imported Laravel hash: PHP's bcrypt hashed only the first 72 bytes, so check those,
        # as the original did; the upgrade below hashes the whole password with argon2id.
        secret = password.encode()[:BCRYPT_MAX_BYTES]
    try:
        ok, new_hash = _context().verify_and_update(secret, stored_hash)
    except (ValueError, TypeError):
        # An unrecognised or corrupt stored hash is a failed sign-in, not a server error.
        return Verification(ok=False)
    if ok and secret is not password:
        new_hash = hash_password(password)
    return Verification(ok=bool(ok), upgraded_hash=new_hash if ok else None)
