"""The functions' environment for the local run: the template's, resolved to local resources."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path

from gatehouse_local.apigw import LOCAL_STAGE
from gatehouse_local.template import (
    FUNCTION_TYPE,
    REPO_ROOT,
    Template,
    TemplateError,
    bucket_logical_ids,
    function_environment,
    resources_of_type,
    table_logical_id,
)

LOCAL_TABLE_NAME = "gatehouse-local"
LOCAL_BUCKET_NAMES = {"UserpicBucket": "gatehouse-userpics-local"}
DEFAULT_STATE_DIR = REPO_ROOT / ".local"
SECRET_TYPE = "AWS::SecretsManager::Secret"
# The MailFrom parameter has no default (a deployment must name its SES identity); locally mail
# goes to the outbox directory, never to SES, so any address will do.
LOCAL_MAIL_FROM = "no-reply@gatehouse.test"
# Browser apps on any local port may call the local API (with credentials); $ALLOWED_ORIGINS overrides.
LOCAL_ALLOWED_ORIGINS = "http://localhost:*,http://127.0.0.1:*"


def ensure_state_dir(path: Path | None = None) -> Path:
    """The directory for local-only state, created on demand and ignored by git."""
    directory = path or DEFAULT_STATE_DIR
    directory.mkdir(parents=True, exist_ok=True)
    ignore = directory / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    return directory


def local_bucket_names(template: Template) -> dict[str, str]:
    names: dict[str, str] = {}
    for logical_id in bucket_logical_ids(template):
        kebab = re.sub(r"(?<!^)(?=[A-Z])", "-", logical_id).lower()
        names[logical_id] = LOCAL_BUCKET_NAMES.get(logical_id, f"gatehouse-{kebab}-local")
    return names


def local_values(template: Template) -> dict[str, str]:
    """What ``Ref``/``Fn::Sub``/``Fn::GetAtt`` resolve to locally, by logical id or parameter."""
    values = {"Stage": LOCAL_STAGE, "MailFrom": LOCAL_MAIL_FROM, table_logical_id(template): LOCAL_TABLE_NAME}
    values.update(local_bucket_names(template))
    # Locally the signing key comes from JWT_SECRET, never from Secrets Manager.
    values.update(dict.fromkeys(resources_of_type(template, SECRET_TYPE), ""))
    return values


def checked_parameter_overrides(template: Template, overrides: Mapping[str, str]) -> dict[str, str]:
    unknown = sorted(set(overrides) - set(template.get("Parameters") or {}))
    if unknown:
        raise TemplateError(f"no such template parameter: {', '.join(unknown)}")
    return dict(overrides)


def parse_parameter_overrides(text: str) -> dict[str, str]:
    """``Name=Value Name2=Value2``, the form ``sam deploy``/``sam local`` take."""
    overrides: dict[str, str] = {}
    for pair in text.split():
        name, separator, value = pair.partition("=")
        if not separator or not name:
            raise ValueError(f"expected Name=Value, got {pair!r}")
        overrides[name] = value
    return overrides


def local_jwt_secret(state_dir: Path | None = None) -> str:
    """``$JWT_SECRET``, else a key generated once and kept in ``.local/jwt-secret``.

    Kept on disk so that tokens issued before a restart still verify after it.
    """
    from_environment = os.environ.get("JWT_SECRET")
    if from_environment:
        return from_environment
    path = ensure_state_dir(state_dir) / "jwt-secret"
    if path.exists():
        stored = path.read_text(encoding="utf-8").strip()
        if stored:
            return stored
    generated = secrets.token_urlsafe(64)
    path.touch(mode=0o600)
    path.write_text(generated + "\n", encoding="utf-8")
    return generated


def local_environment(
    template: Template,
    port: int,
    *,
    jwt_secret: str | None = None,
    outbox_dir: Path | None = None,
    state_dir: Path | None = None,
    public_base_url: str | None = None,
    parameter_overrides: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The union of every function's environment, with the local overrides.

    ``parameter_overrides`` take the place of the template parameters' defaults, as
    ``sam local start-api --parameter-overrides`` does.

    All functions share one process locally, so two functions that set the same
    variable to different values are an error rather than a silent pick.
    """
    values = local_values(template)
    values.update(checked_parameter_overrides(template, parameter_overrides or {}))
    merged: dict[str, str] = {}
    owner: dict[str, str] = {}
    for function_id in resources_of_type(template, FUNCTION_TYPE):
        for name, value in function_environment(template, function_id, values).items():
            if name in merged and merged[name] != value:
                raise TemplateError(
                    f"{name} is {merged[name]!r} for {owner[name]} but {value!r} for {function_id}; "
                    "functions share one process locally"
                )
            merged[name] = value
            owner[name] = function_id
    merged.pop("JWT_SECRET_ARN", None)
    fixed = jwt_secret or os.environ.get("JWT_SECRET")
    if fixed:
        merged["JWT_SECRET"], merged["JWT_SECRET_FILE"] = fixed, ""
    else:
        # The file itself, not its contents: `make rotate-key` rotates it under a running server.
        local_jwt_secret(state_dir)
        merged["JWT_SECRET"] = ""
        merged["JWT_SECRET_FILE"] = str((ensure_state_dir(state_dir) / "jwt-secret").resolve())
    merged["MAIL_TRANSPORT"] = "outbox"
    merged["OUTBOX_DIR"] = str(outbox_dir or (state_dir or DEFAULT_STATE_DIR) / "outbox")
    merged["PUBLIC_BASE_URL"] = public_base_url or f"http://127.0.0.1:{port}"
    merged["ALLOWED_ORIGINS"] = os.environ.get("ALLOWED_ORIGINS") or LOCAL_ALLOWED_ORIGINS
    return merged
