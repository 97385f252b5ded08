"""What every section of `make bench` reports: figures measured side by side, each with its goal.

A section is a function `run(progress: Progress) -> list[Figure]`. A figure is either a ratio
against a reference measured in the same run (`reference` + `ratio_at_most`) or an absolute
figure with a bound (`at_most` / `at_least`); `met` says whether the goal holds.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Figure:
    section: str
    name: str
    ours: float
    unit: str
    reference: float | None = None
    reference_name: str = ""
    ratio_at_most: float | None = None
    at_most: float | None = None
    at_least: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.reference is None or self.reference == 0:
            return None
        return self.ours / self.reference

    @property
    def goal(self) -> str:
        if self.ratio_at_most is not None:
            return f"ratio ≤ {self.ratio_at_most:g}"
        if self.at_most is not None:
            return f"≤ {self.at_most:g} {self.unit}"
        if self.at_least is not None:
            return f"≥ {self.at_least:g} {self.unit}"
        return "reported"

    @property
    def met(self) -> bool:
        ratio = self.ratio
        if self.ratio_at_most is not None and (ratio is None or ratio > self.ratio_at_most):
            return False
        if self.at_most is not None and self.ours > self.at_most:
            return False
        return not (self.at_least is not None and self.ours < self.at_least)


@dataclass
class Progress:
    """One line per step on stderr, with the seconds since the bench started."""

    started: float = field(default_factory=time.perf_counter)

    def __call__(self, message: str) -> None:
        print(f"[{time.perf_counter() - self.started:6.1f}s] {message}", file=sys.stderr, flush=True)
