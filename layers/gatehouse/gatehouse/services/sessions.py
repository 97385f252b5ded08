"""Sessions: issuing, resolving, rotating and revoking tokens for every surface."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from gatehouse.clock import epoch_ms, iso, now
from gatehouse.data import sessions as session_store
from gatehouse.data import users
from gatehouse.data.models import SessionItem, UserItem
from gatehouse.errors import NotAuthenticated
from gatehouse.security import tokens
from gatehouse.security.tokens import TokenProfile


@dataclass(frozen=True)
class Principal:
    """Who is calling: the stored user and the session their token belongs to."""

    user: UserItem
    session: SessionItem


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_in: int
    session: SessionItem


def start(user: UserItem, profile: TokenProfile, extra_claims: dict[str, Any] | None = None) -> IssuedToken:
    session = _new_session(user.id, profile)
    session_store.put(session)
    return _token_for(session, profile, extra_claims)


def authenticate(token: str) -> Principal:
    """Resolve any token this system issued to its user, or raise NotAuthenticated."""
    if not tokens.looks_like_jwt(token):
        raise NotAuthenticated("unrecognised token")
    claims = tokens.verify(token)
    user, session = session_store.user_and_session(claims.user_id, claims.session_id)
    if user is None or session is None:
        raise NotAuthenticated("revoked")
    if session.token_format != claims.profile.name or session.user_id != user.id:
        raise NotAuthenticated("session mismatch")
    if session.expires_at * 1000 <= epoch_ms():
        raise NotAuthenticated("expired")  # DynamoDB TTL deletes late; never trust presence alone
    if session.created_at_ms < user.sessions_valid_after_ms:
        raise NotAuthenticated("revoked")
    if not user.is_active:
        raise NotAuthenticated("account disabled")
    return Principal(user=user, session=session)


def end(principal: Principal) -> None:
    session_store.delete(principal.session)


def rotate(
    principal: Principal, profile: TokenProfile, extra_claims: dict[str, Any] | None = None
) -> IssuedToken:
    """A new token for the same user; the presented one stops working, and can rotate only once."""
    session = _new_session(principal.user.id, profile)
    try:
        session_store.replace(principal.session, session)
    except session_store.SessionGone:
        raise NotAuthenticated("revoked") from None
    return _token_for(session, profile, extra_claims)


def revoke_all(user: UserItem) -> None:
    """Every token of this user issued until now stops working, on every surface."""
    users.update(user, sessions_valid_after_ms=epoch_ms() + 1)


def _new_session(user_id: int, profile: TokenProfile) -> SessionItem:
    created_ms = epoch_ms()
    return session_store.new_session(
        session_id=uuid.uuid4().hex,
        user_id=user_id,
        token_format=profile.name,
        created_at_ms=created_ms,
        expires_at=created_ms // 1000 + profile.ttl_seconds,
    )


def _token_for(
    session: SessionItem, profile: TokenProfile, extra_claims: dict[str, Any] | None
) -> IssuedToken:
    token = tokens.issue(
        profile,
        user_id=session.user_id,
        session_id=session.session_id,
        issued_at=session.created_at_ms // 1000,
        extra_claims=extra_claims,
    )
    return IssuedToken(token=token, expires_in=profile.ttl_seconds, session=session)


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
