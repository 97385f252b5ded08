"""Cold import in instructions: the cold section's figure without the machine's noise.

`make bench-instructions` imports every function and the reference exactly as the cold section
does (`bench/cold_start.py`: the `sam build` output with its bytecode, a fresh `python3.13 -S`,
the template's environment), once each under valgrind's callgrind, and counts the instructions
the process executes. On a shared machine the cold section's CPU times move by 20-40 % between
runs (other work on the same cores, its caches); an instruction count is the same on every run
of the same build, so it shows what a change to the imports saves. It is not a time: a cache
miss costs more than an instruction, so the cold section's ratios stay the goal's figure (they
agree to a few hundredths on the functions measured: bench/README.md, "Cold start").

Not a section of `make bench` (each import takes 20-40 s under callgrind: about 4 minutes for
all of them on two cores). Needs valgrind (`apt install valgrind`). Prints the table and, when every
function was counted, writes `bench/results/cold_instructions.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.cold_start import (
    BUILD_DIR,
    LAYER_ARTIFACT,
    REFERENCE,
    ensure_build,
    function_environment,
    reference_build,
    run_probe,
)
from bench.figures import Progress
from gatehouse_local.template import FUNCTION_TYPE, REPO_ROOT, load_template, resources_of_type

RESULTS = REPO_ROOT / "bench" / "results" / "cold_instructions.json"
_COLLECTED = re.compile(r"^==\d+== Collected : (\d+)$", re.MULTILINE)


def collected_instructions(callgrind_output: str) -> int:
    """The instruction count callgrind reports at the end of a run (its `Collected :` line)."""
    found = _COLLECTED.search(callgrind_output)
    if found is None:
        raise RuntimeError(f"callgrind reported no instruction count:\n{callgrind_output[-2000:]}")
    return int(found.group(1))


def import_instructions(valgrind: str, task: Path, layer: Path, environment: dict[str, str]) -> int:
    """Instructions of the cold section's probe (a fresh `python3.13 -S` importing the task's
    `app` module), counted by callgrind."""
    callgrind = [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null"]
    return collected_instructions(run_probe(task, layer, environment, runner=callgrind).stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="imports counted at once")
    parser.add_argument("functions", nargs="*", help="template function ids (default: all of them)")
    options = parser.parse_args()
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("bench-instructions needs valgrind (apt install valgrind)", file=sys.stderr)
        return 2
    progress = Progress()
    ensure_build(progress)
    functions = options.functions or sorted(resources_of_type(load_template(), FUNCTION_TYPE))
    layer = BUILD_DIR / LAYER_ARTIFACT / "python"
    with tempfile.TemporaryDirectory(prefix="cold-instructions-") as scratch:
        targets = {REFERENCE: (reference_build(Path(scratch)), function_environment(functions[0]))}
        targets.update({name: (BUILD_DIR / name, function_environment(name)) for name in functions})

        def count(name: str) -> tuple[str, int]:
            task, environment = targets[name]
            instructions = import_instructions(valgrind, task, layer, environment)
            progress(f"cold instructions: {name}: {instructions / 1e6:,.0f} M")
            return name, instructions

        with ThreadPoolExecutor(max_workers=max(options.jobs, 1)) as pool:
            counted = dict(pool.map(count, targets))
    reference = counted.pop(REFERENCE)
    rows = {
        name: {"instructions": value, "ratio": round(value / reference, 3)} for name, value in counted.items()
    }
    print(
        f"{'function':28s} {'M instructions':>15s} {'ratio':>6s}  (reference {reference / 1e6:,.0f} M: {REFERENCE})"
    )
    for name, row in rows.items():
        print(f"{name:28s} {row['instructions'] / 1e6:15,.0f} {row['ratio']:6.2f}")
    if not options.functions:  # a few functions asked for: printed, the results of all kept
        RESULTS.write_text(
            json.dumps({"reference": reference, "reference_name": REFERENCE, "functions": rows}, indent=2)
            + "\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
