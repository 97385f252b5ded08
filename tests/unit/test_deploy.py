"""`make deploy`: samconfig.toml's environments, MailFrom required from the environment, STACK honoured."""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib

import pytest

from gatehouse_local.deploy import SAMCONFIG, DeployConfigError, configured_overrides, parameter_overrides
from gatehouse_local.template import REPO_ROOT, load_template

ENVIRONMENTS = ("default", "staging", "prod")


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_each_environment_sets_its_stage_and_only_parameters_the_template_has(env: str) -> None:
    overrides = configured_overrides(env)
    assert overrides["Stage"] == {"default": "dev"}.get(env, env)
    assert set(overrides) <= set(load_template()["Parameters"])
    # The SES identity differs per account: it never lives in the repository.
    assert "MailFrom" not in overrides


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_each_environment_deploys_a_stack_of_its_own(env: str) -> None:
    config = tomllib.loads(SAMCONFIG.read_text())
    stack = config[env]["global"]["parameters"]["stack_name"]
    assert stack == f"gatehouse-{ {'default': 'dev'}.get(env, env) }"
    assert config[env]["deploy"]["parameters"]["s3_prefix"] == stack


def test_a_deploy_without_mail_from_is_refused() -> None:
    with pytest.raises(DeployConfigError, match="MAIL_FROM"):
        parameter_overrides("staging", {})


def test_mail_from_and_the_alarm_topic_come_from_the_environment() -> None:
    topic = "arn:aws:sns:eu-west-1:123456789012:oncall"
    overrides = parameter_overrides(
        "prod", {"MAIL_FROM": "no-reply@id.example.com", "ALARM_TOPIC_ARN": topic}
    )
    assert overrides.endswith(f"MailFrom=no-reply@id.example.com AlarmTopicArn={topic}")
    assert "Stage=prod" in overrides


def test_an_unknown_environment_is_refused() -> None:
    with pytest.raises(DeployConfigError, match="nowhere"):
        parameter_overrides("nowhere", {"MAIL_FROM": "a@b.example"})


def make_deploy_dry_run(*arguments: str) -> str:
    environment = {**os.environ, "MAIL_FROM": "no-reply@id.example.com"}
    make = shutil.which("make")
    assert make is not None
    result = subprocess.run(
        [make, "--no-print-directory", "-n", "deploy", *arguments],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=True,
    )
    return result.stdout


def test_make_deploy_honours_env_and_stack() -> None:
    commands = make_deploy_dry_run("ENV=staging", "STACK=gatehouse-staging-blue")
    deploy_line = commands[commands.index("sam deploy") :]
    assert "--config-env staging" in deploy_line
    assert "--stack-name gatehouse-staging-blue --s3-prefix gatehouse-staging-blue" in deploy_line
    assert "-m gatehouse_local.deploy staging" in commands


def test_make_deploy_without_stack_uses_the_environment_s_stack() -> None:
    commands = make_deploy_dry_run()
    assert "--config-env default" in commands
    assert "--stack-name" not in commands
