"""Organization structure: organizations, departments, positions and user membership.

Counts (`departments_count`, `users_count`, `positions_count`) are numeric attributes moved
with an atomic ADD in the same transaction as the change that moves them, so they stay
exact under concurrent writes; deletes are conditional on the counts being zero, so a
refused delete never leaves a dangling reference. Totals for paging are counter items
(`COUNTER#count#...`). docs/surface-c.md lists the keys and what each list costs.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pynamodb.exceptions import DoesNotExist
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.operand import Path, Value
from pynamodb.expressions.update import Action

from gatehouse.data import counters, reads
from gatehouse.data.models import (
    BooleanAttribute,
    CounterItem,
    IntegerAttribute,
    Item,
    UnicodeAttribute,
    UserItem,
    UserSeenItem,
    attach_seen,
    sortable_id,
    user_seen_key,
)
from gatehouse.data.writes import ConditionFailed, Write, set_actions, transact, update_existing

ORGANIZATIONS_TOTAL = "count#organizations"
DEPARTMENTS_TOTAL = "count#departments"
POSITIONS_TOTAL = "count#positions"
USERS_TOTAL = "count#users"
POSITION_SEED_MARKER = ("SEED#positions", "SEED")

# Lists read at most this many index entries (in list order) per request: the bound on a page's cost.
WINDOW = 1000
QUERY_PAGE = 250


class OrganizationItem(Item, discriminator="organization"):
    id = IntegerAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    address = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    website = UnicodeAttribute(null=True)
    is_active = BooleanAttribute(default=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    departments_count = IntegerAttribute(default=0)
    positions_count = IntegerAttribute(default=0)
    users_count = IntegerAttribute(default=0)

    @staticmethod
    def key(org_id: int) -> tuple[str, str]:
        return f"ORG#{org_id}", "ORG"


class DepartmentItem(Item, discriminator="department"):
    id = IntegerAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    organization_id = IntegerAttribute()
    is_active = BooleanAttribute(default=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    positions_count = IntegerAttribute(default=0)
    users_count = IntegerAttribute(default=0)

    @staticmethod
    def key(dept_id: int) -> tuple[str, str]:
        return f"DEPT#{dept_id}", "DEPT"


class PositionItem(Item, discriminator="position"):
    """One entity for C's positions and A's `/api/v1/position` (A's have no department)."""

    id = IntegerAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    department_id = IntegerAttribute(null=True)
    organization_id = IntegerAttribute(null=True)
    salary_min = IntegerAttribute(null=True)
    salary_max = IntegerAttribute(null=True)
    is_active = BooleanAttribute(default=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    users_count = IntegerAttribute(default=0)

    @staticmethod
    def key(position_id: int) -> tuple[str, str]:
        return f"POS#{position_id}", "POS"


class PagesItem(Item, discriminator="pages"):
    """The page blocks of an organization's, a department's or a position's users: `b{block}`
    attributes counting its users per `BLOCK` consecutive ids (gatehouse.data.directory reads
    them to reach any page in one Query). Beside the scope's own item, under its partition."""

    @staticmethod
    def key(organization_id: int) -> tuple[str, str]:
        return f"ORG#{organization_id}", "PAGES"

    @staticmethod
    def department_key(department_id: int) -> tuple[str, str]:
        return f"DEPT#{department_id}", "PAGES"

    @staticmethod
    def position_key(position_id: int) -> tuple[str, str]:
        return f"POS#{position_id}", "PAGES"


# Users are counted per block of this many consecutive ids (see gatehouse.data.directory).
BLOCK = 32


def block_of(user_id: int) -> str:
    return f"b{user_id // BLOCK}"


def block_actions(user_ids: Iterable[int], delta: int) -> list[Action]:
    """ADDs moving the page blocks of `user_ids` by `delta` each (top-level attributes: ADD
    works on no nested path)."""
    per_block: dict[str, int] = {}
    for user_id in user_ids:
        per_block[block_of(user_id)] = per_block.get(block_of(user_id), 0) + 1
    return [Path(block).add(Value({"N": str(count * delta)})) for block, count in sorted(per_block.items())]


def pages_change(organization_id: int, user_ids: Iterable[int], delta: int) -> Write:
    return pages_write(PagesItem.key(organization_id), user_ids, delta)


def pages_write(key: tuple[str, str], user_ids: Iterable[int], delta: int) -> Write:
    """The ADDs moving one scope's page blocks (`key`: one of PagesItem's keys)."""
    pages = PagesItem(*key)
    return Write("update", pages, actions=[*block_actions(user_ids, delta), PagesItem.entity.set(PagesItem)])


class SeedMarkerItem(Item, discriminator="seed"):
    """Written once with the seeded rows, so seeding never repeats (even after they are deleted)."""


# A refused write here: its labels name the organization, department or position that no
# longer exists (or changed meanwhile).
ReferenceGone = ConditionFailed


class StillReferenced(Exception):
    """A delete or move was refused because something still belongs to the item."""


class ChangedMeanwhile(Exception):
    """An update lost to a concurrent write (the item was moved or deleted since it was read)."""


def count_change(name: str, delta: int) -> Write:
    counter = CounterItem(*CounterItem.key(name))
    return Write(
        "update", counter, actions=[CounterItem.value.add(delta), CounterItem.entity.set(CounterItem)]
    )


def total(name: str) -> int:
    return counters.current(name)


def _adds(item: Item, label: str, **deltas: int) -> Write:
    model = type(item)
    actions = [getattr(model, name).add(delta) for name, delta in deltas.items()]
    return Write("update", item, condition=model.PK.exists(), actions=actions, label=label)


# ---- reads ----

_T = TypeVar("_T", bound=Item)


def _get(model: type[_T], key: tuple[str, str]) -> _T | None:
    try:
        return model.get(*key)
    except DoesNotExist:
        return None


def get_organization(org_id: int) -> OrganizationItem | None:
    return _get(OrganizationItem, OrganizationItem.key(org_id))


def get_department(dept_id: int) -> DepartmentItem | None:
    return _get(DepartmentItem, DepartmentItem.key(dept_id))


def get_position(position_id: int) -> PositionItem | None:
    return _get(PositionItem, PositionItem.key(position_id))


@dataclass
class Related:
    """Organizations, departments and positions by id, fetched together for a page."""

    organizations: dict[int, OrganizationItem]
    departments: dict[int, DepartmentItem]
    positions: dict[int, PositionItem]


def related(
    organization_ids: Iterable[int | None] = (),
    department_ids: Iterable[int | None] = (),
    position_ids: Iterable[int | None] = (),
    seen_of: Sequence[UserItem] = (),
) -> Related:
    """One BatchGetItem (chunked by 100) for every referenced item of a page; with `seen_of`
    (a page of users read from an index), their SEEN timestamps come in the same call."""
    keys = [OrganizationItem.key(i) for i in {i for i in organization_ids if i is not None}]
    keys += [DepartmentItem.key(i) for i in {i for i in department_ids if i is not None}]
    keys += [PositionItem.key(i) for i in {i for i in position_ids if i is not None}]
    users_by_id = {user.id: user for user in seen_of}
    keys += [user_seen_key(user_id) for user_id in users_by_id]
    found = Related({}, {}, {})
    for item in reads.items_in_batches(keys):
        if isinstance(item, UserSeenItem):
            seen_user = users_by_id.get(int(item.PK.removeprefix("USER#")))
            if seen_user is not None:
                attach_seen(seen_user, item)
        elif isinstance(item, OrganizationItem):
            found.organizations[item.id] = item
        elif isinstance(item, DepartmentItem):
            found.departments[item.id] = item
        elif isinstance(item, PositionItem):
            found.positions[item.id] = item
    return found


def window(index_name: str, partition: str, limit: int = WINDOW) -> list[Item]:
    """The first `limit` entries of an index partition in sort-key order: at most
    ceil(limit / QUERY_PAGE) Query calls, whatever the partition's size."""
    return reads.partition_window(
        partition, index_name=index_name, limit=max(limit, 0), page_size=min(QUERY_PAGE, max(limit, 1))
    ).items


# ---- index keys ----

# Organizations, departments and positions are listed by name (the original's `orderBy('name')`),
# the id breaking ties: their sort keys are the case-folded name, a separator, then the
# zero-padded id. The separator sorts below every character a name key keeps, so "IT" comes
# before "IT 2"; the name part is clipped to stay well inside DynamoDB's 1024-byte sort key.
# A rename rewrites these keys in the same UpdateItem as the name, and a move rewrites only the
# partition keys, so concurrent renames and moves always leave an item's keys matching its name.
NAME_KEY_MAX_BYTES = 800
_NAME_KEY_END = "\x1f"


def name_order(name: str, item_id: int) -> str:
    folded = "".join(c for c in unicodedata.normalize("NFKC", name).casefold() if c > _NAME_KEY_END)
    clipped = folded.encode()[:NAME_KEY_MAX_BYTES].decode(errors="ignore")
    return f"{clipped}{_NAME_KEY_END}{sortable_id(item_id)}"


def organizations_partition() -> tuple[str, str]:
    return "GSI1", "ORGS"


def departments_partition(organization_id: int | None) -> tuple[str, str]:
    return ("GSI1", "DEPTS") if organization_id is None else ("GSI2", f"ORG#{organization_id}#DEPTS")


def positions_partition(department_id: int | None, organization_id: int | None) -> tuple[str, str]:
    """By name: a department's, an organization's, or every position."""
    if department_id is not None:
        return "GSI2", f"DEPT#{department_id}#POSITIONS"
    if organization_id is not None:
        return "GSI3", f"ORG#{organization_id}#POSITIONS"
    return "GSI4", "POSITIONS"


def positions_by_id_partition() -> tuple[str, str]:
    """Every position in id order (A's `/api/v1/position`)."""
    return "GSI1", "POSITIONS"


def users_partition(
    organization_id: int | None, department_id: int | None, position_id: int | None
) -> tuple[str, str]:
    if position_id is not None:
        return "GSI4", f"POS#{position_id}#USERS"
    if department_id is not None:
        return "GSI3", f"DEPT#{department_id}#USERS"
    if organization_id is not None:
        return "GSI2", f"ORG#{organization_id}#USERS"
    return "GSI1", "USERS"


def _position_partitions(department_id: int | None, organization_id: int | None) -> dict[str, Any]:
    return {
        "GSI2PK": None if department_id is None else f"DEPT#{department_id}#POSITIONS",
        "GSI3PK": None if organization_id is None else f"ORG#{organization_id}#POSITIONS",
    }


def _position_name_keys(name: str, position_id: int) -> dict[str, Any]:
    """Written whether or not the position has a department or organization, so that a later
    move only sets partition keys and never races a rename over the sort keys."""
    key = name_order(name, position_id)
    return {"GSI2SK": key, "GSI3SK": key, "GSI4SK": key}


def _position_index(position: PositionItem) -> None:
    position.GSI1PK, position.GSI1SK = "POSITIONS", f"POS#{sortable_id(position.id)}"
    position.GSI4PK = "POSITIONS"
    keys = {
        **_position_partitions(position.department_id, position.organization_id),
        **_position_name_keys(position.name, position.id),
    }
    for name, value in keys.items():
        setattr(position, name, value)


def _membership_index(user_id: int, org: int | None, dept: int | None, pos: int | None) -> dict[str, Any]:
    sort_key = f"USER#{sortable_id(user_id)}"
    return {
        "GSI2PK": None if org is None else f"ORG#{org}#USERS",
        "GSI2SK": None if org is None else sort_key,
        "GSI3PK": None if dept is None else f"DEPT#{dept}#USERS",
        "GSI3SK": None if dept is None else sort_key,
        "GSI4PK": None if pos is None else f"POS#{pos}#USERS",
        "GSI4SK": None if pos is None else sort_key,
    }


# ---- organizations ----


def new_organization(org_id: int, stamp: str, fields: dict[str, Any]) -> OrganizationItem:
    return OrganizationItem(
        *OrganizationItem.key(org_id),
        id=org_id,
        created_at=stamp,
        updated_at=stamp,
        GSI1PK="ORGS",
        GSI1SK=name_order(fields["name"], org_id),
        **fields,
    )


def create_organization(org_id: int, stamp: str, fields: dict[str, Any]) -> OrganizationItem:
    org = new_organization(org_id, stamp, fields)
    transact([Write("put", org, OrganizationItem.PK.does_not_exist()), count_change(ORGANIZATIONS_TOTAL, 1)])
    return org


def update_organization(org: OrganizationItem, changes: dict[str, Any]) -> None:
    if "name" in changes:
        changes = {**changes, "GSI1SK": name_order(changes["name"], org.id)}
    if not update_existing(org, changes):
        raise ReferenceGone({"organization"})


def delete_organization(org: OrganizationItem) -> None:
    """Only an organization without departments, positions and users; checked by the delete itself."""
    empty = (
        OrganizationItem.PK.exists()
        & (OrganizationItem.departments_count == 0)
        & (OrganizationItem.positions_count == 0)
        & (OrganizationItem.users_count == 0)
    )
    try:
        transact([Write("delete", org, empty, label="organization"), count_change(ORGANIZATIONS_TOTAL, -1)])
    except ReferenceGone:
        raise StillReferenced() from None


# ---- departments ----


def create_department(
    dept_id: int, stamp: str, organization_id: int, fields: dict[str, Any]
) -> DepartmentItem:
    sort_key = name_order(fields["name"], dept_id)
    dept = DepartmentItem(
        *DepartmentItem.key(dept_id),
        id=dept_id,
        organization_id=organization_id,
        created_at=stamp,
        updated_at=stamp,
        GSI1PK="DEPTS",
        GSI1SK=sort_key,
        GSI2PK=f"ORG#{organization_id}#DEPTS",
        GSI2SK=sort_key,
        **fields,
    )
    transact(
        [
            Write("put", dept, DepartmentItem.PK.does_not_exist()),
            _adds(
                OrganizationItem(*OrganizationItem.key(organization_id)), "organization", departments_count=1
            ),
            count_change(DEPARTMENTS_TOTAL, 1),
        ]
    )
    return dept


def update_department(dept: DepartmentItem, changes: dict[str, Any]) -> None:
    """Moving a department to another organization is allowed only while it has no users or positions."""
    new_org = changes.get("organization_id", dept.organization_id)
    same_organization = DepartmentItem.organization_id == dept.organization_id
    if "name" in changes:
        key = name_order(changes["name"], dept.id)
        changes = {**changes, "GSI1SK": key, "GSI2SK": key}
    if new_org == dept.organization_id:
        changes.pop("organization_id", None)
        if not update_existing(dept, changes, same_organization):
            raise ChangedMeanwhile()
        return
    changes = {**changes, "GSI2PK": f"ORG#{new_org}#DEPTS"}
    empty = (
        DepartmentItem.PK.exists()
        & same_organization
        & (DepartmentItem.users_count == 0)
        & (DepartmentItem.positions_count == 0)
    )
    try:
        transact(
            [
                Write("update", dept, empty, set_actions(DepartmentItem, changes), label="department"),
                _adds(
                    OrganizationItem(*OrganizationItem.key(dept.organization_id)), "old", departments_count=-1
                ),
                _adds(OrganizationItem(*OrganizationItem.key(new_org)), "organization", departments_count=1),
            ]
        )
    except ReferenceGone as gone:
        if "department" in gone.labels:
            raise StillReferenced() from None
        raise
    for name, value in changes.items():
        setattr(dept, name, value)


def delete_department(dept: DepartmentItem) -> None:
    empty = (
        DepartmentItem.PK.exists() & (DepartmentItem.users_count == 0) & (DepartmentItem.positions_count == 0)
    )
    try:
        transact(
            [
                Write("delete", dept, empty, label="department"),
                _adds(
                    OrganizationItem(*OrganizationItem.key(dept.organization_id)),
                    "organization",
                    departments_count=-1,
                ),
                count_change(DEPARTMENTS_TOTAL, -1),
            ]
        )
    except ReferenceGone:
        raise StillReferenced() from None


# ---- positions ----


def _position_count_moves(position: PositionItem, delta: int) -> list[Write]:
    moves: list[Write] = []
    if position.department_id is not None:
        dept = DepartmentItem(*DepartmentItem.key(position.department_id))
        moves.append(_adds(dept, "department", positions_count=delta))
    if position.organization_id is not None:
        org = OrganizationItem(*OrganizationItem.key(position.organization_id))
        moves.append(_adds(org, "organization", positions_count=delta))
    return moves


def new_position(position_id: int, stamp: str, fields: dict[str, Any]) -> PositionItem:
    position = PositionItem(
        *PositionItem.key(position_id), id=position_id, created_at=stamp, updated_at=stamp, **fields
    )
    _position_index(position)
    return position


def create_position(position: PositionItem) -> None:
    transact(
        [
            Write("put", position, PositionItem.PK.does_not_exist()),
            *_position_count_moves(position, 1),
            count_change(POSITIONS_TOTAL, 1),
        ]
    )


def update_position(position: PositionItem, changes: dict[str, Any]) -> None:
    """A new department moves the position's counts between departments (and organizations)."""
    moved = PositionItem(
        position.PK,
        position.SK,
        id=position.id,
        department_id=changes.get("department_id", position.department_id),
        organization_id=changes.get("organization_id", position.organization_id),
    )
    same_department = (
        PositionItem.department_id == position.department_id
        if position.department_id is not None
        else PositionItem.department_id.does_not_exist()
    )
    if "name" in changes:
        changes = {**changes, **_position_name_keys(changes["name"], position.id)}
    if (moved.department_id, moved.organization_id) == (position.department_id, position.organization_id):
        changes = {k: v for k, v in changes.items() if k not in ("department_id", "organization_id")}
        if not update_existing(position, changes, same_department):
            raise ChangedMeanwhile()
        return
    changes = {
        **changes,
        "department_id": moved.department_id,
        "organization_id": moved.organization_id,
        **_position_partitions(moved.department_id, moved.organization_id),
    }
    try:
        transact(
            [
                Write(
                    "update",
                    position,
                    PositionItem.PK.exists() & same_department,
                    set_actions(PositionItem, changes),
                    label="position",
                ),
                *_position_count_transfer(position, moved),
            ]
        )
    except ReferenceGone as gone:
        if "position" in gone.labels:
            raise ChangedMeanwhile() from None
        raise  # the new department or organization is gone
    for name, value in changes.items():
        setattr(position, name, value)


def _position_count_transfer(old: PositionItem, new: PositionItem) -> list[Write]:
    """Count moves for a position changing department: only the parents that change (a move
    between two departments of one organization leaves its count alone; one transaction may
    not touch an item twice)."""
    leaving, joining = PositionItem(), PositionItem()
    if old.department_id != new.department_id:
        leaving.department_id, joining.department_id = old.department_id, new.department_id
    if old.organization_id != new.organization_id:
        leaving.organization_id, joining.organization_id = old.organization_id, new.organization_id
    return [_relabel(w, "old") for w in _position_count_moves(leaving, -1)] + _position_count_moves(
        joining, 1
    )


def _relabel(write: Write, label: str) -> Write:
    return Write(write.operation, write.item, write.condition, write.actions, label)


def delete_position(position: PositionItem) -> None:
    empty = PositionItem.PK.exists() & (PositionItem.users_count == 0)
    try:
        transact(
            [
                Write("delete", position, empty, label="position"),
                *[_relabel(w, "old") for w in _position_count_moves(position, -1)],
                count_change(POSITIONS_TOTAL, -1),
            ]
        )
    except ReferenceGone as gone:
        if "position" in gone.labels:
            raise StillReferenced() from None
        raise


def positions_seeded() -> bool:
    return _get(SeedMarkerItem, POSITION_SEED_MARKER) is not None


def seed_positions(positions: Sequence[PositionItem]) -> bool:
    """Write the seed rows once: the marker's condition makes concurrent seeders agree on one winner.

    The position id counter is first raised to the last seeded id, so ids issued later follow them.
    """
    last_id = max(position.id for position in positions)
    counters.advance("position", last_id)
    marker = SeedMarkerItem(*POSITION_SEED_MARKER)
    try:
        transact(
            [
                Write("put", marker, SeedMarkerItem.PK.does_not_exist(), label="marker"),
                *[Write("put", p, PositionItem.PK.does_not_exist(), label="position") for p in positions],
                count_change(POSITIONS_TOTAL, len(positions)),
            ]
        )
    except ReferenceGone:
        return False
    return True


# ---- user membership ----


@dataclass(frozen=True)
class Membership:
    organization_id: int | None = None
    department_id: int | None = None
    position_id: int | None = None

    @classmethod
    def of(cls, user: UserItem) -> Membership:
        return cls(user.organization_id, user.department_id, user.position_id)


def _membership_counts(user_id: int, membership: Membership, delta: int, suffix: str = "") -> list[Write]:
    writes = []
    if membership.organization_id is not None:
        org = OrganizationItem(*OrganizationItem.key(membership.organization_id))
        writes.append(_adds(org, f"organization{suffix}", users_count=delta))
        writes.append(pages_change(membership.organization_id, [user_id], delta))
    if membership.department_id is not None:
        dept = DepartmentItem(*DepartmentItem.key(membership.department_id))
        writes.append(_adds(dept, f"department{suffix}", users_count=delta))
        writes.append(pages_write(PagesItem.department_key(membership.department_id), [user_id], delta))
    if membership.position_id is not None:
        position = PositionItem(*PositionItem.key(membership.position_id))
        writes.append(_adds(position, f"position{suffix}", users_count=delta))
        writes.append(pages_write(PagesItem.position_key(membership.position_id), [user_id], delta))
    return writes


def membership_unchanged(user: UserItem) -> Condition:
    """The user's stored membership is still what was read (guards counts against concurrent moves)."""
    condition: Condition = UserItem.PK.exists()
    for name in ("organization_id", "department_id", "position_id"):
        attribute = getattr(UserItem, name)
        value = getattr(user, name)
        condition &= attribute.does_not_exist() if value is None else attribute == value
    return condition


def membership_removal(user: UserItem) -> list[Write]:
    """Count moves for deleting `user` (to go in the delete's transaction)."""
    return _membership_counts(user.id, Membership.of(user), -1, "_old")


def membership_addition(user: UserItem) -> list[Write]:
    """Count moves for creating `user` with the membership it already holds (to go in the
    create's transaction; each parent must exist)."""
    return _membership_counts(user.id, Membership.of(user), 1)


def assign_membership(user: UserItem, membership: Membership) -> None:
    """Give a user not yet stored its organization, department and position, with the index
    keys that list it under each (the counts move in `membership_addition`)."""
    user.organization_id = membership.organization_id
    user.department_id = membership.department_id
    user.position_id = membership.position_id
    for name, value in _membership_index(
        user.id, membership.organization_id, membership.department_id, membership.position_id
    ).items():
        setattr(user, name, value)


def move_user(user: UserItem, target: Membership, stamp: str, also: Sequence[Write] = ()) -> None:
    """Set the user's organization/department/position, moving every count (and `also`: the
    search index's moves) in one transaction."""
    current = Membership.of(user)
    if current == target:
        return
    # Only the parts that change move their counts (a new position in the same department
    # leaves the department's and organization's counts alone).
    old = Membership(
        *(
            None if getattr(current, f) == getattr(target, f) else getattr(current, f)
            for f in ("organization_id", "department_id", "position_id")
        )
    )
    new = Membership(
        *(
            None if getattr(current, f) == getattr(target, f) else getattr(target, f)
            for f in ("organization_id", "department_id", "position_id")
        )
    )
    changes: dict[str, Any] = {
        "organization_id": target.organization_id,
        "department_id": target.department_id,
        "position_id": target.position_id,
        "updated_at": stamp,
        **_membership_index(user.id, target.organization_id, target.department_id, target.position_id),
    }
    transact(
        [
            Write("update", user, membership_unchanged(user), set_actions(UserItem, changes), label="user"),
            *_membership_counts(user.id, old, -1, "_old"),
            *_membership_counts(user.id, new, 1),
            *also,
        ]
    )
    for name, value in changes.items():
        setattr(user, name, value)


def first_members(index_name: str, partition: str, limit: int) -> list[UserItem]:
    return [item for item in window(index_name, partition, limit) if isinstance(item, UserItem)]
