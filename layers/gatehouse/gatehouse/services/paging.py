"""Surface C's paging: which page of how many items a list request asks for, what it matches,
and one page read from an index partition."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from gatehouse.data import org
from gatehouse.data.models import Item, UserItem
from gatehouse.data.org import Related
from gatehouse.services.identity import canonical

DEFAULT_PER_PAGE = 15
MAX_PER_PAGE = 100

_T = TypeVar("_T", bound=Item)


@dataclass
class Page(Generic[_T]):
    items: list[_T]
    total: int
    page: int
    per_page: int
    related: Related = field(default_factory=lambda: Related({}, {}, {}))


@dataclass(frozen=True)
class Paging:
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    search: str | None = None

    def matches(self, *values: str | None) -> bool:
        """`search` is a case-insensitive substring of any of `values`."""
        if not self.search:
            return True
        needle = canonical(self.search)
        return any(value is not None and needle in canonical(value) for value in values)


def requested(page: object, per_page: int | None, search: str | None) -> Paging:
    """The paging a list request's (validated) `page`, `per_page` and `search` ask for."""
    return Paging(current_page(page), min(per_page or DEFAULT_PER_PAGE, MAX_PER_PAGE), search)


# PHP's FILTER_VALIDATE_INT: optional sign, no leading zeros, within a 64-bit integer.
_PHP_INTEGER = re.compile(r"[+-]?(?:0|[1-9][0-9]*)")
_PHP_INT_MAX = 2**63 - 1


def current_page(value: object) -> int:
    """Laravel's paginator (`resolveCurrentPage`): a `page` that is not an integer of at least 1
    (`0`, `-2`, `abc`, `1.5`, absent) is page 1, never an error."""
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    if _PHP_INTEGER.fullmatch(text) and 1 <= int(text) <= _PHP_INT_MAX:
        return int(text)
    return 1


def page_of(
    model: type[_T],
    partition: tuple[str, str],
    paging: Paging,
    total: Callable[[], int],
    keep: Callable[[_T], bool] | None = None,
) -> Page[_T]:
    """Without a filter only the entries up to this page are read and `total` comes from a
    count; with one, the first `org.WINDOW` entries are read and the matches counted."""
    start = (paging.page - 1) * paging.per_page
    if keep is None and not paging.search:
        read = org.window(*partition, limit=min(start + paging.per_page, org.WINDOW))
        items = [item for item in read if isinstance(item, model)]
        return Page(items[start : start + paging.per_page], total(), paging.page, paging.per_page)
    matches = [
        item
        for item in org.window(*partition)
        if isinstance(item, model) and (keep is None or keep(item)) and _searched(item, paging)
    ]
    return Page(matches[start : start + paging.per_page], len(matches), paging.page, paging.per_page)


def _searched(item: Item, paging: Paging) -> bool:
    if isinstance(item, UserItem):
        return paging.matches(display_name(item), item.email)
    return paging.matches(getattr(item, "name", None))


def empty_page(paging: Paging) -> Page[Any]:
    return Page([], 0, paging.page, paging.per_page)


def display_name(user: UserItem) -> str:
    """C's `name` (what a search for a user matches): first and last name joined."""
    return " ".join(part for part in (user.first_name, user.last_name) if part)
