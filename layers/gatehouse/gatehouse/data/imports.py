"""Bulk loading from the original systems (the `gatehouse import` command).

Each imported row leaves a marker `IMPORT#{source}#{original id}` → the Gatehouse user id,
written in the same transaction as the user (or as the change that merged the row into an
existing user), so a re-run or a resumed run skips what is done and never duplicates it.
Counters are moved past imported ids with a conditional SET (a max), never read-then-write.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from gatehouse.data import directory, org
from gatehouse.data.models import IntegerAttribute, Item, UnicodeAttribute, UniqueItem, UserItem
from gatehouse.data.writes import TRANSACTION_FAILURES, ConditionFailed, Write, set_actions, transact

# BatchGetItem's limit.
BATCH_SIZE = 100


class ImportMarkerItem(Item, discriminator="import_marker"):
    """One imported row: which Gatehouse user it became and how (created, merged)."""

    source = UnicodeAttribute()
    original_id = UnicodeAttribute()
    user_id = IntegerAttribute()
    outcome = UnicodeAttribute()
    at = UnicodeAttribute()

    @staticmethod
    def key(source: str, original_id: str) -> tuple[str, str]:
        return f"IMPORT#{source}#{original_id}", "IMPORT"


class RowTaken(Exception):
    """The row could not be written: `kinds` names what someone else already owns
    ("user" for the id, "marker" when the row was imported meanwhile, or claim kinds)."""

    def __init__(self, kinds: set[str]) -> None:
        super().__init__(", ".join(sorted(kinds)))
        self.kinds = kinds


def new_marker(source: str, original_id: str, user_id: int, outcome: str, at: str) -> ImportMarkerItem:
    return ImportMarkerItem(
        *ImportMarkerItem.key(source, original_id),
        source=source,
        original_id=original_id,
        user_id=user_id,
        outcome=outcome,
        at=at,
    )


def markers(source: str, original_ids: Sequence[str]) -> dict[str, ImportMarkerItem]:
    """The markers that exist among `original_ids` (one BatchGetItem per 100)."""
    found: dict[str, ImportMarkerItem] = {}
    distinct = list(dict.fromkeys(original_ids))
    for start in range(0, len(distinct), BATCH_SIZE):
        keys = [ImportMarkerItem.key(source, oid) for oid in distinct[start : start + BATCH_SIZE]]
        for item in ImportMarkerItem.batch_get(keys):
            if isinstance(item, ImportMarkerItem):
                found[item.original_id] = item
    return found


def owners(kind: str, values: Sequence[str]) -> dict[str, int]:
    """Who owns each of the (canonical) `values` of a claim kind (one BatchGetItem per 100)."""
    found: dict[str, int] = {}
    distinct = list(dict.fromkeys(values))
    for start in range(0, len(distinct), BATCH_SIZE):
        chunk = distinct[start : start + BATCH_SIZE]
        by_key = {UniqueItem.key(kind, value)[0]: value for value in chunk}
        for item in UniqueItem.batch_get([UniqueItem.key(kind, value) for value in chunk]):
            if isinstance(item, UniqueItem):
                found[by_key[item.PK]] = item.owner_id
    return found


# One transaction holds at most 100 items.
TRANSACTION_ITEMS = 100


def create_user(user: UserItem, claims: Sequence[tuple[str, str]], marker: ImportMarkerItem) -> None:
    """The user, their claims, the row's marker and the counts of the organization, department
    and position the user belongs to, in one transaction: all or nothing."""
    try:
        transact(user_writes(user, claims, marker))
    except ConditionFailed as gone:
        raise RowTaken(set(gone.labels)) from None


def create_users(created: Sequence[tuple[UserItem, Sequence[tuple[str, str]], ImportMarkerItem]]) -> bool:
    """Several users without memberships (no shared count to move) in one transaction, all or
    nothing: False, with nothing written, when any of their conditions fails (the caller then
    writes them one by one and learns which)."""
    writes = [write for user, claims, marker in created for write in _row_writes(user, claims, marker)]
    writes += directory.index_changes([], [directory.Entry.of(user) for user, _, _ in created])
    try:
        transact(writes)
    except TRANSACTION_FAILURES:
        return False
    return True


def _claim_writes(owner_id: int, claims: Sequence[tuple[str, str]]) -> list[Write]:
    """Each claim (email, login, a kept A `_id`) as a put that fails if someone holds it."""
    return [
        Write(
            "put",
            UniqueItem(*UniqueItem.key(kind, value), owner_id=owner_id),
            UniqueItem.PK.does_not_exist(),
            label=kind,
        )
        for kind, value in claims
    ]


def user_writes(user: UserItem, claims: Sequence[tuple[str, str]], marker: ImportMarkerItem) -> list[Write]:
    """The user's items, counts and search index entries (gatehouse.data.directory)."""
    return [*_row_writes(user, claims, marker), *directory.index_changes([], [directory.Entry.of(user)])]


def _row_writes(user: UserItem, claims: Sequence[tuple[str, str]], marker: ImportMarkerItem) -> list[Write]:
    return [
        Write("put", user, UserItem.PK.does_not_exist(), label="user"),
        *_claim_writes(user.id, claims),
        Write("put", marker, ImportMarkerItem.PK.does_not_exist(), label="marker"),
        *org.membership_addition(user),
    ]


def attach(
    user: UserItem,
    changes: Mapping[str, Any],
    marker: ImportMarkerItem,
    claims: Sequence[tuple[str, str]] = (),
) -> None:
    """Merge a row into an existing user: the changes, the claims it adds (a kept A `_id`) and
    the row's marker in one transaction."""
    writes = [
        Write("put", marker, ImportMarkerItem.PK.does_not_exist(), label="marker"),
        *_claim_writes(user.id, claims),
    ]
    if changes:
        writes.append(
            Write("update", user, UserItem.PK.exists(), set_actions(UserItem, changes), label="user")
        )
        writes += directory.index_changes([directory.Entry.of(user)], [directory.Entry.of(user, **changes)])
    try:
        transact(writes)
    except ConditionFailed as gone:
        raise RowTaken(set(gone.labels)) from None
    for name, value in changes.items():
        setattr(user, name, value)


def count_users(user_ids: Sequence[int]) -> None:
    """Move the population count (and its page blocks) once for a batch of imported users."""
    directory.population_change(user_ids, 1)
