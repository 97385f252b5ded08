"""Sessions: issuing, resolving, rotating and revoking tokens for every surface."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import string
import uuid
import zlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from gatehouse import clock, object_ids, observability
from gatehouse.clock import iso, now
from gatehouse.data import counters, users
from gatehouse.data import sessions as session_store
from gatehouse.data.models import SessionItem, UserItem
from gatehouse.errors import NotAuthenticated
from gatehouse.security import tokens
from gatehouse.security.tokens import TokenProfile
from gatehouse.services import audit
from gatehouse.settings import get_settings

_settings = get_settings()


def epoch_ms() -> int:
    return clock.epoch_ms()  # through the module, so tests can move the clock


@dataclass(frozen=True)
class Principal:
    """Who is calling: the stored user and the session their token belongs to."""

    user: UserItem
    session: SessionItem


class SessionSuperseded(NotAuthenticated):
    """A refreshed token: refused everywhere, but B's refresh recognises it (grace or reuse)."""

    def __init__(self, principal: Principal) -> None:
        super().__init__("superseded")
        self.principal = principal


class RefreshReuse(NotAuthenticated):
    """A refreshed token came back after the grace window: its whole family was revoked."""


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_in: int
    session: SessionItem


def start(user: UserItem, profile: TokenProfile, extra_claims: dict[str, Any] | None = None) -> IssuedToken:
    session = _new_session(user.id, profile)
    session_store.put(session)
    observability.count(observability.TOKEN_ISSUED)
    return _token_for(session, profile, extra_claims, user.a_object_id)


def authenticate(token: str) -> Principal:
    """Resolve any token this system issued to its user, or raise NotAuthenticated."""
    if _PERSONAL_ACCESS_TOKEN.fullmatch(token):
        user, session = _personal_access_session(token)
    elif tokens.looks_like_jwt(token):
        claims = tokens.verify(token)
        user_id = claims.user_id
        if user_id is None and claims.kept_object_id is not None:
            # A user imported from A signs with its kept `_id`: one GetItem of its claim.
            user_id = users.owner_of(object_ids.KEPT_ID_CLAIM, claims.kept_object_id)
        if user_id is None:
            raise NotAuthenticated("revoked")
        user, session = session_store.user_and_session(user_id, claims.session_id)
        if session is not None and session.token_format != claims.profile.name:
            raise NotAuthenticated("session mismatch")
    else:
        raise NotAuthenticated("unrecognised token")
    if user is None or session is None:
        raise NotAuthenticated("revoked")
    if session.user_id != user.id:
        raise NotAuthenticated("session mismatch")
    if session.expires_at * 1000 <= epoch_ms():
        raise NotAuthenticated("expired")  # DynamoDB TTL deletes late; never trust presence alone
    if session.created_at_ms < user.sessions_valid_after_ms:
        raise NotAuthenticated("revoked")
    if not user.is_active:
        raise NotAuthenticated("account disabled")
    if session.superseded_at_ms is not None:
        raise SessionSuperseded(Principal(user=user, session=session))
    return Principal(user=user, session=session)


def end(principal: Principal) -> None:
    session_store.delete(principal.session)
    observability.count(observability.TOKEN_REVOKED)


def sign_out(principal: Principal) -> None:
    """The caller's own sign-out: their token ends (`end`), audited as `auth.logout`."""
    end(principal)
    user = principal.user
    audit.record_own("auth.logout", user)


def rotate(
    principal: Principal, profile: TokenProfile, extra_claims: dict[str, Any] | None = None
) -> IssuedToken:
    """Refresh (ASVS 10.4.5): a new token for the same user, in the presented token's family;
    the presented one stops working everywhere. Audited as `auth.refresh`.

    A token that was already refreshed is reuse: within `refresh_grace_seconds` of its refresh
    (a client's concurrent or retried request) the answer is the very token its refresh
    issued, so every retry ends up with one token; later, a thief or the victim is replaying
    it, and every session of its family is revoked (audited as `auth.refresh_reuse`).
    """
    issued = _successor(principal, profile, extra_claims)
    user = principal.user
    audit.record_own("auth.refresh", user)
    return issued


def _successor(
    principal: Principal, profile: TokenProfile, extra_claims: dict[str, Any] | None
) -> IssuedToken:
    """The token `rotate` answers: a new one, the one a refresh within the grace window
    issued, or RefreshReuse after revoking the family."""
    old = principal.session
    if old.superseded_at_ms is None:
        successor = _new_session(principal.user.id, profile, family_id=old.family_id or old.session_id)
        try:
            session_store.supersede(old, successor)
            observability.count(observability.TOKEN_REVOKED)
            observability.count(observability.TOKEN_ISSUED)
            return _token_for(successor, profile, extra_claims, principal.user.a_object_id)
        except session_store.SessionGone:
            # A concurrent refresh of the same token won, or the session was revoked meanwhile.
            reread = session_store.get(old.session_id)
            if reread is None or reread.superseded_at_ms is None:
                raise NotAuthenticated("revoked") from None
            old = reread
    if old.superseded_at_ms is None:
        raise NotAuthenticated("revoked")  # unreachable: both branches above leave it superseded
    if epoch_ms() - old.superseded_at_ms <= _settings.refresh_grace_seconds * 1000 and old.successor_id:
        successor = session_store.new_session(
            session_id=old.successor_id,
            user_id=old.user_id,
            token_format=profile.name,
            created_at_ms=old.successor_created_at_ms or old.superseded_at_ms,
            expires_at=(old.successor_created_at_ms or old.superseded_at_ms) // 1000 + profile.ttl_seconds,
            family_id=old.family_id,
        )
        return _token_for(successor, profile, extra_claims, principal.user.a_object_id)
    family_id = old.family_id or old.session_id
    # The presented session too: one written before families existed is in no family index.
    members = {session.session_id: session for session in [old, *session_store.family(family_id)]}
    session_store.delete_all(list(members.values()))
    audit.record(
        "auth.refresh_reuse",
        actor=principal.user,
        target_type="user",
        target_id=principal.user.id,
        outcome="failure",
        details={"family": family_id, "revoked": len(members)},
    )
    raise RefreshReuse("refresh token reuse")


def revoke_all(user: UserItem) -> None:
    """Every token of this user issued until now stops working, on every surface."""
    users.update(user, sessions_valid_after_ms=epoch_ms() + 1)
    observability.count(observability.TOKEN_REVOKED)


def _new_session(user_id: int, profile: TokenProfile, family_id: str | None = None) -> SessionItem:
    created_ms = epoch_ms()
    return session_store.new_session(
        session_id=uuid.uuid4().hex,
        user_id=user_id,
        token_format=profile.name,
        created_at_ms=created_ms,
        expires_at=created_ms // 1000 + profile.ttl_seconds,
        family_id=family_id,
    )


def _token_for(
    session: SessionItem,
    profile: TokenProfile,
    extra_claims: dict[str, Any] | None,
    kept_object_id: str | None = None,
) -> IssuedToken:
    token = tokens.issue(
        profile,
        user_id=session.user_id,
        session_id=session.session_id,
        issued_at=session.created_at_ms // 1000,
        extra_claims=extra_claims,
        kept_object_id=kept_object_id,
    )
    return IssuedToken(token=token, expires_in=profile.ttl_seconds, session=session)


# Surface C (Laravel Sanctum 4): opaque `{id}|{secret}` personal access tokens, where `id` is
# the token's integer id (Sanctum's `personal_access_tokens.id`, here a counter) and `secret` is
# 40 random letters and digits followed by their CRC32 in 8 hex digits (Sanctum 4's
# `generateTokenString`, which lets secret scanners recognise a token). Sanctum's tokens never
# expire by default; ours live a year (the session item's TTL) and are revoked by logout,
# deactivation or a password reset like every other token.
PERSONAL_ACCESS_TOKEN_FORMAT = "sanctum"
PERSONAL_ACCESS_TOKEN_TTL_SECONDS = 365 * 86_400
PERSONAL_ACCESS_SECRET_LENGTH = 40
PERSONAL_ACCESS_TOKEN_COUNTER = "personal_access_token"
_SECRET_ALPHABET = string.ascii_letters + string.digits
# Integer ids; 32-hex ids are tokens issued before ids were integers, still honoured.
_PERSONAL_ACCESS_TOKEN = re.compile(r"(?:[1-9][0-9]{0,18}|[0-9a-f]{32})\|[A-Za-z0-9]{40,128}")


def start_personal_access_token(user: UserItem, name: str) -> IssuedToken:
    """A Sanctum token; only the SHA-256 of its secret part is stored."""
    entropy = "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(PERSONAL_ACCESS_SECRET_LENGTH))
    secret = f"{entropy}{zlib.crc32(entropy.encode()):08x}"
    created_ms = epoch_ms()
    session = session_store.new_session(
        session_id=str(counters.next_id(PERSONAL_ACCESS_TOKEN_COUNTER)),
        user_id=user.id,
        token_format=PERSONAL_ACCESS_TOKEN_FORMAT,
        created_at_ms=created_ms,
        expires_at=created_ms // 1000 + PERSONAL_ACCESS_TOKEN_TTL_SECONDS,
        secret_hash=_secret_hash(secret),
        name=name,
    )
    session_store.put(session)
    observability.count(observability.TOKEN_ISSUED)
    return IssuedToken(
        token=f"{session.session_id}|{secret}",
        expires_in=PERSONAL_ACCESS_TOKEN_TTL_SECONDS,
        session=session,
    )


def sessions_of(user: UserItem, limit: int = 50) -> list[SessionItem]:
    """The user's tokens (any surface), newest first; expired ones the TTL has not removed yet,
    and refreshed ones (kept only to recognise their reuse), are left out."""
    now_seconds = epoch_ms() // 1000
    return [
        s
        for s in session_store.of_user(user.id, limit)
        if s.expires_at > now_seconds and s.superseded_at_ms is None
    ]


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _personal_access_session(token: str) -> tuple[UserItem | None, SessionItem | None]:
    """Two GetItems: the session named by the id part, then its user."""
    session_id, _, secret = token.partition("|")
    session = session_store.get(session_id)
    if (
        session is None
        or session.token_format != PERSONAL_ACCESS_TOKEN_FORMAT
        or session.secret_hash is None
        or not hmac.compare_digest(session.secret_hash, _secret_hash(secret))
    ):
        raise NotAuthenticated("unknown personal access token")
    return users.get(session.user_id), session


# `last_activity_at` is kept to this resolution, so a busy user costs one write per interval.
ACTIVITY_RESOLUTION = timedelta(minutes=5)
_logger = logging.getLogger("gatehouse.sessions")


def note_activity(user: UserItem) -> None:
    """Record that `user` is active; never fails the request it is part of."""
    moment = now()
    stale_before = iso(moment - ACTIVITY_RESOLUTION)
    if user.last_activity_at is not None and user.last_activity_at >= stale_before:
        return
    try:
        users.touch_activity(user, iso(moment), stale_before)
    except Exception:
        _logger.warning("last activity not recorded", exc_info=True)
