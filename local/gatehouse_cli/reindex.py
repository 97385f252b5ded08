"""`gatehouse directory reindex`: C's directory index (gatehouse.data.directory) recomputed from
the users themselves, for users written before the index existed.

One pass reads the table (a paginated Scan: an operator's command, never a request path) and
collects every user, every search posting and head, every page-block item and every scope's
`users_count`. From the users alone it computes what each should hold, then writes only the
differences, each as an absolute value (a posting put or deleted, a head's count SET, a block
SET or REMOVEd, a count SET): running it again finds nothing to write, and a run that was
interrupted is resumed by running it again (the writes already made are no longer differences).

The absolute SETs assume no user is created, moved or deleted while it runs: run it once after
upgrading, before opening the API again (or in a quiet moment; a second run corrects any drift).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from pynamodb.expressions.operand import Path, Value
from pynamodb.expressions.update import Action

from gatehouse.data import directory, org
from gatehouse.data.directory import HEAD, Entry, SearchHeadItem
from gatehouse.data.models import CounterItem, Item, UserItem, sortable_id
from gatehouse.data.org import DepartmentItem, OrganizationItem, PagesItem, PositionItem

RawItem = dict[str, dict[str, Any]]
Key = tuple[str, str]
# A posting as compared: the user's id, folded words and organization listing (GSI2PK).
Posting = tuple[int, str, str | None]
# The scopes whose item holds a `users_count` (the population's count is its counter's `value`).
SCOPE_MODELS: dict[str, type[OrganizationItem] | type[DepartmentItem] | type[PositionItem]] = {
    "organization": OrganizationItem,
    "department": DepartmentItem,
    "position": PositionItem,
}
POPULATION = CounterItem.key(org.USERS_TOTAL)
# The kinds of write, in the order they are made (a batch of postings or heads, an UpdateItem).
KINDS = ("postings put", "postings deleted", "heads set", "blocks set", "counts set")


@dataclass
class Stored:
    """What the table holds now, as far as the index is concerned."""

    entries: dict[int, Entry] = field(default_factory=dict)
    memberships: dict[int, org.Membership] = field(default_factory=dict)
    postings: dict[Key, Posting] = field(default_factory=dict)
    heads: dict[str, int] = field(default_factory=dict)
    blocks: dict[Key, dict[str, int]] = field(default_factory=dict)
    counts: dict[Key, int] = field(default_factory=dict)
    scanned: int = 0


@dataclass
class Summary:
    users: int = 0
    scanned: int = 0
    writes: Counter[str] = field(default_factory=Counter)

    @property
    def written(self) -> int:
        return sum(self.writes.values())


def _number(raw: RawItem, name: str) -> int:
    value = raw.get(name)
    return int(value["N"]) if value and "N" in value else 0


def scan(on_page: Callable[[int], None] = lambda _: None) -> Stored:
    """Every item the index cares about: one paginated Scan of the table."""
    stored = Stored()
    connection = Item._get_connection()
    start: Any = None  # the last key, as DynamoDB returns it (PynamoDB's stub says str)
    while True:
        # DynamoDB answers at most 1 MB a page (a few thousand items).
        answer = connection.scan(exclusive_start_key=start, consistent_read=True)
        for raw in answer.get("Items", []):
            _collect(stored, raw)
        stored.scanned += len(answer.get("Items", []))
        on_page(len(answer.get("Items", [])))
        start = answer.get("LastEvaluatedKey")
        if not start:
            return stored


def _collect(stored: Stored, raw: RawItem) -> None:
    pk, sk = raw["PK"]["S"], raw["SK"]["S"]
    entity = raw.get("entity", {}).get("S")
    if entity == "user":
        user = Item.from_raw_data(raw)
        if isinstance(user, UserItem):
            stored.entries[user.id] = Entry.of(user)
            stored.memberships[user.id] = org.Membership.of(user)
    elif entity == "search_posting":
        stored.postings[(pk, sk)] = (
            _number(raw, "user_id"),
            raw.get("words", {}).get("S", ""),
            raw.get("GSI2PK", {}).get("S"),
        )
    elif entity == "search_head":
        stored.heads[pk] = _number(raw, "n")
    elif entity == "pages" or (pk, sk) == POPULATION:
        stored.blocks[(pk, sk)] = {
            name: int(value["N"])
            for name, value in raw.items()
            if name[:1] == "b" and name[1:].isdigit() and "N" in value
        }
        if (pk, sk) == POPULATION:
            stored.counts[(pk, sk)] = _number(raw, "value")
    elif entity in SCOPE_MODELS:
        stored.counts[(pk, sk)] = _number(raw, "users_count")


@dataclass
class Wanted:
    """What the index should hold, computed from the users alone."""

    postings: dict[Key, tuple[Posting, Entry, str]]
    heads: dict[str, int]
    blocks: dict[Key, dict[str, int]]
    counts: dict[Key, int]


def wanted(stored: Stored) -> Wanted:
    postings: dict[Key, tuple[Posting, Entry, str]] = {}
    heads: Counter[str] = Counter()
    members: dict[Key, list[int]] = defaultdict(list)
    for user_id in sorted(stored.entries):
        entry = stored.entries[user_id]
        for token in entry.tokens:
            org_key = (
                None if entry.organization_id is None else directory._org_key(entry.organization_id, token)
            )
            compact = (user_id, " ".join(entry.words), org_key)
            postings[(directory._all_key(token), f"USER#{sortable_id(user_id)}")] = (compact, entry, token)
            heads[directory._all_key(token)] += 1
            if entry.organization_id is not None:
                heads[directory._org_key(entry.organization_id, token)] += 1
        membership = stored.memberships[user_id]
        members[POPULATION].append(user_id)
        if membership.organization_id is not None:
            members[OrganizationItem.key(membership.organization_id)].append(user_id)
        if membership.department_id is not None:
            members[DepartmentItem.key(membership.department_id)].append(user_id)
        if membership.position_id is not None:
            members[PositionItem.key(membership.position_id)].append(user_id)
    blocks = {_pages_key(scope): Counter(org.block_of(i) for i in ids) for scope, ids in members.items()}
    counts = {scope: len(ids) for scope, ids in members.items()}
    # Scopes without members: no blocks, a count of zero (only for items that exist).
    for scope in stored.counts:
        counts.setdefault(scope, 0)
    return Wanted(postings, dict(heads), {k: dict(v) for k, v in blocks.items()}, counts)


def _pages_key(scope: Key) -> Key:
    """The page-block item of a scope (the population's blocks are on its counter)."""
    if scope == POPULATION:
        return POPULATION
    return scope[0], "PAGES"


# ---- the writes (each an absolute value: idempotent) ----


@dataclass(frozen=True)
class Change:
    kind: str
    apply: Callable[[], None]


def changes(stored: Stored, target: Wanted) -> list[Change]:
    """What brings the stored index to the target, in batches: postings, heads, blocks, counts."""
    return [
        *_posting_changes(stored, target),
        *_head_changes(stored, target),
        *_block_changes(stored, target),
        *(
            Change("counts set", partial(_set_count, key, n))
            for key, n in sorted(target.counts.items())
            if stored.counts.get(key) != n and (key == POPULATION or key in stored.counts)
        ),
    ]


def _posting_changes(stored: Stored, target: Wanted) -> list[Change]:
    puts = [
        (entry, token)
        for key, (compact, entry, token) in target.postings.items()
        if stored.postings.get(key) != compact
    ]
    gone = [key for key in stored.postings if key not in target.postings]
    found = [
        Change("postings put", partial(_put_postings, puts[start : start + 25]))
        for start in range(0, len(puts), 25)
    ]
    found += [
        Change("postings deleted", partial(_batch, [], gone[start : start + 25]))
        for start in range(0, len(gone), 25)
    ]
    return found


def _head_changes(stored: Stored, target: Wanted) -> list[Change]:
    heads = {pk: n for pk, n in target.heads.items() if stored.heads.get(pk) != n}
    heads.update({pk: 0 for pk in stored.heads if pk not in target.heads and stored.heads[pk] != 0})
    head_items = [_head(pk, n).serialize() for pk, n in sorted(heads.items())]
    return [
        Change("heads set", partial(_batch, head_items[start : start + 25], []))
        for start in range(0, len(head_items), 25)
    ]


def _block_changes(stored: Stored, target: Wanted) -> list[Change]:
    found: list[Change] = []
    for key in sorted(stored.blocks.keys() | target.blocks.keys()):
        have, want = stored.blocks.get(key, {}), target.blocks.get(key, {})
        actions: list[Action] = [
            Path(name).set(Value({"N": str(n)})) for name, n in sorted(want.items()) if have.get(name) != n
        ]
        actions += [Path(name).remove() for name in sorted(have.keys() - want.keys())]
        for start in range(0, len(actions), directory.BLOCKS_PER_UPDATE):
            chunk_actions = actions[start : start + directory.BLOCKS_PER_UPDATE]
            found.append(Change("blocks set", partial(_update_blocks, key, chunk_actions)))
    return found


def _put_postings(postings: list[tuple[Entry, str]]) -> None:
    """Built when written: a large directory has millions, planned as (entry, token) pairs."""
    _batch([directory.posting(entry, token).serialize() for entry, token in postings], [])


def _head(pk: str, n: int) -> SearchHeadItem:
    head = SearchHeadItem(pk, HEAD, n=n)
    if pk.startswith("SEARCH#ORG#"):
        head.GSI2PK, head.GSI2SK = pk, HEAD
    return head


def _batch(puts: list[RawItem], deletes: list[Key]) -> None:
    """One BatchWriteItem (at most 25 items), retrying what DynamoDB leaves unprocessed."""
    table = Item.Meta.table_name
    requests: list[dict[str, Any]] = [{"PutRequest": {"Item": raw}} for raw in puts]
    requests += [{"DeleteRequest": {"Key": {"PK": {"S": pk}, "SK": {"S": sk}}}} for pk, sk in deletes]
    client = Item._get_connection().connection.client
    pending = {table: requests}
    for _ in range(10):
        answer = client.batch_write_item(RequestItems=pending)
        pending = answer.get("UnprocessedItems") or {}
        if not pending:
            return
    raise RuntimeError("DynamoDB left items unprocessed after 10 attempts; run reindex again")


def _update_blocks(key: Key, actions: list[Action]) -> None:
    if key == POPULATION:
        CounterItem(*key).update(actions=[*actions, CounterItem.entity.set(CounterItem)])
    else:
        PagesItem(*key).update(actions=[*actions, PagesItem.entity.set(PagesItem)])


def _set_count(key: Key, n: int) -> None:
    if key == POPULATION:
        CounterItem(*key).update(actions=[CounterItem.value.set(n), CounterItem.entity.set(CounterItem)])
        return
    model = SCOPE_MODELS[{"ORG": "organization", "DEPT": "department", "POS": "position"}[key[1]]]
    # Only an item that still exists (a concurrent delete is not resurrected).
    model(*key).update(actions=[model.users_count.set(n)], condition=model.PK.exists())


def run(
    on_scanned: Callable[[int], None] = lambda _: None,
    on_planned: Callable[[int], None] = lambda _: None,
    on_written: Callable[[Change], None] = lambda _: None,
) -> Summary:
    """Scan, compute, write the differences; callbacks report progress."""
    stored = scan(on_scanned)
    planned = changes(stored, wanted(stored))
    on_planned(len(planned))
    summary = Summary(users=len(stored.entries), scanned=stored.scanned)
    for change in planned:
        change.apply()
        summary.writes[change.kind] += 1
        on_written(change)
    return summary
