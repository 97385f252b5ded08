"""Brute-force lockouts (ASVS 6.3.1): failed sign-ins, reset and verification tokens and
`x-app-token` guesses, counted in DynamoDB per account and client.

- A client that fails `lockout_threshold` times (default 10) against one account, each failure
  within WINDOW_SECONDS (plus the longest lock) of the one before, is locked out of that account: every further attempt answers the surface's
  429 with `Retry-After`, without checking anything. The lock lasts FIRST_LOCK_SECONDS and
  doubles with every failure after it, up to MAX_LOCK_SECONDS.
- The lock is per account *and* client, so an attacker does not lock the owner out; only
  `lockout_account_ceiling` failures (default 100) from all clients together lock the account
  itself, with the same back-off.
- A successful sign-in clears that client's counter; a password reset clears the account's.
- Every lock is audited (`auth.lockout`) and counted as the `Lockout` metric.

Cost: reading the counters is one BatchGetItem; a failure is one conditional UpdateItem per
counter (client, account). Counters live in DynamoDB with a TTL; a counter that cannot be read
or written lets the attempt through (the lockout must not become the reason sign-in fails).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from gatehouse import clock
from gatehouse.data import lockouts as store
from gatehouse.data.models import LockoutItem, UserItem
from gatehouse.errors import TooManyRequests
from gatehouse.services import audit, caller
from gatehouse.services.caller import ClientInfo
from gatehouse.settings import get_settings

WINDOW_SECONDS = 15 * 60
FIRST_LOCK_SECONDS = 60
MAX_LOCK_SECONDS = 15 * 60
# A counter is forgotten this long after its last failure: the window, plus the longest lock,
# so a client at the cap that fails again right after its lock stays at the cap.
KEEP_SECONDS = WINDOW_SECONDS + MAX_LOCK_SECONDS
# For attempts that name no account (reset and verification tokens, app tokens): the client alone.
ANY_ACCOUNT = "-"
_settings = get_settings()
_logger = logging.getLogger("gatehouse.lockouts")


class LockedOut(TooManyRequests):
    """Too many failures: rendered as the surface's 429, with `Retry-After`."""


@dataclass(frozen=True)
class Attempt:
    """One attempt of `client` against `account` in `scope` ("login", "reset", ...)."""

    scope: str
    account: str
    client: str
    # Also counted for the account from all clients together (the ceiling).
    account_wide: bool = True

    @property
    def client_key(self) -> store.Key:
        return LockoutItem.key(self.scope, self.account, self.client)

    @property
    def account_key(self) -> store.Key:
        return LockoutItem.key(self.scope, self.account, None)

    def keys(self) -> list[store.Key]:
        return [self.client_key, self.account_key] if self.account_wide else [self.client_key]


def client_of(info: ClientInfo) -> str:
    return info.ip or "unknown"


def current_client() -> str:
    """The request's caller, as its counters know it."""
    return client_of(caller.current())


def lock_seconds(failures: int, threshold: int) -> int:
    """How long `failures` lock for: nothing below `threshold`, then doubling up to the cap."""
    if failures < threshold:
        return 0
    return min(FIRST_LOCK_SECONDS << min(failures - threshold, 16), MAX_LOCK_SECONDS)


def _remaining(counter: LockoutItem | None, threshold: int, now: int) -> int:
    if counter is None or counter.expires_at <= now:
        return 0
    return max(counter.last_failure_at + lock_seconds(counter.failures, threshold) - now, 0)


def check(attempt: Attempt) -> dict[store.Key, LockoutItem]:
    """Raise LockedOut while `attempt` is locked; else the counters read (one BatchGetItem)."""
    now = clock.epoch_ms() // 1000
    try:
        counters = store.read(attempt.keys())
    except Exception:
        _logger.warning("lockout counters not read", exc_info=True)
        return {}
    wait = _remaining(counters.get(attempt.client_key), _settings.lockout_threshold, now)
    if attempt.account_wide:
        ceiling = _remaining(counters.get(attempt.account_key), _settings.lockout_account_ceiling, now)
        wait = max(wait, ceiling)
    if wait > 0:
        raise LockedOut(_settings.lockout_threshold, wait)
    return counters


def failed(attempt: Attempt, *, actor: UserItem | None = None) -> None:
    """Count a failure; a count that starts (or lengthens) a lock is audited and metered."""
    now = clock.epoch_ms() // 1000
    limits = [(attempt.client_key, _settings.lockout_threshold, "client")]
    if attempt.account_wide:
        limits.append((attempt.account_key, _settings.lockout_account_ceiling, "account"))
    for key, threshold, level in limits:
        try:
            failures = store.add_failure(key, now, KEEP_SECONDS)
        except Exception:
            _logger.warning("lockout failure not counted", exc_info=True)
            continue
        seconds = lock_seconds(failures, threshold)
        if seconds:
            audit.record(
                "auth.lockout",
                actor=actor,
                target_type="user" if actor is not None else None,
                target_id=actor.id if actor is not None else None,
                outcome="failure",
                details={"scope": attempt.scope, "level": level, "failures": failures, "seconds": seconds},
            )
            # Imported on the first lock only: powertools costs cold-start time on every sign-in route.
            from gatehouse import observability

            observability.count("Lockout")


def succeeded(attempt: Attempt, counters: dict[store.Key, LockoutItem]) -> None:
    """A success clears this client's counter (a call only when there is one)."""
    if attempt.client_key in counters:
        _clear([attempt.client_key])


def reset_account(scope: str, account: str, client: str) -> None:
    """A password reset: the account's own lock and the resetting client's counter go."""
    _clear([LockoutItem.key(scope, account, None), LockoutItem.key(scope, account, client)])


def _clear(keys: list[store.Key]) -> None:
    try:
        store.clear(keys)
    except Exception:
        _logger.warning("lockout counters not cleared", exc_info=True)


@contextmanager
def guarded(scope: str, *failures: type[BaseException]) -> Iterator[None]:
    """Run a token check for the request's caller (no account): refused at once while the caller
    is locked out of `scope`, and counted as a failure when it raises one of `failures`."""
    attempt = Attempt(scope, ANY_ACCOUNT, current_client(), account_wide=False)
    check(attempt)
    try:
        yield
    except failures:
        failed(attempt)
        raise
