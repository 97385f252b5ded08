"""Seed a large staff directory fast, for tests and `make bench`: the items C's user writes leave
(users with their memberships, search postings and heads, page blocks, counts), written with
BatchWriteItem instead of one transaction per user.

`tokens_only` limits the search partitions written to the given tokens (every posting of
those tokens is written, the others' not at all): a request reads only its own token's
partition, so its cost is the same, and seeding 100k users stays within seconds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from gatehouse.clock import iso, now
from gatehouse.data import directory, org
from gatehouse.data.directory import HEAD, Entry, SearchHeadItem
from gatehouse.data.models import CounterItem, Item, UserItem, sortable_id
from gatehouse.data.org import Membership, OrganizationItem

FIRST_NAMES = ["Анна", "Иван", "Мария", "Пётр", "Алия", "Данияр", "Елена", "Олжас", "Ольга", "Тимур"]
LAST_NAMES = ["Смирнова", "Иванов", "Ахметова", "Петров", "Ким", "Нурланов", "Соколова", "Жаксылыков"]
# Fewer than one user in 5,000 has this last name (the bench's rare term).
RARE_LAST_NAME = "Qwertyuk"
RARE_EVERY = 5000
# An item as DynamoDB's JSON (attribute name -> {type: value}).
RawItem = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Seeded:
    organization_ids: list[int]
    user_ids: list[int]
    # With `departments`: one, of the first organization (the same id), holding all its members.
    department_ids: list[int] = field(default_factory=list)


def member(
    user_id: int, organization_id: int | None, stamp: str, department_id: int | None = None
) -> UserItem:
    last = RARE_LAST_NAME if user_id % RARE_EVERY == 7 else LAST_NAMES[user_id % len(LAST_NAMES)]
    user = UserItem.new(
        user_id,
        email=f"staff{user_id}@company.kz",
        login=f"staff{user_id}",
        password_hash="seeded-no-password",
        first_name=FIRST_NAMES[(user_id // 7) % len(FIRST_NAMES)],
        last_name=last,
        phone=f"+7701{user_id:07d}",
        created_at=stamp,
        updated_at=stamp,
    )
    org.assign_membership(user, Membership(organization_id, department_id))
    return user


def seed(
    users: int,
    organizations: int = 1,
    first_user_id: int = 1_000_000,
    tokens_only: Collection[str] | None = None,
    write: Callable[[Iterable[RawItem]], None] | None = None,
    departments: bool = False,
) -> Seeded:
    """`users` members spread over `organizations` new organizations (ids from `first_user_id`,
    far above the counter's). By default the items go by BatchWriteItem and the page blocks
    and population by the data layer's own ADDs; `write` (the bench's) takes the items and
    the finished page-block items (raw: their attributes are dynamic) instead. `departments`:
    the first organization's members are all in one new department of it (the same id)."""
    stamp = iso(now())
    seeded = Seeded([900_000 + n for n in range(organizations)], [])
    for org_id in seeded.organization_ids:
        org.create_organization(org_id, stamp, {"name": f"Seeded {org_id}"})
    if departments:
        first_org = seeded.organization_ids[0]
        org.create_department(first_org, stamp, first_org, {"name": f"Seeded department {first_org}"})
        seeded.department_ids.append(first_org)
    seeded.user_ids.extend(range(first_user_id, first_user_id + users))
    members = {org_id: seeded.user_ids[n::organizations] for n, org_id in enumerate(seeded.organization_ids)}
    for org_id, ids in members.items():
        OrganizationItem(*OrganizationItem.key(org_id)).update(
            actions=[OrganizationItem.users_count.add(len(ids))]
        )
    for dept_id in seeded.department_ids:
        org.DepartmentItem(*org.DepartmentItem.key(dept_id)).update(
            actions=[org.DepartmentItem.users_count.add(len(members[dept_id]))]
        )
    if write is None:
        _batch_write(_items(seeded, stamp, tokens_only))
        for org_id, ids in members.items():
            _blocks(org.PagesItem(*org.PagesItem.key(org_id)), ids)
        for dept_id in seeded.department_ids:
            _blocks(org.PagesItem(*org.PagesItem.department_key(dept_id)), members[dept_id])
        directory.population_change(seeded.user_ids, 1)
        return seeded
    write(_raw_items(seeded, stamp, tokens_only))
    pages = [_raw_blocks(org.PagesItem.key(org_id), "pages", ids) for org_id, ids in members.items()]
    pages += [
        _raw_blocks(org.PagesItem.department_key(dept_id), "pages", members[dept_id])
        for dept_id in seeded.department_ids
    ]
    population = _raw_blocks(CounterItem.key(org.USERS_TOTAL), "counter", seeded.user_ids)
    population["value"] = {"N": str(len(seeded.user_ids))}
    write([*pages, population])
    return seeded


def _raw_blocks(key: tuple[str, str], entity: str, user_ids: Sequence[int]) -> RawItem:
    per_block = Counter(org.block_of(user_id) for user_id in user_ids)
    raw: RawItem = {"PK": {"S": key[0]}, "SK": {"S": key[1]}, "entity": {"S": entity}}
    raw.update({block: {"N": str(count)} for block, count in per_block.items()})
    return raw


def _batch_write(items: Iterable[Item]) -> None:
    with Item.batch_write() as batch:
        for item in items:
            batch.save(item)


def member_raw(
    user_id: int, organization_id: int, stamp: str, shared: RawItem, department_id: int | None = None
) -> RawItem:
    """`member(...).serialize()` without building the model (a tenth of the time; `_raw_items`
    checks the two agree). `shared` holds the attributes every seeded member has alike."""
    first = FIRST_NAMES[(user_id // 7) % len(FIRST_NAMES)]
    last = RARE_LAST_NAME if user_id % RARE_EVERY == 7 else LAST_NAMES[user_id % len(LAST_NAMES)]
    sort_key = f"USER#{sortable_id(user_id)}"
    department: RawItem = {}
    if department_id is not None:
        department = {
            "GSI3PK": {"S": f"DEPT#{department_id}#USERS"},
            "GSI3SK": {"S": sort_key},
            "department_id": {"N": str(department_id)},
        }
    return {
        **shared,
        **department,
        "PK": {"S": f"USER#{user_id}"},
        "GSI1SK": {"S": sort_key},
        "GSI2PK": {"S": f"ORG#{organization_id}#USERS"},
        "GSI2SK": {"S": sort_key},
        "email": {"S": f"staff{user_id}@company.kz"},
        "login": {"S": f"staff{user_id}"},
        "phone": {"S": f"+7701{user_id:07d}"},
        "first_name": {"S": first},
        "last_name": {"S": last},
        "id": {"N": str(user_id)},
        "organization_id": {"N": str(organization_id)},
    }


def _raw_items(seeded: Seeded, stamp: str, tokens_only: Collection[str] | None) -> Iterator[RawItem]:
    organizations = seeded.organization_ids
    first = seeded.user_ids[0] if seeded.user_ids else 0
    prototype = member(first, organizations[0], stamp).serialize()
    shared = {name: prototype[name] for name in _SHARED}
    heads: Counter[tuple[str, bool]] = Counter()
    for user_id in seeded.user_ids:
        org_id = organizations[(user_id - first) % len(organizations)]
        dept_id = org_id if org_id in seeded.department_ids else None
        raw = member_raw(user_id, org_id, stamp, shared, dept_id)
        if (
            user_id - first < len(organizations)
            and raw != member(user_id, org_id, stamp, dept_id).serialize()
        ):
            raise RuntimeError(f"member_raw no longer writes what member() does (user {user_id})")
        yield raw
        found = directory.words(raw["first_name"]["S"], raw["last_name"]["S"], raw["email"]["S"])
        entry = Entry(user_id, tuple(found), org_id)
        for token in directory.tokens(found):
            if tokens_only is not None and token not in tokens_only:
                continue
            yield directory.posting(entry, token).serialize()
            heads[(f"SEARCH#ALL#{token}", False)] += 1
            heads[(f"SEARCH#ORG#{org_id}#{token}", True)] += 1
    for head in _heads(heads):
        yield head.serialize()


def _heads(counts: Counter[tuple[str, bool]]) -> Iterator[SearchHeadItem]:
    """Each token's count item; an organization's is also listed under GSI2."""
    for (pk, in_gsi2), count in counts.items():
        head = SearchHeadItem(pk, HEAD, n=count)
        if in_gsi2:
            head.GSI2PK, head.GSI2SK = pk, HEAD
        yield head


_SHARED = (
    "SK", "entity", "GSI1PK", "created_at", "updated_at", "password_hash", "role",
    "is_active", "is_verified", "sessions_valid_after_ms",
)  # fmt: skip


def _items(seeded: Seeded, stamp: str, tokens_only: Collection[str] | None) -> Iterator[Item]:
    heads: Counter[tuple[str, bool]] = Counter()
    organizations = seeded.organization_ids
    for user_id in seeded.user_ids:
        org_id = organizations[(user_id - seeded.user_ids[0]) % len(organizations)]
        user = member(user_id, org_id, stamp, org_id if org_id in seeded.department_ids else None)
        yield user
        entry = Entry.of(user)
        for token in entry.tokens:
            if tokens_only is not None and token not in tokens_only:
                continue
            yield directory.posting(entry, token)
            heads[(f"SEARCH#ALL#{token}", False)] += 1
            heads[(f"SEARCH#ORG#{org_id}#{token}", True)] += 1
    yield from _heads(heads)


def _blocks(item: org.PagesItem, user_ids: Sequence[int]) -> None:
    """ADD an organization's page blocks, a few dozen per UpdateItem (an update expression is
    at most 4 KB)."""
    actions = org.block_actions(user_ids, 1)
    for start in range(0, len(actions), directory.BLOCKS_PER_UPDATE):
        item.update(
            actions=[
                *actions[start : start + directory.BLOCKS_PER_UPDATE],
                org.PagesItem.entity.set(org.PagesItem),
            ]
        )
