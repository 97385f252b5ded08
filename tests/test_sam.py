"""The SAM template validates (with cfn-lint) and builds: layer and functions."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest

from gatehouse_local.template import FUNCTION_TYPE, REPO_ROOT, load_template, resources_of_type

pytestmark = [pytest.mark.sam, pytest.mark.heavy]


def sam_cli() -> str:
    candidate = os.environ.get("SAM_CLI") or shutil.which("sam") or str(REPO_ROOT / ".venv/sam/bin/sam")
    if not Path(candidate).exists():
        pytest.fail("the AWS SAM CLI is not installed: run `make install` (or set SAM_CLI)")
    return candidate


def sam_environment() -> dict[str, str]:
    environment = {**os.environ, "SAM_CLI_TELEMETRY": "0"}
    environment.pop("AWS_ENDPOINT_URL", None)
    # `sam build` looks the runtime's python3.13 up on PATH: the tests' own interpreter is that one
    # (pyenv's python3.13 shim on PATH refuses to run unless PYENV_VERSION is set).
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment.get('PATH', '')}"
    return environment


@dataclass
class Started:
    """A command running in the background, its output going to files (no pipe to fill)."""

    process: subprocess.Popen[str]
    stdout: IO[str]
    stderr: IO[str]

    def result(self) -> subprocess.CompletedProcess[str]:
        """Wait for the command (at most 10 minutes), then its status and output."""
        self.process.wait(timeout=600)
        outputs = []
        for stream in (self.stdout, self.stderr):
            stream.seek(0)
            outputs.append(stream.read())
        return subprocess.CompletedProcess(self.process.args, self.process.returncode, *outputs)


def start(stack: ExitStack, command: list[str], environment: dict[str, str] | None = None) -> Started:
    """`command` started in the repository; killed if still running when `stack` closes."""
    stdout = stack.enter_context(tempfile.TemporaryFile("w+"))  # noqa: SIM115 - the stack closes it
    stderr = stack.enter_context(tempfile.TemporaryFile("w+"))  # noqa: SIM115 - the stack closes it
    process = stack.enter_context(
        subprocess.Popen(command, cwd=REPO_ROOT, stdout=stdout, stderr=stderr, text=True, env=environment)
    )
    stack.callback(process.kill)  # before Popen's exit waits for it; nothing if it has ended
    return Started(process, stdout, stderr)


@dataclass
class SamCommands:
    build_dir: Path
    validate: Started
    build: Started
    cfn_lint: Started | None


@pytest.fixture(scope="module")
def sam_commands(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SamCommands]:
    """`sam validate --lint`, `sam build` and cfn-lint with the informational rules, all started by
    the module's first test: each is one process that spends much of its time waiting (on files,
    pip, imports), so together they take about as long as the build alone, not the sum of the three."""
    scratch = tmp_path_factory.mktemp("sam")
    build_dir = scratch / "build"
    environment = sam_environment()
    cfn_lint = cfn_lint_path()
    with ExitStack() as stack:
        yield SamCommands(
            build_dir,
            validate=start(stack, [sam_cli(), "validate", "--lint", "--region", "us-east-1"], environment),
            build=start(
                stack,
                [sam_cli(), "build", "--build-dir", str(build_dir), "--cache-dir", str(scratch / "cache")],
                environment,
            ),
            cfn_lint=(
                start(stack, [str(cfn_lint), "--include-checks", "I", "--", "template.yaml"])
                if cfn_lint.exists()
                else None
            ),
        )


def cfn_lint_path() -> Path:
    # cfn-lint is pinned in requirements-sam.txt, installed beside the SAM CLI.
    return Path(sam_cli()).parent / "cfn-lint"


def test_sam_validate_lint_passes(sam_commands: SamCommands) -> None:
    result = sam_commands.validate.result()
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def build_dir(sam_commands: SamCommands) -> Path:
    """What `make build` makes: `sam build`, then the bytecode step with the runtime's Python."""
    build_dir = sam_commands.build_dir
    result = sam_commands.build.result()
    assert result.returncode == 0, result.stdout + result.stderr
    # The tests run on the runtime's Python (the Makefile makes .venv with it).
    compiled = subprocess.run(
        [sys.executable, "-m", "gatehouse_local.bytecode", str(build_dir)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT / "local")},
        timeout=600,
    )
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    return build_dir


def runtime_cache_tag() -> str:
    runtime = load_template()["Globals"]["Function"]["Runtime"]
    major, minor = runtime.removeprefix("python").split(".")
    return f"cpython-{major}{minor}"


def test_sam_build_packages_the_layer_and_every_function(build_dir: Path) -> None:
    layer = build_dir / "SharedLayer" / "python"
    for package in (
        "gatehouse",
        "fastapi",
        "mangum",
        "pynamodb",
        "jwt",
        "passlib",
        "argon2",
        "bcrypt",
        "aws_lambda_powertools",
        "aws_xray_sdk",
    ):
        assert (layer / package).is_dir(), f"{package} missing from the layer"
    assert (build_dir / "JwtAuthFunction" / "app.py").is_file()


def test_every_module_of_the_layer_and_the_functions_has_an_unchecked_hash_pyc(build_dir: Path) -> None:
    # Lambda's /opt and /var/task are read-only: a module without a pyc is compiled on every cold start.
    tag = runtime_cache_tag()
    artifacts = sorted(path for path in build_dir.iterdir() if path.is_dir())
    assert {path.name for path in artifacts} == {
        "SharedLayer",
        *resources_of_type(load_template(), FUNCTION_TYPE),
    }
    for artifact in artifacts:
        sources = list(artifact.rglob("*.py"))
        assert sources, artifact.name
        for source in sources:
            pyc = source.parent / "__pycache__" / f"{source.stem}.{tag}.pyc"
            assert pyc.is_file(), f"{source.relative_to(build_dir)} has no {tag} pyc"
            header = pyc.read_bytes()[:16]
            assert header[:4] == importlib.util.MAGIC_NUMBER, source
            # PEP 552 flags: hash-based (bit 0) and not checked against the source (bit 1 clear).
            assert int.from_bytes(header[4:8], "little") == 0b01, f"{pyc} is not unchecked-hash"
            assert header[8:16] == importlib.util.source_hash(source.read_bytes()), source


def test_only_the_users_admin_function_carries_pillow(build_dir: Path) -> None:
    carriers = {
        path.name
        for path in build_dir.iterdir()
        if (path / "PIL").is_dir() or (path / "python" / "PIL").is_dir()
    }
    assert carriers == {"UsersAdminFunction"}
    # ... and it is Pillow's own copy, beside the function's code (functions/users_admin/requirements.txt).
    assert (build_dir / "UsersAdminFunction" / "PIL" / "Image.py").is_file()


def test_the_docs_function_carries_the_documents_collections_and_swagger_ui(build_dir: Path) -> None:
    # functions/docs/openapi and postman are symlinks to docs/: the build holds real files.
    function = build_dir / "DocsFunction"
    for folder in ("openapi", "postman"):
        shipped = function / folder
        assert shipped.is_dir(), folder
        assert not shipped.is_symlink(), folder
        files = sorted(shipped.iterdir())
        assert [path.name for path in files] == [f"{key}.json" for key in "abcde"], folder
        for path in files:
            assert not path.is_symlink(), path
            assert path.read_bytes() == (REPO_ROOT / "docs" / folder / path.name).read_bytes(), path
    swagger_ui = function / "openapi_ui_bundles" / "swagger_ui" / "vendor"
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js"):
        assert (swagger_ui / asset).stat().st_size > 100_000, asset
    assert (function / "gatehouse-docs.js").is_file()
    # Swagger UI is this function's alone, like Pillow is the users admin's.
    carriers = {path.name for path in build_dir.iterdir() if (path / "openapi_ui_bundles").is_dir()}
    assert carriers == {"DocsFunction"}


def test_cfn_lint_with_the_informational_rules_finds_nothing(sam_commands: SamCommands) -> None:
    assert cfn_lint_path().exists(), "cfn-lint is not installed: run `make install`"
    assert sam_commands.cfn_lint is not None
    result = sam_commands.cfn_lint.result()
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
