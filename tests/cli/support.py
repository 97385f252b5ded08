"""The CLI run in-process (Typer's CliRunner) against the test moto server the `api` fixture uses."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from typer.testing import CliRunner, Result

from gatehouse_cli.main import app
from gatehouse_local.template import REPO_ROOT

EXAMPLES = REPO_ROOT / "examples" / "import"


def gatehouse(*arguments: str, stdin: str | None = None) -> Result:
    """`gatehouse …` on the environment's table (tests set TABLE_NAME and the moto endpoint)."""
    return CliRunner().invoke(app, list(arguments), input=stdin, catch_exceptions=False)


if TYPE_CHECKING:
    from gatehouse.data.models import UserItem


def stored_user(identifier: str) -> UserItem | None:
    from gatehouse.data import users
    from gatehouse.services.identity import canonical, identifier_kind

    return users.find_by(identifier_kind(identifier), canonical(identifier))


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def stored(identifier: str) -> UserItem:
    """The stored user, which must exist."""
    user = stored_user(identifier)
    assert user is not None, identifier
    return user
