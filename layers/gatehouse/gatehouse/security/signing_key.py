"""The JWT signing keys: a current key that signs, and the previous one that still verifies.

The secret (Secrets Manager when deployed, `JWT_SECRET` or `JWT_SECRET_FILE` locally) holds

    {"current": {"kid": "...", "key": "..."}, "previous": {"kid": "...", "key": "..."} | null}

or, as before key rotation existed, the key itself as a plain string: that reads as one current
key with kid `legacy`. Tokens carry the kid of the key that signed them in their header (one
without a kid is a `legacy` token), and verification takes the key with that kid.

Rotation without a mass sign-out: `rotate_signing_key()` makes a new current key and keeps the
old current one as previous, so tokens signed before keep working; `drop_previous_signing_key()`
(once the longest token lifetime has passed, or at once after a leak) makes them invalid.

A container keeps the keys for `signing_key_cache_seconds` (default 300); a token with a kid it
does not know makes it read the secret again, at most once every RELOAD_INTERVAL_SECONDS.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from gatehouse import snapstart
from gatehouse.settings import MIN_SIGNING_KEY_BYTES, ConfigurationError, get_settings

LEGACY_KID = "legacy"
RELOAD_INTERVAL_SECONDS = 5.0
# 64 random bytes, URL-safe: 86 characters.
_NEW_KEY_BYTES = 64


@dataclass(frozen=True)
class SigningKey:
    kid: str
    key: bytes


@dataclass(frozen=True)
class KeyRing:
    current: SigningKey
    previous: SigningKey | None = None

    def find(self, kid: str) -> SigningKey | None:
        for candidate in (self.current, self.previous):
            if candidate is not None and candidate.kid == kid:
                return candidate
        return None


def parse(secret: str) -> KeyRing:
    """A key ring from the secret's text: the JSON form, or a plain key (kid `legacy`)."""
    text = secret.strip()
    document: Any = None
    if text.startswith("{"):
        try:
            document = json.loads(text)
        except ValueError:
            document = None
    if not isinstance(document, dict):
        return KeyRing(_checked(LEGACY_KID, text))
    current = _entry(document.get("current"))
    if current is None:
        raise ConfigurationError("the signing-key secret has no current key")
    return KeyRing(current, _entry(document.get("previous")))


def serialize(ring: KeyRing) -> str:
    def entry(key: SigningKey | None) -> dict[str, str] | None:
        return None if key is None else {"kid": key.kid, "key": key.key.decode()}

    return json.dumps({"current": entry(ring.current), "previous": entry(ring.previous)})


def _entry(value: Any) -> SigningKey | None:
    if value is None:
        return None
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("kid"), str)
        or not isinstance(value.get("key"), str)
    ):
        raise ConfigurationError('a signing key must be {"kid": str, "key": str}')
    return _checked(value["kid"], value["key"])


def _checked(kid: str, key: str) -> SigningKey:
    encoded = key.encode()
    if len(encoded) < MIN_SIGNING_KEY_BYTES:
        raise ConfigurationError(f"the JWT signing key must be at least {MIN_SIGNING_KEY_BYTES} bytes")
    return SigningKey(kid, encoded)


# ---- where the secret lives ----


class KeySource(Protocol):
    def read(self) -> str: ...

    def write(self, secret: str) -> None: ...


@dataclass(frozen=True)
class FixedSource:
    """`JWT_SECRET`: the secret in the environment itself (tests, `sam local`); cannot rotate."""

    secret: str

    def read(self) -> str:
        return self.secret

    def write(self, secret: str) -> None:
        raise ConfigurationError("JWT_SECRET is fixed; rotate the secret in a file or Secrets Manager")


@dataclass(frozen=True)
class FileSource:
    """A file holding the secret (the local run's `.local/jwt-secret`)."""

    path: Path

    def read(self) -> str:
        return self.path.read_text(encoding="utf-8").strip()

    def write(self, secret: str) -> None:
        staged = self.path.with_suffix(".next")
        staged.touch(mode=0o600)
        staged.write_text(secret + "\n", encoding="utf-8")
        staged.replace(self.path)


@dataclass(frozen=True)
class SecretsManagerSource:
    """The deployed secret (`JWT_SECRET_ARN`); a write is a new AWSCURRENT version."""

    secret_id: str
    region: str

    def _client(self) -> Any:
        # botocore (already there for PynamoDB) rather than boto3: one less import on cold start.
        import botocore.session

        return botocore.session.get_session().create_client("secretsmanager", region_name=self.region)

    def read(self) -> str:
        secret: str = self._client().get_secret_value(SecretId=self.secret_id, VersionStage="AWSCURRENT")[
            "SecretString"
        ]
        return secret.strip()

    def write(self, secret: str) -> None:
        self._client().put_secret_value(SecretId=self.secret_id, SecretString=secret)


def configured_source() -> KeySource:
    settings = get_settings()
    if settings.jwt_secret is not None:
        return FixedSource(settings.jwt_secret.get_secret_value())
    if settings.jwt_secret_file is not None:
        return FileSource(Path(settings.jwt_secret_file))
    return SecretsManagerSource(settings.jwt_secret_arn or "", settings.aws_region)


# ---- the container's cached key ring ----


class _Cache:
    def __init__(self, source: KeySource) -> None:
        self.source = source
        self.ring: KeyRing | None = None
        self.loaded_at = 0.0
        self.lock = threading.Lock()

    def get(self, *, stale_after: float) -> KeyRing:
        with self.lock:
            if self.ring is None or time.monotonic() - self.loaded_at >= stale_after:
                self.ring = parse(self.source.read())
                self.loaded_at = time.monotonic()
            return self.ring

    def forget(self) -> None:
        """The next use reads the secret again."""
        with self.lock:
            self.ring = None
            self.loaded_at = 0.0


_cache = _Cache(configured_source())


@snapstart.after_restore
def forget_keys() -> None:
    """A copy restored from a SnapStart snapshot reads the secret again: the snapshot's keys may
    predate a rotation (and a dropped previous key must stop verifying)."""
    _cache.forget()


def use_source(source: KeySource) -> None:
    """Read the keys from `source` from now on (an operator command, or the local run)."""
    global _cache
    _cache = _Cache(source)


def key_ring() -> KeyRing:
    return _cache.get(stale_after=get_settings().signing_key_cache_seconds)


def refresh() -> KeyRing:
    """Read the secret again now (after a rotation made by this process)."""
    return _cache.get(stale_after=0)


def current_key() -> SigningKey:
    return key_ring().current


def verification_key(kid: str) -> SigningKey | None:
    """The key with `kid`; an unknown kid re-reads the secret (a rotation elsewhere), rate-limited."""
    found = key_ring().find(kid)
    if found is None and time.monotonic() - _cache.loaded_at >= RELOAD_INTERVAL_SECONDS:
        found = refresh().find(kid)
    return found


def signing_key() -> bytes:
    """The current key's bytes."""
    return current_key().key


# ---- rotation (operator commands: `make rotate-key`, the admin CLI) ----


def new_key() -> SigningKey:
    kid = f"{time.strftime('%Y%m%d', time.gmtime())}-{uuid.uuid4().hex[:8]}"
    return SigningKey(kid, secrets.token_urlsafe(_NEW_KEY_BYTES).encode())


def rotate_signing_key(source: KeySource | None = None) -> KeyRing:
    """A new current key; the old current one becomes the previous (the one before it is dropped).
    Tokens signed with the old current key stay valid until `drop_previous_signing_key`."""
    store = source or _cache.source
    ring = parse(store.read())
    rotated = KeyRing(new_key(), ring.current)
    store.write(serialize(rotated))
    if store is _cache.source:
        refresh()
    return rotated


def drop_previous_signing_key(source: KeySource | None = None) -> KeyRing:
    """Forget the previous key: tokens it signed are refused from now on (per container, once
    its cache expires; at once in this process)."""
    store = source or _cache.source
    ring = KeyRing(parse(store.read()).current)
    store.write(serialize(ring))
    if store is _cache.source:
        refresh()
    return ring
