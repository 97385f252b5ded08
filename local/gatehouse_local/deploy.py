"""`make deploy`'s parameter overrides: samconfig.toml's for the environment, plus the values
that differ per account and never live in the repository.

    python -m gatehouse_local.deploy ENV     # prints the --parameter-overrides string

`MAIL_FROM` (the SES identity, required: the template gives `MailFrom` no default) and
`ALARM_TOPIC_ARN` (optional) come from the environment; CI sets them from repository
variables. Standard library only: the deploy job runs it without the project's venv.
"""

from __future__ import annotations

import os
import shlex
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path

SAMCONFIG = Path(__file__).resolve().parents[2] / "samconfig.toml"
# Environment variable -> template parameter, and whether a deploy needs it.
FROM_ENVIRONMENT = {"MAIL_FROM": ("MailFrom", True), "ALARM_TOPIC_ARN": ("AlarmTopicArn", False)}


class DeployConfigError(ValueError):
    """The environment is unknown, or a required value is missing."""


def configured_overrides(env: str, samconfig: Path = SAMCONFIG) -> dict[str, str]:
    """samconfig.toml's `parameter_overrides` of `[env.deploy.parameters]`, parsed."""
    config = tomllib.loads(samconfig.read_text(encoding="utf-8"))
    try:
        text = config[env]["deploy"]["parameters"].get("parameter_overrides", "")
    except KeyError:
        raise DeployConfigError(f"samconfig.toml has no [{env}.deploy.parameters]") from None
    overrides: dict[str, str] = {}
    for token in shlex.split(text):
        name, separator, value = token.partition("=")
        if not separator:
            raise DeployConfigError(f"samconfig.toml [{env}]: {token!r} is not Name=value")
        overrides[name] = value
    return overrides


def parameter_overrides(env: str, environ: Mapping[str, str], samconfig: Path = SAMCONFIG) -> str:
    overrides = configured_overrides(env, samconfig)
    for variable, (parameter, required) in FROM_ENVIRONMENT.items():
        value = environ.get(variable, "")
        if value:
            overrides[parameter] = value
        elif required and not overrides.get(parameter):
            raise DeployConfigError(
                f"set {variable} (the {parameter} parameter: a verified SES identity), e.g. "
                f"make deploy ENV={env} {variable}=no-reply@id.example.com"
            )
    return " ".join(f"{name}={shlex.quote(value)}" for name, value in overrides.items())


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m gatehouse_local.deploy ENV", file=sys.stderr)
        return 2
    try:
        print(parameter_overrides(argv[0], os.environ))
    except DeployConfigError as error:
        print(f"make deploy: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
