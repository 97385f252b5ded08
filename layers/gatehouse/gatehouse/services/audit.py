"""The audit log: every sign-in, sign-out, create, update, delete, role and password change.

Recorded after the action succeeded. A failure to record is logged and does not undo or
fail the action the client asked for. Never pass passwords, tokens or hashes in `details`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping

from gatehouse.clock import iso, now
from gatehouse.data import audit as audit_store
from gatehouse.data.models import UserItem
from gatehouse.services import caller
from gatehouse.services.caller import ClientInfo

logger = logging.getLogger("gatehouse.audit")

DetailValue = str | int | bool | None
MAX_HEADER_VALUE = 256


def record(
    action: str,
    *,
    client: ClientInfo | None = None,
    actor: UserItem | None = None,
    target_type: str | None = None,
    target_id: int | str | None = None,
    outcome: str = "success",
    details: Mapping[str, DetailValue] | None = None,
) -> None:
    """Record one action. `actor` is who did it (None for anonymous attempts); `client` is the
    request's caller (`caller.current()`) unless given."""
    client = client or caller.current()
    event = audit_store.new_event(
        uuid.uuid4().hex,
        iso(now()),
        action=action,
        outcome=outcome,
        actor_id=actor.id if actor else None,
        group_id=actor.group_id if actor else None,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        ip=_clip(client.ip),
        user_agent=_clip(client.user_agent),
        device_id=_clip(client.device_id),
        details=dict(details) if details else None,
    )
    try:
        audit_store.put(event)
    except Exception:
        logger.exception(
            "audit event not recorded", extra={"action": action, "request_id": client.request_id}
        )


def record_own(
    action: str, user: UserItem, *, outcome: str = "success", details: Mapping[str, DetailValue] | None = None
) -> None:
    """`action` a user took on their own account (sign-up, sign-in, sign-out, password, profile)."""
    record(action, actor=user, target_type="user", target_id=user.id, outcome=outcome, details=details)


def _clip(value: str | None) -> str | None:
    return value[:MAX_HEADER_VALUE] if value else None
