"""The type of the `seeded_once` fixture (tests/conftest.py): a seed run once per module."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from gatehouse_local.testing import ApiClient

Seeded = TypeVar("Seeded")
SeedOnce = Callable[[Callable[[ApiClient], Seeded]], Seeded]
