"""`make bench`: every performance figure of Gatehouse, measured side by side in one run.

Each section (a module with `run(progress) -> list[Figure]`) measures figures against a
reference taken in the same run, or against an absolute bound. The table is printed, written
to `bench/results/latest.json`, drawn in `bench/results/latest.png`, and copied into the
README between its bench markers. The command fails when a figure misses its goal.

The sections whose figures are counts (DynamoDB calls, read units, shares of writes) run first,
side by side with `sam build` on the machine's cores: sharing a core changes how long they take,
not what they count. The sections that time something (cold, warm, local) run afterwards, one
at a time, with nothing else of the bench running.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path

from bench.figures import STARTED_VARIABLE, Figure, Progress, load_figures

REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS = REPO_ROOT / "bench" / "results"
README = REPO_ROOT / "README.md"
README_START = "<!-- bench:start -->"
README_END = "<!-- bench:end -->"

# Section name -> module; run in this order.
SECTIONS = {
    "cold": "bench.cold_start",
    "warm": "bench.warm_overhead",
    "write-keys": "bench.write_keys",
    "search": "bench.org_search",
    "calls": "bench.route_calls",
    "local": "bench.local_run",
}
# Sections that count (no timing figure): they may share the cores with each other and the build.
COUNTING = ("write-keys", "search", "calls")
HEADER = ("section", "figure", "ours", "reference", "ratio", "goal", "met")


def _number(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.3g}" if abs(value) < 100 else f"{value:,.0f}"


def rows(figures: Sequence[Figure]) -> list[tuple[str, ...]]:
    table: list[tuple[str, ...]] = []
    for figure in figures:
        reference = (
            f"{_number(figure.reference)} {figure.reference_name}".strip()
            if figure.reference is not None
            else "–"
        )
        ratio = figure.ratio
        table.append(
            (
                figure.section,
                figure.name,
                f"{_number(figure.ours)} {figure.unit}",
                reference,
                "–" if ratio is None else f"{ratio:.2f}×",
                figure.goal,
                "yes" if figure.met else "NO",
            )
        )
    return table


def text_table(figures: Sequence[Figure]) -> str:
    body = rows(figures)
    widths = [max(len(row[column]) for row in [HEADER, *body]) for column in range(len(HEADER))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in [HEADER, *body]
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def markdown_table(figures: Sequence[Figure]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows(figures)]
    return "\n".join(lines)


def headroom(figure: Figure) -> float | None:
    """How far the figure is from its bound, as a fraction of it: ≤ 1 meets the goal."""
    if figure.ratio_at_most is not None and figure.ratio is not None:
        return figure.ratio / figure.ratio_at_most
    if figure.at_most is not None and figure.at_most > 0:
        return figure.ours / figure.at_most
    if figure.at_least is not None and figure.ours > 0:
        return figure.at_least / figure.ours
    return None


def draw_chart(figures: Sequence[Figure], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    charted = [(figure, value) for figure in figures if (value := headroom(figure)) is not None]
    height = max(3.0, 0.28 * len(charted) + 1.5)
    fig, axes = plt.subplots(figsize=(11, height))
    labels = [f"{figure.section}: {figure.name}" for figure, _ in charted]
    values = [value for _, value in charted]
    colours = ["#2e7d32" if figure.met else "#c62828" for figure, _ in charted]
    axes.barh(range(len(charted)), values, color=colours)
    axes.set_yticks(range(len(charted)), labels, fontsize=7)
    axes.invert_yaxis()
    axes.axvline(1.0, color="black", linewidth=1, linestyle="--")
    axes.set_xlabel("figure / goal (ratio goals: ratio / bound; ≥ goals: bound / figure): ≤ 1 meets the goal")
    axes.set_title("Gatehouse bench: every figure against its goal")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def update_readme(table: str) -> None:
    text = README.read_text(encoding="utf-8")
    if README_START not in text or README_END not in text:
        return
    before, rest = text.split(README_START, 1)
    _, after = rest.split(README_END, 1)
    README.write_text(f"{before}{README_START}\n{table}\n{README_END}{after}", encoding="utf-8")


def _build(progress: Progress, seconds: dict[str, float]) -> None:
    """The cold section's `sam build` (if the build is older than its sources), made while the
    counting sections run; the section itself then finds it up to date."""
    from bench.cold_start import ensure_build

    started = time.monotonic()
    try:
        ensure_build(progress)
    except RuntimeError as error:  # the cold section tries again and reports it
        progress(f"build failed: {error}")
    seconds["build"] = time.monotonic() - started
    progress(f"build done in {seconds['build']:.0f} s")


def _run_section(
    name: str,
    work_dir: Path,
    progress: Progress,
    measured: dict[str, list[Figure]],
    seconds: dict[str, float],
) -> None:
    progress(f"section {name} ({SECTIONS[name]})")
    out = work_dir / f"{name}.json"
    started = time.monotonic()
    # Each section in its own process: none inherits another's environment or imports.
    finished = subprocess.run(  # noqa: S603 - our own modules
        [sys.executable, "-m", SECTIONS[name], "--json-out", str(out)],
        stdout=subprocess.DEVNULL,
        check=False,
        cwd=REPO_ROOT,
        env={**os.environ, STARTED_VARIABLE: str(progress.started)},
    )
    seconds[name] = time.monotonic() - started
    if finished.returncode != 0 or not out.exists():
        progress(f"section {name} failed (exit {finished.returncode}): see its output above")
        return
    measured[name] = load_figures(out)
    progress(f"section {name} done in {seconds[name]:.0f} s")


def run_sections(
    chosen: Sequence[str], progress: Progress
) -> tuple[dict[str, list[Figure]], dict[str, float]]:
    """Each chosen section's figures (a failed section has none) and seconds: the counting
    sections and the build all at once (the cores shared among them: none idles while another
    job waits), then the timing sections one by one."""
    measured: dict[str, list[Figure]] = {}
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="gatehouse-bench-") as work_dir:

        def section(name: str) -> Callable[[], None]:
            return lambda: _run_section(name, Path(work_dir), progress, measured, seconds)

        # The build first: the longest, and the cold section waits for it.
        side_by_side = [lambda: _build(progress, seconds)] if "cold" in chosen else []
        side_by_side += [section(name) for name in COUNTING if name in chosen]
        if side_by_side:
            with ThreadPoolExecutor(max_workers=len(side_by_side)) as pool:
                for job in [pool.submit(job) for job in side_by_side]:
                    job.result()
        for name in chosen:
            if name not in COUNTING:
                section(name)()
    return measured, seconds


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", nargs="+", choices=list(SECTIONS), help="run these sections only")
    parser.add_argument("--no-readme", action="store_true", help="leave README.md as it is")
    options = parser.parse_args(argv)
    chosen = options.only or list(SECTIONS)

    progress = Progress()
    measured, seconds = run_sections(chosen, progress)
    figures = [figure for name in chosen for figure in measured.get(name, [])]
    failed = [name for name in chosen if name not in measured]
    elapsed = progress.elapsed

    table = text_table(figures)
    print(table)
    RESULTS.mkdir(parents=True, exist_ok=True)
    record = {
        "sections": chosen,
        "seconds": round(elapsed, 1),
        "section_seconds": {name: round(value, 1) for name, value in seconds.items()},
        "figures": [
            {**asdict(figure), "ratio": figure.ratio, "goal": figure.goal, "met": figure.met}
            for figure in figures
        ],
    }
    (RESULTS / "latest.json").write_text(
        json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    draw_chart(figures, RESULTS / "latest.png")
    if not options.no_readme and options.only is None and not failed:
        update_readme(markdown_table(figures))
    missed = [figure for figure in figures if not figure.met]
    print(
        f"\n{len(figures)} figures in {elapsed:.0f} s; results in {RESULTS.relative_to(REPO_ROOT)}/latest.json and latest.png"
    )
    if failed:
        print(f"Sections that failed: {', '.join(failed)}")
    if missed:
        print(f"{len(missed)} missed their goal: " + "; ".join(f"{f.section}: {f.name}" for f in missed))
    if failed or missed:
        return 1
    print("Every figure meets its goal.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
