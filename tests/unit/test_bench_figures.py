"""`make bench`'s verdicts: a figure meets its goal by its ratio to a side-by-side reference or by a bound."""

from __future__ import annotations

from pathlib import Path

from bench.__main__ import draw_chart, markdown_table, text_table
from bench.figures import Figure


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
