"""The 10,000 most common passwords (SecLists; see data/README.md), refused wherever a password
is set when the `reject_common_passwords` setting is on.

Loaded on first use only (a registration, reset or change with the setting on), never at import:
most requests never set a password.
"""

from __future__ import annotations

import gzip
from functools import cache
from importlib import resources


@cache
def _common() -> frozenset[str]:
    packed = resources.files("gatehouse.security").joinpath("data/common-passwords-10k.txt.gz").read_bytes()
    return frozenset(
        line.strip().casefold() for line in gzip.decompress(packed).decode().splitlines() if line.strip()
    )


def is_common(password: str) -> bool:
    """Whether `password` (compared case-insensitively) is one of the most common passwords."""
    return password.casefold() in _common()


def count() -> int:
    return len(_common())
