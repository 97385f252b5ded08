"""Which table the CLI works on: a deployed one (by name and region), the local run's, or the
environment's as it is. Chosen before the layer is imported, because `gatehouse` reads its
settings (table, region, endpoint) when it is imported.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from gatehouse_local.embedded_aws import EmbeddedAws
from gatehouse_local.environment import DEFAULT_STATE_DIR, LOCAL_TABLE_NAME, local_jwt_secret
from gatehouse_local.server import ENDPOINT_FILE

# The CLI signs no tokens; settings insist on a key source, so a deployed target names none it uses.
UNUSED_SECRET_ARN = "unused-by-gatehouse-cli"


class TargetError(Exception):
    """The chosen target cannot be reached or is ambiguous."""


@dataclass(frozen=True)
class Target:
    description: str


def endpoint_file(state_dir: Path | None = None) -> Path:
    return (state_dir or DEFAULT_STATE_DIR) / ENDPOINT_FILE


def configure(
    *,
    table: str | None,
    region: str | None,
    endpoint_url: str | None,
    local: bool,
    state_dir: Path | None = None,
) -> Target:
    """Set the environment the layer will read. Precedence: --table, then --local, then a
    TABLE_NAME already in the environment, then the local run (the default)."""
    if table and local:
        raise TargetError("give either --table or --local, not both")
    if "gatehouse.settings" in sys.modules and (table or local):
        raise TargetError("the layer is already configured in this process; run the command on its own")
    if table:
        os.environ["TABLE_NAME"] = table
        if region:
            os.environ["AWS_REGION"] = os.environ["AWS_DEFAULT_REGION"] = region
        if endpoint_url:
            os.environ["DYNAMODB_ENDPOINT"] = endpoint_url
        if not os.environ.get("JWT_SECRET") and not os.environ.get("JWT_SECRET_ARN"):
            os.environ["JWT_SECRET_ARN"] = UNUSED_SECRET_ARN
        where = f" at {endpoint_url}" if endpoint_url else ""
        return Target(f"table {table} in {os.environ.get('AWS_REGION', 'the default region')}{where}")
    if not local and os.environ.get("TABLE_NAME"):
        return Target(f"table {os.environ['TABLE_NAME']} (from the environment)")
    return _local(state_dir)


def _local(state_dir: Path | None) -> Target:
    path = endpoint_file(state_dir)
    try:
        running = json.loads(path.read_text(encoding="utf-8"))
        endpoint = str(running["endpoint_url"])
        table = str(running.get("table_name") or LOCAL_TABLE_NAME)
    except (OSError, ValueError, KeyError):
        raise TargetError(
            f"the local run is not running (no {path}): start it with `make start`, "
            "or name a deployed table with --table NAME --region REGION"
        ) from None
    state = state_dir or DEFAULT_STATE_DIR
    os.environ.update(EmbeddedAws.environment_without_endpoint())
    if not os.environ.get("JWT_SECRET"):
        # The local run's key file, as `make start` reads it (and `gatehouse keys rotate` writes it).
        local_jwt_secret(state)
        os.environ["JWT_SECRET_FILE"] = str((state / "jwt-secret").resolve())
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "TABLE_NAME": table,
            "MAIL_TRANSPORT": "outbox",
            "OUTBOX_DIR": str(running.get("outbox_dir") or state / "outbox"),
            "PUBLIC_BASE_URL": str(running.get("public_base_url") or ""),
        }
    )
    return Target(f"the local run's table {table} at {endpoint}")
