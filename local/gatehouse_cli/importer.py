"""`gatehouse import`: rows in chunks, chunks on parallel workers, a report of every row.

The rules (ids, merges, hashes, markers) are the layer's (`gatehouse.services.imports`); this
module only schedules them, shows progress and writes the report.
"""

from __future__ import annotations

import csv
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from gatehouse.data.org import Membership
from gatehouse.services import imports
from gatehouse.services.imports import ImportRow, RowResult
from gatehouse_cli.sources import Loaded, Person, kinds_in_order

REPORT_COLUMNS = (
    "source",
    "file",
    "line",
    "kind",
    "original_id",
    "email",
    "outcome",
    "gatehouse_id",
    "notes",
)
DEFAULT_CHUNK = 100
DEFAULT_WORKERS = 8


@dataclass
class ReportLine:
    source: str
    file: str
    line: int
    kind: str
    original_id: str
    email: str
    outcome: str
    gatehouse_id: str
    notes: str


@dataclass
class Summary:
    counts: Counter[str] = field(default_factory=Counter)
    lines: list[ReportLine] = field(default_factory=list)
    users: int = 0
    seconds: float = 0.0
    interrupted: bool = False

    def rows_per_second(self) -> float:
        return self.users / self.seconds if self.seconds > 0 else 0.0


def to_row(source: str, person: Person) -> ImportRow:
    return ImportRow(
        source=source,
        original_id=person.original_id,
        email=person.email,
        password_hash=person.password_hash,
        kept_id=person.kept_id,
        login=person.login,
        role=person.role,
        attributes=dict(person.attributes),
        membership=Membership(*person.membership) if person.membership else None,
        created_at=person.created_at,
        file=person.file,
        line=person.line,
    )


def run(
    loaded: Loaded,
    *,
    dry_run: bool = False,
    workers: int = DEFAULT_WORKERS,
    chunk_size: int = DEFAULT_CHUNK,
    console: Console | None = None,
    on_chunk: Callable[[int], None] | None = None,
) -> Summary:
    """Import everything `loaded` holds; never stops for a bad row. `on_chunk` is called with
    each finished chunk's size (after its writes)."""
    import time

    started = time.perf_counter()
    summary = Summary()
    source = loaded.source
    for rejected in loaded.rejected:
        _add(summary, ReportLine(source, rejected.file, rejected.line, "row", rejected.original_id,
                                 rejected.email, "rejected", "", rejected.reason))  # fmt: skip
    for prerequisite in kinds_in_order(loaded.prerequisites):
        outcome, note = imports.import_prerequisite(
            prerequisite.kind, int(prerequisite.original_id), prerequisite.fields, dry_run=dry_run
        )
        _add(summary, ReportLine(source, prerequisite.file, prerequisite.line, prerequisite.kind,
                                 prerequisite.original_id, "", outcome,
                                 prerequisite.original_id if outcome in ("created", "skipped") else "", note))  # fmt: skip
    rows, duplicates = imports.distinct_rows([to_row(source, person) for person in loaded.people])
    for result in duplicates:
        _add(summary, _user_line(result))
    if not dry_run:
        for kind, counter in imports.COUNTERS.items():
            ids = [int(p.original_id) for p in loaded.prerequisites if p.kind == kind]
            imports.reserve_counter(counter, max(ids, default=None))
        imports.reserve_ids(rows)
        imports.ensure_app_roles(rows)
    chunks = [rows[start : start + chunk_size] for start in range(0, len(rows), chunk_size)]
    summary.interrupted = _run_chunks(chunks, summary, dry_run, max(1, workers), console, on_chunk)
    if not summary.interrupted:
        _import_user_records(loaded, summary, dry_run)
    summary.users = sum(
        1 for line in summary.lines if line.kind == "user" and line.outcome in ("created", "merged")
    )
    summary.seconds = time.perf_counter() - started
    if not dry_run:
        imports.record_run(source, summary.counts)
    return summary


def _run_chunks(
    chunks: Sequence[list[ImportRow]],
    summary: Summary,
    dry_run: bool,
    workers: int,
    console: Console | None,
    on_chunk: Callable[[int], None] | None,
) -> bool:
    total = sum(len(chunk) for chunk in chunks)
    lock = threading.Lock()
    progress = Progress(
        TextColumn("[bold]importing" if not dry_run else "[bold]checking"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]} rows/s"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        disable=console is None,
        transient=False,
    )
    task = progress.add_task("rows", total=total, rate="-")
    interrupted = False
    with progress, ThreadPoolExecutor(max_workers=workers, thread_name_prefix="import") as pool:
        pending: set[Future[list[RowResult]]] = set()
        queue = list(reversed(chunks))
        try:
            while queue or pending:
                while queue and len(pending) < workers * 2:
                    pending.add(pool.submit(imports.import_chunk, queue.pop(), dry_run=dry_run))
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    results = future.result()
                    with lock:
                        for result in results:
                            _add(summary, _user_line(result))
                    progress.advance(task, len(results))
                    elapsed = progress.tasks[0].elapsed or 0.0
                    completed = progress.tasks[0].completed
                    progress.update(task, rate=f"{completed / elapsed:.0f}" if elapsed else "-")
                    if on_chunk is not None:
                        on_chunk(len(results))
        except (KeyboardInterrupt, ImportInterrupted):
            interrupted = True
            for future in pending:
                future.cancel()
    return interrupted


class ImportInterrupted(Exception):
    """Raised (by a signal handler or a test's `on_chunk`) to stop the run between chunks."""


def _import_user_records(loaded: Loaded, summary: Summary, dry_run: bool) -> None:
    """A's user_meta and demands, after the users they belong to, 100 at a time."""
    for kind in imports.USER_RECORD_KINDS:
        records = [record for record in loaded.user_records if record.kind == kind]
        for start in range(0, len(records), DEFAULT_CHUNK):
            chunk = records[start : start + DEFAULT_CHUNK]
            outcomes = imports.import_user_records(
                loaded.source, kind, [(r.original_id, r.fields, r.refs) for r in chunk], dry_run=dry_run
            )
            for record, (outcome, note, user_id) in zip(chunk, outcomes, strict=True):
                _add(summary, ReportLine(loaded.source, record.file, record.line, kind, record.original_id, "",
                                         outcome, "" if user_id is None else str(user_id), note))  # fmt: skip


def _user_line(result: RowResult) -> ReportLine:
    row = result.row
    return ReportLine(
        row.source,
        row.file,
        row.line,
        "user",
        row.original_id,
        row.email,
        result.outcome,
        "" if result.user_id is None else str(result.user_id),
        "; ".join(result.notes),
    )


def _add(summary: Summary, line: ReportLine) -> None:
    summary.lines.append(line)
    summary.counts[line.outcome] += 1


def write_report(summary: Summary, path: Path) -> None:
    """Every row, with what happened to it and why (the merged and rejected ones say why)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(REPORT_COLUMNS)
        for line in sorted(summary.lines, key=lambda item: (item.file, item.line)):
            writer.writerow([getattr(line, name) for name in REPORT_COLUMNS])
