"""Session items: one per issued token, so any token can be revoked."""

from __future__ import annotations

from gatehouse.data import reads, users
from gatehouse.data.models import (
    SessionItem,
    UserItem,
    session_key,
)
from gatehouse.data.writes import TRANSACTION_FAILURES, Write, transact


class SessionGone(Exception):
    """The session was revoked (or rotated) before this write."""


def new_session(
    session_id: str,
    user_id: int,
    token_format: str,
    created_at_ms: int,
    expires_at: int,
    secret_hash: str | None = None,
    name: str | None = None,
    family_id: str | None = None,
) -> SessionItem:
    pk, sk = session_key(session_id)
    family = family_id or session_id
    return SessionItem(
        pk,
        sk,
        session_id=session_id,
        user_id=user_id,
        token_format=token_format,
        created_at_ms=created_at_ms,
        expires_at=expires_at,
        secret_hash=secret_hash,
        name=name,
        GSI1PK=f"USER#{user_id}#SESSIONS",
        GSI1SK=f"SESSION#{created_at_ms:015d}#{session_id}",
        family_id=family,
        GSI2PK=f"FAMILY#{family}",
        GSI2SK=f"SESSION#{created_at_ms:015d}#{session_id}",
    )


def put(session: SessionItem) -> None:
    session.save(condition=SessionItem.PK.does_not_exist())


def user_and_session(user_id: int, session_id: str) -> tuple[UserItem | None, SessionItem | None]:
    """Both items (and the user's `SEEN` timestamps) in one BatchGetItem: the per-request cost
    of authentication."""
    user, others = users.read(user_id, session_key(session_id))
    session = next((item for item in others if isinstance(item, SessionItem)), None)
    return user, session


def renew(session: SessionItem, created_at_ms: int) -> None:
    """Move the session's creation time forward, so a revoke-all at that instant spares it."""
    session.update(actions=[SessionItem.created_at_ms.set(created_at_ms)], condition=SessionItem.PK.exists())


def delete(session: SessionItem) -> None:
    session.delete()


def supersede(old: SessionItem, new: SessionItem) -> None:
    """Refresh: mark `old` superseded by `new` and write `new`, in one transaction; only a live,
    not yet superseded `old` can be refreshed (SessionGone otherwise)."""
    superseded = [
        SessionItem.superseded_at_ms.set(new.created_at_ms),
        SessionItem.successor_id.set(new.session_id),
        SessionItem.successor_created_at_ms.set(new.created_at_ms),
    ]
    live = SessionItem.PK.exists() & SessionItem.superseded_at_ms.does_not_exist()
    try:
        transact(
            [Write("update", old, live, superseded), Write("put", new, SessionItem.PK.does_not_exist())],
            attempts=1,
        )
    except TRANSACTION_FAILURES as error:
        raise SessionGone() from error


# A family grows by one session per refresh; a token lives an hour, so this is far above any real one.
MAX_FAMILY_SESSIONS = 500


def family(family_id: str) -> list[SessionItem]:
    """Every session of a refresh family: one Query on GSI2 `FAMILY#{id}` (plus its pages)."""
    found = SessionItem.gsi2.query(f"FAMILY#{family_id}", limit=MAX_FAMILY_SESSIONS)
    return [item for item in found if isinstance(item, SessionItem)]


def delete_all(sessions: list[SessionItem]) -> None:
    """Delete these sessions in batches of 25 (BatchWriteItem); already gone ones are no error."""
    with SessionItem.batch_write() as batch:
        for session in sessions:
            batch.delete(session)


def get(session_id: str) -> SessionItem | None:
    return reads.item(*session_key(session_id), SessionItem)


def of_user(user_id: int, limit: int) -> list[SessionItem]:
    """A user's sessions, newest first: one Query on GSI1 `USER#{uid}#SESSIONS`."""
    found = SessionItem.gsi1.query(f"USER#{user_id}#SESSIONS", scan_index_forward=False, limit=limit)
    return [item for item in found if isinstance(item, SessionItem)]
