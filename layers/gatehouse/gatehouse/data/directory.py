"""C's user directory at any size: exact totals, deep pages and search at a bounded cost.

Two structures, both kept in the same transaction as the write that changes them:

- **Page blocks.** User ids are grouped in blocks of `BLOCK` consecutive ids; each scope keeps,
  as top-level number attributes `b{id // BLOCK}`, how many of its users fall in each block
  (the whole directory on the population counter `COUNTER#count#users`, an organization on
  `ORG#{id}`/`PAGES`). Page N is then one GetItem (the blocks), a sum over them to find the
  block holding entry (N-1)×per_page, and one Query of the scope's id-ordered index starting
  at that block: it reads at most BLOCK-1 entries before the page.
- **Search tokens.** Each user has at most `MAX_TOKENS` tokens: the prefixes (1 to
  `TOKEN_LENGTH` characters) of the first two words of their name and of their email, folded
  (NFKD without accents, case-folded). A token is a partition `SEARCH#ALL#{token}` holding a
  head (`#HEAD`, the exact count) and one small posting per user (`USER#{id}`, with the user's
  folded words); the posting is also listed under GSI2 `SEARCH#ORG#{org}#{token}` beside that
  organization's own head. One Query returns a token's head and its first page in id order.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from gatehouse.data import counters, org, reads
from gatehouse.data.models import CounterItem, IntegerAttribute, Item, UnicodeAttribute, UserItem, sortable_id
from gatehouse.data.writes import Write

BLOCK = org.BLOCK
TOKEN_LENGTH = 5
NAME_WORDS = 2
MAX_TOKENS = (NAME_WORDS + 1) * TOKEN_LENGTH
# A search whose term is longer than a token (or has several words) reads at most this many
# postings of its token and filters them on the folded words: exact up to this many.
FILTER_READ = 400
HEAD = "#HEAD"
BLOCKS_PER_UPDATE = 50


class SearchHeadItem(Item, discriminator="search_head"):
    """How many users a token has in one scope (the whole directory or one organization)."""

    n = IntegerAttribute(default=0)


class SearchPostingItem(Item, discriminator="search_posting"):
    user_id = IntegerAttribute()
    words = UnicodeAttribute()


# ---- folding and tokens ----


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(first_name: str | None, last_name: str | None, email: str | None) -> list[str]:
    name = " ".join(part for part in (first_name, last_name) if part)
    found = fold(name).split()[:NAME_WORDS]
    if email:
        found.append(fold(email).strip())
    return [word for word in found if word]


def tokens(found: Sequence[str]) -> set[str]:
    return {word[:length] for word in found for length in range(1, min(len(word), TOKEN_LENGTH) + 1)}


@dataclass(frozen=True)
class Entry:
    """What the search index holds for one user: id, folded words, organization."""

    user_id: int
    words: tuple[str, ...]
    organization_id: int | None

    @classmethod
    def of(cls, user: UserItem, **overrides: Any) -> Entry:
        values = {
            name: overrides.get(name, getattr(user, name))
            for name in ("first_name", "last_name", "email", "organization_id")
        }
        return cls(
            user.id,
            tuple(words(values["first_name"], values["last_name"], values["email"])),
            values["organization_id"],
        )

    @property
    def tokens(self) -> set[str]:
        return tokens(self.words)


def _all_key(token: str) -> str:
    return f"SEARCH#ALL#{token}"


def _org_key(organization_id: int, token: str) -> str:
    return f"SEARCH#ORG#{organization_id}#{token}"


# ---- writes ----


def _head_write(pk: str, delta: int, in_gsi2: bool) -> Write:
    head = SearchHeadItem(pk, HEAD)
    actions = [SearchHeadItem.n.add(delta), SearchHeadItem.entity.set(SearchHeadItem)]
    if in_gsi2:
        actions += [SearchHeadItem.GSI2PK.set(pk), SearchHeadItem.GSI2SK.set(HEAD)]
    return Write("update", head, actions=actions, label="search")


def index_changes(before: Iterable[Entry], after: Iterable[Entry]) -> list[Write]:
    """The writes that take the index from the `before` entries to the `after` ones (users
    created: no before; deleted: no after): postings put or deleted, each head moved once
    (merged over every user, as a transaction touches an item only once)."""
    old = {entry.user_id: entry for entry in before}
    new = {entry.user_id: entry for entry in after}
    writes: list[Write] = []
    deltas: Counter[tuple[str, bool]] = Counter()
    for user_id in sorted(old.keys() | new.keys()):
        was, now_ = old.get(user_id), new.get(user_id)
        was_tokens = was.tokens if was else set()
        now_tokens = now_.tokens if now_ else set()
        for token in sorted(was_tokens - now_tokens):
            gone = SearchPostingItem(_all_key(token), f"USER#{sortable_id(user_id)}")
            writes.append(Write("delete", gone))
        if now_ is not None:
            for token in sorted(now_tokens):
                if was is not None and token in was_tokens and was == now_:
                    continue
                writes.append(Write("put", posting(now_, token)))
        for token in was_tokens:
            deltas[(_all_key(token), False)] -= 1
            if was is not None and was.organization_id is not None:
                deltas[(_org_key(was.organization_id, token), True)] -= 1
        for token in now_tokens:
            deltas[(_all_key(token), False)] += 1
            if now_ is not None and now_.organization_id is not None:
                deltas[(_org_key(now_.organization_id, token), True)] += 1
    writes += [_head_write(pk, delta, in_gsi2) for (pk, in_gsi2), delta in sorted(deltas.items()) if delta]
    return writes


def posting(entry: Entry, token: str) -> SearchPostingItem:
    sort_key = f"USER#{sortable_id(entry.user_id)}"
    posting = SearchPostingItem(_all_key(token), sort_key, user_id=entry.user_id, words=" ".join(entry.words))
    if entry.organization_id is not None:
        posting.GSI2PK, posting.GSI2SK = _org_key(entry.organization_id, token), sort_key
    return posting


def population_change(user_ids: Sequence[int], delta: int) -> None:
    """The directory's count and its page blocks, in one atomic ADD."""
    if not user_ids:
        return
    counter = CounterItem(*CounterItem.key(org.USERS_TOTAL))
    blocks = org.block_actions(user_ids, delta)
    # An update expression is at most 4 KB: a large import's blocks go a few dozen at a time.
    for start in range(0, max(len(blocks), 1), BLOCKS_PER_UPDATE):
        actions = [*blocks[start : start + BLOCKS_PER_UPDATE], CounterItem.entity.set(CounterItem)]
        if start == 0:
            actions.append(CounterItem.value.add(delta * len(user_ids)))
        counter.update(actions=actions)


# ---- reads ----


@dataclass(frozen=True)
class Blocks:
    total: int
    counts: Mapping[int, int]

    @classmethod
    def of_raw(cls, raw: Mapping[str, Any] | None, total: int) -> Blocks:
        counts = {
            int(name[1:]): int(value["N"])
            for name, value in (raw or {}).items()
            if name[:1] == "b" and name[1:].isdigit() and int(value["N"]) > 0
        }
        return cls(total, counts)

    @property
    def complete(self) -> bool:
        """Every user of the scope is in a block (not so for users written before blocks were)."""
        return sum(self.counts.values()) == self.total

    def start_of(self, offset: int) -> tuple[int, int]:
        """The first user id of the block holding entry `offset` (0-based, in id order), and
        how many entries of that block come before it."""
        seen = 0
        for block in sorted(self.counts):
            if seen + self.counts[block] > offset:
                return block * BLOCK, offset - seen
            seen += self.counts[block]
        return -1, 0


def directory_blocks() -> Blocks:
    raw = reads.raw_item(*CounterItem.key(org.USERS_TOTAL))
    total = counters.value_in(raw)
    return Blocks.of_raw(raw, max(total, 0))


def organization_with_blocks(organization_id: int) -> tuple[org.OrganizationItem | None, Blocks]:
    """The organization and its page blocks: one BatchGetItem."""
    return scope_with_blocks(
        org.OrganizationItem, org.OrganizationItem.key(organization_id), org.PagesItem.key(organization_id)
    )


def department_with_blocks(department_id: int) -> tuple[org.DepartmentItem | None, Blocks]:
    """The department and its page blocks: one BatchGetItem."""
    return scope_with_blocks(
        org.DepartmentItem, org.DepartmentItem.key(department_id), org.PagesItem.department_key(department_id)
    )


def position_with_blocks(position_id: int) -> tuple[org.PositionItem | None, Blocks]:
    """The position and its page blocks: one BatchGetItem."""
    return scope_with_blocks(
        org.PositionItem, org.PositionItem.key(position_id), org.PagesItem.position_key(position_id)
    )


_Scope = TypeVar("_Scope", org.OrganizationItem, org.DepartmentItem, org.PositionItem)


def scope_with_blocks(
    model: type[_Scope], key: tuple[str, str], pages_key: tuple[str, str]
) -> tuple[_Scope | None, Blocks]:
    """A scope's item (with its `users_count`) and its page blocks: one BatchGetItem."""
    found: _Scope | None = None
    pages: dict[str, Any] | None = None
    for raw in reads.raw_items([key, pages_key]):
        if raw["SK"]["S"] == pages_key[1]:
            pages = raw
        else:
            item = Item.from_raw_data(raw)
            found = item if isinstance(item, model) else None
    return found, Blocks.of_raw(pages, max(found.users_count, 0) if found else 0)


def users_from(index_name: str, partition: str, first_id: int, limit: int) -> list[UserItem]:
    """Up to `limit` users of an id-ordered index partition from `first_id` on: one Query."""
    first = f"USER#{sortable_id(max(first_id, 0))}"
    found = reads.partition_window(partition, index_name=index_name, sort_from=first, limit=limit).items
    return [item for item in found if isinstance(item, UserItem)]


@dataclass(frozen=True)
class SearchResult:
    user_ids: list[int]
    total: int


def term_words(term: str) -> list[str]:
    return fold(term).split()


def search(term: str, organization_id: int | None, offset: int, limit: int) -> SearchResult:
    """Users whose words start with each word of `term`, in id order: one Query."""
    wanted = term_words(term)
    if not wanted:
        return SearchResult([], 0)
    longest = max(wanted, key=len)
    token = longest[:TOKEN_LENGTH]
    exact = len(wanted) == 1 and len(longest) <= TOKEN_LENGTH
    read = offset + limit + 1 if exact else FILTER_READ + 1
    if organization_id is None:
        found = reads.partition_window(_all_key(token), limit=read).items
    else:
        found = reads.partition_window(_org_key(organization_id, token), index_name="GSI2", limit=read).items
    total = 0
    postings: list[SearchPostingItem] = []
    for item in found:
        if isinstance(item, SearchHeadItem):
            total = max(item.n, 0)
        elif isinstance(item, SearchPostingItem):
            postings.append(item)
    if exact:
        return SearchResult([p.user_id for p in postings[offset : offset + limit]], total)
    matching = [p.user_id for p in postings if _matches(wanted, p.words.split(" "))]
    return SearchResult(matching[offset : offset + limit], len(matching))


def _matches(wanted: Sequence[str], have: Sequence[str]) -> bool:
    return all(any(word.startswith(term) for word in have) for term in wanted)
