"""What every section of `make bench` reports: figures measured side by side, each with its goal.

A section is a function `run(progress: Progress) -> list[Figure]`. A figure is either a ratio
against a reference measured in the same run (`reference` + `ratio_at_most`) or an absolute
figure with a bound (`at_most` / `at_least`); `met` says whether the goal holds.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path


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


# `python -m bench` passes its start to each section's process, so every line counts from it.
STARTED_VARIABLE = "GATEHOUSE_BENCH_STARTED"


def _bench_start() -> float:
    return float(os.environ.get(STARTED_VARIABLE) or time.time())


@dataclass
class Progress:
    """One line per step on stderr, with the seconds since the bench started."""

    started: float = field(default_factory=_bench_start)

    @property
    def elapsed(self) -> float:
        return time.time() - self.started

    def __call__(self, message: str) -> None:
        print(f"[{self.elapsed:6.1f}s] {message}", file=sys.stderr, flush=True)


def section_main(run: Callable[[Progress], list[Figure]]) -> None:
    """`python -m bench.<section>`: run one section alone and print its figures, or, with
    `--json-out PATH` (how `python -m bench` runs each section, in its own process so that no
    section inherits another's environment or imported state), write them there as JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--json-out", type=Path, default=None)
    options = parser.parse_args()
    # The functions' EMF metric lines would bury the figures.
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    figures = run(Progress())
    if options.json_out is not None:
        options.json_out.write_text(json.dumps([asdict(figure) for figure in figures]), encoding="utf-8")
        return
    for figure in figures:
        reference = (
            "" if figure.reference is None else f", reference {figure.reference:g} {figure.reference_name}"
        )
        verdict = "met" if figure.met else "MISSED"
        print(f"{figure.name}: {figure.ours:g} {figure.unit}{reference} (goal {figure.goal}: {verdict})")


def load_figures(path: Path) -> list[Figure]:
    return [Figure(**record) for record in json.loads(path.read_text(encoding="utf-8"))]
