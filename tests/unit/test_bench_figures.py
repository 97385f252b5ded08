"""`make bench`'s verdicts: a figure meets its goal by its ratio to a side-by-side reference or by a bound."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

import bench.__main__ as bench_main
from bench.__main__ import draw_chart, markdown_table, text_table
from bench.figures import Figure, Progress


def test_a_ratio_goal_compares_ours_with_the_reference_measured_beside_it() -> None:
    met = Figure("cold", "JwtAuthFunction", 120.0, "ms", reference=100.0, ratio_at_most=1.3)
    missed = Figure("cold", "JwtAuthFunction", 140.0, "ms", reference=100.0, ratio_at_most=1.3)
    assert met.ratio == 1.2
    assert met.met
    assert not missed.met
    assert met.goal == "ratio ≤ 1.3"


def test_a_ratio_goal_without_a_reference_is_missed_not_passed() -> None:
    assert not Figure("cold", "x", 1.0, "ms", reference=None, ratio_at_most=1.3).met


def test_bounds_hold_at_most_and_at_least() -> None:
    assert Figure("search", "calls", 4, "calls", at_most=4).met
    assert not Figure("search", "calls", 5, "calls", at_most=4).met
    assert Figure("local", "req/s", 150, "req/s", at_least=100).met
    assert not Figure("local", "req/s", 99, "req/s", at_least=100).met


def test_the_table_and_chart_show_every_figure_with_its_verdict(tmp_path: Path) -> None:
    figures = [
        Figure(
            "cold",
            "JwtAuthFunction",
            120.0,
            "ms",
            reference=100.0,
            reference_name="minimal app",
            ratio_at_most=1.3,
        ),
        Figure("local", "GET /api/auth/me", 80.0, "req/s", at_least=100),
    ]
    text = text_table(figures)
    assert "1.20×" in text
    assert "minimal app" in text
    assert text.splitlines()[-1].endswith("NO")
    assert markdown_table(figures).count("\n") == 3
    draw_chart(figures, tmp_path / "chart.png")
    assert (tmp_path / "chart.png").read_bytes().startswith(b"\x89PNG")


def test_timing_sections_run_alone_after_the_counting_ones_and_the_build(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runs: dict[str, tuple[float, float]] = {}
    lock = threading.Lock()

    def fake_run(name: str) -> None:
        started = time.monotonic()
        time.sleep(0.05)
        with lock:
            runs[name] = (started, time.monotonic())

    def fake_section(name: str, work_dir: Path, progress: Progress, measured: Any, seconds: Any) -> None:
        fake_run(name)
        measured[name] = [Figure(name, "figure", 1.0, "calls", at_most=1)]

    monkeypatch.setattr(bench_main, "_run_section", fake_section)
    monkeypatch.setattr(bench_main, "_build", lambda progress, seconds: fake_run("build"))
    measured, _ = bench_main.run_sections(list(bench_main.SECTIONS), Progress())

    assert set(measured) == set(bench_main.SECTIONS)
    assert set(runs) == {*bench_main.SECTIONS, "build"}
    timing = [name for name in bench_main.SECTIONS if name not in bench_main.COUNTING]
    assert timing == ["cold", "warm", "local"]
    for name in timing:
        started, ended = runs[name]
        others = [interval for other, interval in runs.items() if other != name]
        assert all(other_end <= started or other_start >= ended for other_start, other_end in others), name
    first_timing = min(runs[name][0] for name in timing)
    side_by_side = [runs[name] for name in [*bench_main.COUNTING, "build"]]
    assert all(end <= first_timing for _, end in side_by_side)
    # The build and the counting sections run all at once.
    assert max(start for start, _ in side_by_side) < min(end for _, end in side_by_side)
