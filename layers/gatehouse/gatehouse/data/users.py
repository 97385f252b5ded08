"""Users and the uniqueness items that guard their emails, logins and the single super."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NoReturn

from pynamodb.exceptions import DoesNotExist, UpdateError
from pynamodb.expressions.condition import Condition

from gatehouse.data import counters, directory, org, reads
from gatehouse.data.models import (
    Item,
    UniqueItem,
    UserItem,
    UserSeenItem,
    attach_seen,
    sortable_id,
    user_key,
    user_seen_key,
)
from gatehouse.data.writes import ConditionFailed, Write, set_actions, transact

SUPER_ROLE_CLAIM = ("role", "super")
# How many users exist (C's and D's lists answer a `total`); an atomic ADD beside each create/delete.
POPULATION_COUNTER = org.USERS_TOTAL


class ValuesTaken(Exception):
    """The user could not be written because unique values are owned by someone else."""

    def __init__(self, kinds: set[str]) -> None:
        super().__init__(", ".join(sorted(kinds)))
        self.kinds = kinds


# Kept on the user's `SEEN` item (UserSeenItem), not on the indexed user item.
SEEN_FIELDS = frozenset({"last_login_at", "last_activity_at"})


def get(user_id: int) -> UserItem | None:
    """The user with their `SEEN` timestamps: one BatchGetItem of both items."""
    return read(user_id)[0]


def read(user_id: int, *other_keys: tuple[str, str]) -> tuple[UserItem | None, list[Item]]:
    """The user with their `SEEN` timestamps, and the other items asked for, in one BatchGetItem."""
    user: UserItem | None = None
    seen: UserSeenItem | None = None
    others: list[Item] = []
    for item in reads.items([user_key(user_id), *other_keys, user_seen_key(user_id)]):
        if isinstance(item, UserItem):
            user = item
        elif isinstance(item, UserSeenItem):
            seen = item
        else:
            others.append(item)
    if user is not None:
        attach_seen(user, seen)
    return user, others


def with_seen(found: Iterable[UserItem]) -> None:
    """Attach the `SEEN` timestamps to users read from an index (a list page): one BatchGetItem
    per `reads.BATCH_GET_KEYS` users."""
    by_id = {user.id: user for user in found}
    for item in reads.items_in_batches([user_seen_key(user_id) for user_id in by_id]):
        user = by_id.get(int(item.PK.removeprefix("USER#")))
        if user is not None and isinstance(item, UserSeenItem):
            attach_seen(user, item)


def record_login(user: UserItem, at: str) -> None:
    """Set `last_login_at`: one UpdateItem of the user's `SEEN` item (no index entry moves)."""
    _update_seen(user, {"last_login_at": at})


def owner_of(kind: str, value: str) -> int | None:
    try:
        return UniqueItem.get(*UniqueItem.key(kind, value)).owner_id
    except DoesNotExist:
        return None


def find_by(kind: str, value: str) -> UserItem | None:
    owner = owner_of(kind, value)
    return None if owner is None else get(owner)


# Read in place of a missing account: the first user (ids count from 1), whose item exists
# once anybody has signed up. Its item is fetched and parsed like the account's would be, then
# dropped, so a missing account costs what a known one costs (ASVS 6.3.8).
_STAND_IN = 1


def find_at_constant_cost(kind: str, value: str) -> UserItem | None:
    """`find_by` at the same cost whether or not the account exists: an unknown one still
    fetches and parses one user item (another user's, never returned), so both paths make
    two GetItems and the same work on their answers."""
    owner = owner_of(kind, value)
    user = get(owner if owner is not None else _STAND_IN)
    return user if owner is not None else None


def _claim(kind: str, value: str, owner_id: int) -> Write:
    """Take a unique value: refused (labelled with its kind) when someone already holds it."""
    claim = UniqueItem(*UniqueItem.key(kind, value), owner_id=owner_id)
    return Write("put", claim, UniqueItem.PK.does_not_exist(), label=kind)


def _release(kind: str, value: str, owner_id: int) -> Write:
    """Give a unique value up, only while `owner_id` holds it."""
    return Write("delete", UniqueItem(*UniqueItem.key(kind, value)), UniqueItem.owner_id == owner_id)


def _new_items(items: Sequence[Item]) -> list[Write]:
    return [Write("put", item, type(item).PK.does_not_exist()) for item in items]


def _raise_taken(refused: ConditionFailed, claims: Sequence[tuple[str, str]]) -> NoReturn:
    """ValuesTaken naming the claimed kinds someone else holds; any other refusal as it is."""
    taken = refused.labels & {kind for kind, _ in claims}
    if not taken:
        raise refused
    raise ValuesTaken(taken) from None


def super_exists() -> bool:
    """A hint only: the claim in `create` is what enforces a single super."""
    return owner_of(*SUPER_ROLE_CLAIM) is not None


def create(user: UserItem, claims: Sequence[tuple[str, str]], also: Sequence[Item] = ()) -> None:
    """Write the user and claim each (kind, value) in one transaction.

    The uniqueness items go in the same transaction as the user so that two
    concurrent sign-ups with one email can never both succeed, and a failed
    sign-up never leaves an orphan claim behind. `also` (new items: the verification
    token, the mail that carries it) is written in the same transaction, after the claims.
    """
    try:
        transact(
            [
                Write("put", user, UserItem.PK.does_not_exist(), label="user"),
                *[_claim(kind, value, user.id) for kind, value in claims],
                *_new_items(also),
                *directory.index_changes([], [directory.Entry.of(user)]),
            ]
        )
    except ConditionFailed as refused:
        _raise_taken(refused, claims)
    # Outside the transaction: every sign-up touching one hot item would make concurrent ones conflict.
    directory.population_change([user.id], 1)


def promote_to_super(user: UserItem, stamp: str) -> None:
    """Claim the single super for `user` and set their role, in one transaction."""
    changes = {"role": "super", "updated_at": stamp}
    try:
        transact(
            [
                Write("update", user, UserItem.PK.exists(), set_actions(UserItem, changes), label="user"),
                _claim(*SUPER_ROLE_CLAIM, user.id),
            ],
            attempts=1,
        )
    except ConditionFailed as refused:
        _raise_taken(refused, [SUPER_ROLE_CLAIM])
    for name, value in changes.items():
        setattr(user, name, value)


def update(user: UserItem, **changes: Any) -> None:
    """Set attributes on an existing user (never creates one); `SEEN_FIELDS` go to the `SEEN`
    item."""
    seen = {name: changes.pop(name) for name in SEEN_FIELDS & set(changes)}
    if changes:
        user.update(actions=set_actions(UserItem, changes), condition=UserItem.PK.exists())
    if seen:
        _update_seen(user, seen)


def _update_seen(user: UserItem, changes: dict[str, Any], condition: Condition | None = None) -> bool:
    """Set `SEEN` timestamps (the item is created by its first write); False when `condition`
    does not hold."""
    seen = UserSeenItem(*user_seen_key(user.id))
    try:
        seen.update(
            actions=[*set_actions(UserSeenItem, changes), UserSeenItem.entity.set(UserSeenItem)],
            condition=condition,
        )
    except UpdateError as error:
        if condition is not None and error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    for name, value in changes.items():
        setattr(user, name, value)
    return True


def update_with_claims(
    user: UserItem,
    changes: dict[str, Any],
    add_claims: Sequence[tuple[str, str]],
    drop_claims: Sequence[tuple[str, str]],
    also: Sequence[Item] = (),
    condition: Condition | None = None,
) -> None:
    """Change the user and move their unique claims (a new email or login) atomically, with
    `also` (new items: tokens, mail) in the same transaction. `condition` must hold on the user."""
    required = UserItem.PK.exists() if condition is None else UserItem.PK.exists() & condition
    try:
        transact(
            [
                Write("update", user, required, set_actions(UserItem, changes), label="user"),
                *[_claim(kind, value, user.id) for kind, value in add_claims],
                *[_release(kind, value, user.id) for kind, value in drop_claims],
                *_new_items(also),
                *directory.index_changes([directory.Entry.of(user)], [directory.Entry.of(user, **changes)]),
            ]
        )
    except ConditionFailed as refused:
        _raise_taken(refused, add_claims)
    for name, value in changes.items():
        setattr(user, name, value)


def delete(user: UserItem, claims: Sequence[tuple[str, str]]) -> None:
    """Remove the user and release their claims in one transaction, which also takes the user
    out of their organization's, department's and position's `users_count`."""
    transact(
        [
            Write("delete", user, org.membership_unchanged(user)),
            Write("delete", UserSeenItem(*user_seen_key(user.id))),
            *[_release(kind, value, user.id) for kind, value in claims],
            *org.membership_removal(user),
            *directory.index_changes([directory.Entry.of(user)], []),
        ]
    )
    directory.population_change([user.id], -1)


def population() -> int:
    """How many users exist: one GetItem on the count kept beside every create and delete."""
    return counters.current(POPULATION_COUNTER)


def page(limit: int, after_id: int | None = None) -> tuple[list[UserItem], int | None]:
    """Users in id order, `limit` at a time: one Query on GSI1, whatever the table holds.

    Returns the page and the id to continue after (None on the last page).
    """
    after = f"USER#{sortable_id(after_id)}" if after_id is not None else None
    window = reads.partition_window("USERS", index_name="GSI1", after=after, kind=UserItem, limit=limit)
    found = [item for item in window.items if isinstance(item, UserItem)]
    return found, (found[-1].id if found and window.more else None)


def touch_activity(user: UserItem, at: str, stale_before: str) -> None:
    """Set `last_activity_at` only when the stored one is missing or older than `stale_before`.

    The condition keeps concurrent requests from writing more than once per interval; a
    failed condition means someone else already recorded the activity.
    """
    stale = UserSeenItem.last_activity_at.does_not_exist() | (UserSeenItem.last_activity_at < stale_before)
    _update_seen(user, {"last_activity_at": at}, condition=stale)
