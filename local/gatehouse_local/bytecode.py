"""Bytecode for the `sam build` output: `make build` runs this right after `sam build`.

    python3.13 -m gatehouse_local.bytecode .aws-sam/build

`sam build` copies sources and unpacks wheels without compiling them, and Lambda's `/opt` and
`/var/task` are read-only, so without this every cold start compiles every module it imports
(more than half of the import time). This writes an `unchecked-hash` pyc beside each `.py` of
the layer and of every function: the runtime loads it without even a stat of the source (the
deployed files never change), and the pyc depends on the source's bytes only, not on mtimes, so
rebuilding the same sources gives the same artifacts.

It must run under the template's runtime (the pyc's cache tag is the interpreter's, e.g.
`cpython-313`): it refuses to compile with any other Python. Standard library only, like
gatehouse_local.deploy: `make build` runs it without the project's venv.
"""

from __future__ import annotations

import compileall
import py_compile
import re
import sys
from pathlib import Path

# Where Lambda mounts what `sam build` produced: a layer's directory as /opt, a function's as /var/task.
LAYER_ROOT = "/opt"
FUNCTION_ROOT = "/var/task"
_RUNTIME = re.compile(r"^\s*Runtime:\s*[\"']?(python3\.\d+)[\"']?\s*$", re.MULTILINE)


class BytecodeError(RuntimeError):
    """The build cannot be compiled: another runtime, or a module that does not compile."""


def this_runtime() -> str:
    return f"python{sys.version_info.major}.{sys.version_info.minor}"


def template_runtimes(build_dir: Path) -> set[str]:
    """The Python runtimes the built template names (Globals, functions, layers' BuildMethod)."""
    text = (build_dir / "template.yaml").read_text(encoding="utf-8")
    named = set(_RUNTIME.findall(text))
    named |= set(re.findall(r"BuildMethod:\s*[\"']?(python3\.\d+)", text))
    return named


def artifact_roots(build_dir: Path) -> dict[Path, str]:
    """Every artifact directory of the build and where Lambda mounts it."""
    roots: dict[Path, str] = {}
    for artifact in sorted(path for path in build_dir.iterdir() if path.is_dir()):
        # A layer's content is under python/ (mounted at /opt/python); a function's is its root.
        roots[artifact] = LAYER_ROOT if (artifact / "python").is_dir() else FUNCTION_ROOT
    return roots


def compile_build(build_dir: Path) -> int:
    """Compile every `.py` of the build in place; returns how many artifact directories it did."""
    runtimes = template_runtimes(build_dir)
    if runtimes != {this_runtime()}:
        raise BytecodeError(
            f"the build is for {', '.join(sorted(runtimes)) or 'no Python runtime'}; "
            f"run this with that Python, not {this_runtime()} ({sys.executable})"
        )
    roots = artifact_roots(build_dir)
    for artifact, mounted_at in roots.items():
        compiled = compileall.compile_dir(
            artifact,
            ddir=mounted_at,
            quiet=1,
            workers=0,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
        if not compiled:
            raise BytecodeError(f"some modules of {artifact} do not compile (see above)")
    return len(roots)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python3.13 -m gatehouse_local.bytecode BUILD_DIR", file=sys.stderr)
        return 2
    try:
        count = compile_build(Path(argv[0]))
    except BytecodeError as error:
        print(f"bytecode: {error}", file=sys.stderr)
        return 1
    print(
        f"bytecode: compiled {count} artifacts of {argv[0]} (unchecked-hash, {sys.implementation.cache_tag})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
