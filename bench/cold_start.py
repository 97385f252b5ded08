"""Cold import of every function as Lambda loads it, against a minimal FastAPI+Mangum app.

Both sides come from a build: each function from `sam build`'s output (`.aws-sam/build/<Fn>` as
/var/task, the layer's `SharedLayer/python` as /opt/python, with the bytecode `make build`
compiles into them), the reference from a tiny build of its own (an `app.py` with three routes
and its unchecked-hash pyc) on the same layer directory, so it imports the same FastAPI,
pydantic and Mangum pycs. Each run is a fresh `python3.13 -S` (no site: only those two
directories and the standard library on sys.path) with the template's environment and the
variables Lambda sets, so powertools traces as deployed (X-Ray patches botocore). The signing
key comes from JWT_SECRET: reading it from Secrets Manager is a network call, not an import.

The targets run round-robin (one run of each per round), so the machine's noise falls on all of
them alike; the figure is the median of the rounds, in CPU time of the importing process (what the import costs; on an idle machine its wall time, which a shared
machine's load inflates: the progress lines show both). Before the first round every file the
runs may load (the build's, the reference's and the standard library's) is read once, so that no
run reads from the disk what the others find in the page cache (a discarded round of imports did
that before, for ~10 s). A build older than its sources is made again first (`make build`,
30-100 s).
"""

from __future__ import annotations

import os
import py_compile
import statistics
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench.figures import Figure, Progress, section_main
from gatehouse_local.bytecode import this_runtime
from gatehouse_local.template import FUNCTION_TYPE, REPO_ROOT, load_template, resources_of_type

SECTION = "cold start"
BUILD_DIR = REPO_ROOT / ".aws-sam" / "build"
LAYER_ARTIFACT = "SharedLayer"
RATIO_GOAL = 1.3
ROUNDS = 4
REFERENCE = "FastAPI+Mangum, 3 routes"
# Only UsersAdmin decodes userpics.
PIL_FUNCTIONS = {"UsersAdminFunction"}

# Typed like this project's routes (mypy --strict): FastAPI makes a response field of each return type.
REFERENCE_APP = '''"""The reference: a minimal FastAPI app with three routes behind Mangum."""

from fastapi import FastAPI
from mangum import Mangum

app = FastAPI()


@app.get("/items")
async def list_items() -> dict[str, list[int]]:
    return {"items": []}


@app.get("/items/{item_id}")
async def get_item(item_id: int) -> dict[str, int]:
    return {"id": item_id}


@app.post("/items")
async def create_item(item: dict[str, str]) -> dict[str, str]:
    return item


handler = Mangum(app, lifespan="off")
'''

# Lambda's bootstrap puts the function, then the layers, first on sys.path and imports the handler's
# module. Once measured, the run leaves without the interpreter's teardown of every module it
# imported (~0.2 s a run, outside the figure).
PROBE = """
import os, sys, time
started, cpu = time.perf_counter(), time.process_time()
sys.path[:0] = [sys.argv[1], sys.argv[2]]
module = __import__(sys.argv[3])
getattr(module, "handler")
print(time.perf_counter() - started, time.process_time() - cpu, flush=True)
os._exit(0)
"""


def sources_newer_than(stamp: Path) -> bool:
    """Whether anything `sam build` reads changed after the build was made."""
    built = stamp.stat().st_mtime
    roots = [REPO_ROOT / "layers" / "gatehouse", REPO_ROOT / "functions"]
    changed = (REPO_ROOT / "template.yaml").stat().st_mtime > built
    for root in roots:
        # Into linked directories too: DocsFunction ships docs/openapi and docs/postman through links.
        for path in root.rglob("*", recurse_symlinks=True):
            if "__pycache__" in path.parts or path.suffix == ".pyc" or not path.is_file():
                continue
            if path.suffix in {".py", ".txt", ".toml", ".json"} and path.stat().st_mtime > built:
                return True
    return changed


def ensure_build(progress: Progress) -> None:
    """`make build` (sam build, then the bytecode) unless `.aws-sam/build` is newer than its sources."""
    stamp = BUILD_DIR / "template.yaml"
    compiled = BUILD_DIR / LAYER_ARTIFACT / "python" / "gatehouse" / "__pycache__"
    if stamp.exists() and compiled.is_dir() and not sources_newer_than(stamp):
        progress("cold start: .aws-sam/build is up to date")
        return
    progress("cold start: make build (sam build + bytecode)")
    result = subprocess.run(
        ["make", "--no-print-directory", "build"],  # noqa: S607 - the developer's make, as `make bench` is
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"make build failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")


def function_environment(function_id: str) -> dict[str, str]:
    """The template's variables with stand-in values, and what Lambda itself sets."""
    template = load_template()
    declared = dict(template["Globals"]["Function"]["Environment"]["Variables"])
    function = resources_of_type(template, FUNCTION_TYPE)[function_id]
    declared.update(((function["Properties"].get("Environment") or {}).get("Variables")) or {})
    environment = {name: value for name, value in declared.items() if isinstance(value, str)}
    environment.update(
        {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "TABLE_NAME": "gatehouse-bench",
            "STAGE": "prod",
            "JWT_SECRET": "bench-only-signing-key-" + "0123456789abcdef" * 4,
            "JWT_SECRET_ARN": "",
            "MAIL_FROM": "no-reply@gatehouse.test",
            "USERPIC_BUCKET": "gatehouse-bench-userpics",
            "POWERTOOLS_SERVICE_NAME": "gatehouse-bench",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{this_runtime()}",
            "AWS_LAMBDA_FUNCTION_NAME": f"gatehouse-bench-{function_id}",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "LAMBDA_TASK_ROOT": "/var/task",
            "LAMBDA_RUNTIME_DIR": "/var/runtime",
            "_HANDLER": "app.handler",
        }
    )
    for name in ("LOG_LEVEL", "RATE_LIMIT_PER_MINUTE"):
        environment.setdefault(name, {"LOG_LEVEL": "INFO", "RATE_LIMIT_PER_MINUTE": "60"}[name])
    # Parameters the template passes through (Ref) have no value here: the settings' defaults apply.
    return {name: value for name, value in environment.items() if value is not None}


def reference_build(root: Path) -> Path:
    """The reference app's own build directory: its app.py and that module's unchecked-hash pyc."""
    task = root / "ReferenceFunction"
    task.mkdir()
    source = task / "app.py"
    source.write_text(REFERENCE_APP, encoding="utf-8")
    py_compile.compile(
        str(source),
        cfile=str(task / "__pycache__" / f"app.{sys.implementation.cache_tag}.pyc"),
        dfile="/var/task/app.py",
        doraise=True,
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )
    return task


def run_probe(
    task: Path, layer: Path, environment: dict[str, str], runner: Sequence[str] = ()
) -> subprocess.CompletedProcess[str]:
    """A fresh `python3.13 -S` importing the task's `app` module (and finding its handler) as
    Lambda loads it, under `runner` when given (valgrind: bench/cold_instructions.py)."""
    result = subprocess.run(  # noqa: S603 - this interpreter (and a given runner), fixed arguments
        [*runner, sys.executable, "-S", "-c", PROBE, str(task), str(layer), "app"],
        cwd=task,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"importing {task}/app.py failed:\n{result.stderr[-3000:]}")
    return result


def import_seconds(task: Path, layer: Path, environment: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of importing the task's `app` module (and finding its handler)."""
    wall, cpu = run_probe(task, layer, environment).stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


def standard_library_files() -> list[Path]:
    """What a `-S` interpreter may load of the standard library: its pycs and extension modules."""
    root = Path(sysconfig.get_path("stdlib", vars={"installed_base": sys.base_prefix}))
    pyc = f".{sys.implementation.cache_tag}.pyc"
    return [
        path
        for path in root.rglob("*")
        if (path.name.endswith(pyc) or path.suffix == ".so")
        and "site-packages" not in path.parts
        and path.is_file()
    ]


def warm_page_cache(directories: list[Path], files: list[Path]) -> int:
    """Read every file under the directories and the files (what a discarded first round of
    imports did for the rounds after it: the disk reads); returns how many bytes."""
    paths = [*(path for directory in directories for path in directory.rglob("*") if path.is_file()), *files]
    return sum(len(path.read_bytes()) for path in paths)


def unchecked_hash_gaps(build_dir: Path) -> list[Path]:
    """The build's modules without an unchecked-hash pyc for this interpreter's cache tag."""
    tag = sys.implementation.cache_tag
    missing = []
    for source in build_dir.rglob("*.py"):
        pyc = source.parent / "__pycache__" / f"{source.stem}.{tag}.pyc"
        # PEP 552: the flags word after the magic number; 0b01 = hash-based, not checked against the source.
        if not pyc.is_file() or int.from_bytes(pyc.read_bytes()[4:8], "little") != 0b01:
            missing.append(source)
    return missing


def functions_with_pil(build_dir: Path) -> list[str]:
    layer = build_dir / LAYER_ARTIFACT / "python"
    carriers = [path.name for path in sorted(build_dir.iterdir()) if (path / "PIL").is_dir()]
    return carriers + ([LAYER_ARTIFACT] if (layer / "PIL").is_dir() else [])


def run(progress: Progress, rounds: int = ROUNDS) -> list[Figure]:
    if sys.version_info[:2] != (3, 13):
        raise RuntimeError(f"the cold-start bench needs the runtime's Python 3.13, not {sys.version}")
    ensure_build(progress)
    layer = BUILD_DIR / LAYER_ARTIFACT / "python"
    # Every function the template declares, as Lambda loads it: none may be left out of the table.
    functions = sorted(resources_of_type(load_template(), FUNCTION_TYPE))
    unbuilt = [function_id for function_id in functions if not (BUILD_DIR / function_id / "app.py").is_file()]
    if unbuilt:
        raise RuntimeError(f"{BUILD_DIR} has no build of {', '.join(unbuilt)}: run `make build`")
    with tempfile.TemporaryDirectory(prefix="cold-start-") as scratch:
        targets = {REFERENCE: (reference_build(Path(scratch)), function_environment(functions[0]))}
        for function_id in functions:
            targets[function_id] = (BUILD_DIR / function_id, function_environment(function_id))
        tasks = sorted({task for task, _ in targets.values()})
        cached = warm_page_cache([layer, *tasks], standard_library_files())
        progress(f"cold start: {cached / 1e6:.0f} MB read into the page cache")
        wall: dict[str, list[float]] = {name: [] for name in targets}
        cpu: dict[str, list[float]] = {name: [] for name in targets}
        for round_number in range(1, rounds + 1):
            progress(f"cold start: round {round_number}/{rounds} ({len(targets)} fresh interpreters)")
            for name, (task, environment) in targets.items():
                wall_seconds, cpu_seconds = import_seconds(task, layer, environment)
                wall[name].append(wall_seconds * 1000)
                cpu[name].append(cpu_seconds * 1000)
    reference = statistics.median(cpu[REFERENCE])
    figures = []
    for name in targets:
        median = statistics.median(cpu[name])
        progress(
            f"cold start: {name}: CPU median {median:.0f} ms (min {min(cpu[name]):.0f}), "
            f"wall median {statistics.median(wall[name]):.0f} ms (min {min(wall[name]):.0f}), "
            f"{median / reference:.2f}x"
        )
        if name == REFERENCE:
            continue
        figures.append(
            Figure(
                section=SECTION,
                name=f"{name} import",
                ours=round(median, 1),
                unit="ms",
                reference=round(reference, 1),
                reference_name=REFERENCE,
                ratio_at_most=RATIO_GOAL,
            )
        )
    gaps = unchecked_hash_gaps(BUILD_DIR)
    figures.append(
        Figure(SECTION, "build modules without an unchecked-hash pyc", float(len(gaps)), "files", at_most=0)
    )
    pil = [name for name in functions_with_pil(BUILD_DIR) if name not in PIL_FUNCTIONS]
    figures.append(
        Figure(SECTION, "artifacts besides UsersAdmin carrying Pillow", float(len(pil)), "", at_most=0)
    )
    return figures


if __name__ == "__main__":
    section_main(run)
