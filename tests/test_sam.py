"""The SAM template validates (with cfn-lint) and builds: layer and functions."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from gatehouse_local.template import REPO_ROOT

pytestmark = pytest.mark.sam


def sam_cli() -> str:
    candidate = os.environ.get("SAM_CLI") or shutil.which("sam") or str(REPO_ROOT / ".venv/sam/bin/sam")
    if not Path(candidate).exists():
        pytest.fail("the AWS SAM CLI is not installed: run `make install` (or set SAM_CLI)")
    return candidate


def run_sam(*arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "SAM_CLI_TELEMETRY": "0"}
    environment.pop("AWS_ENDPOINT_URL", None)
    return subprocess.run(
        [sam_cli(), *arguments], cwd=REPO_ROOT, capture_output=True, text=True, env=environment, timeout=600
    )


def test_sam_validate_lint_passes() -> None:
    result = run_sam("validate", "--lint", "--region", "us-east-1")
    assert result.returncode == 0, result.stdout + result.stderr


def test_sam_build_packages_the_layer_and_every_function(tmp_path: Path) -> None:
    build_dir = tmp_path / "build"
    result = run_sam("build", "--build-dir", str(build_dir), "--cache-dir", str(tmp_path / "cache"))
    assert result.returncode == 0, result.stdout + result.stderr
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
    assert (build_dir / "AuthFunction" / "app.py").is_file()


def test_cfn_lint_with_the_informational_rules_finds_nothing() -> None:
    # cfn-lint is pinned in requirements-sam.txt, installed beside the SAM CLI.
    cfn_lint = Path(sam_cli()).parent / "cfn-lint"
    assert cfn_lint.exists(), "cfn-lint is not installed: run `make install`"
    result = subprocess.run(
        [str(cfn_lint), "--include-checks", "I", "--", "template.yaml"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
