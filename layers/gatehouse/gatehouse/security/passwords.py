"""Password hashing: argon2id for new hashes; legacy bcrypt ($2y$/$2b$) verifies and is upgraded.

Imported only by code that checks or sets passwords: passlib and argon2 cost cold-start time.
"""

from __future__ import annotations

from dataclasses import dataclass

from passlib.context import CryptContext

# OWASP's argon2id profile: 19 MiB, 2 passes, 1 lane (~25 ms on one core).
# argon2-cffi's default p=4 profile costs several times that on Lambda's vCPU share.
_context = CryptContext(
    schemes=["argon2", "bcrypt"],
    default="argon2",
    deprecated=["bcrypt"],
    argon2__type="ID",
    argon2__memory_cost=19_456,
    argon2__time_cost=2,
    argon2__parallelism=1,
)

# Verified against when the account does not exist, so a miss costs what a hit costs.
# A literal (same profile as new hashes) rather than hashed at import: that would add ~40 ms to cold starts.
_DUMMY_HASH = (
    "$argon2id$v=19$m=19456,t=2,p=1$Ucr531sLoVQqBUAIYWzt3Q$/NReY86RcEynlc9s6LWxOCchE5L/kFsDhHT2rEus6z0"
)


@dataclass(frozen=True)
class Verification:
    ok: bool
    # A fresh argon2id hash when the stored one is legacy or weaker than today's profile.
    upgraded_hash: str | None = None


def hash_password(password: str) -> str:
    hashed: str = _context.hash(password)
    return hashed


def is_supported_hash(value: str) -> bool:
    """Whether `value` is a hash of a scheme sign-in can check (argon2, bcrypt `$2y$`/`$2b$`/`$2a$`)."""
    try:
        return _context.identify(value, required=False) is not None
    except (ValueError, TypeError):
        return False


def verify_password(password: str, stored_hash: str | None) -> Verification:
    if not stored_hash:
        _context.verify(password, _DUMMY_HASH)
        return Verification(ok=False)
    try:
        ok, new_hash = _context.verify_and_update(password, stored_hash)
    except (ValueError, TypeError):
        # An unrecognised or corrupt stored hash is a failed sign-in, not a server error.
        return Verification(ok=False)
    return Verification(ok=bool(ok), upgraded_hash=new_hash if ok else None)
