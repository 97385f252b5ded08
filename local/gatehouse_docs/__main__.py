"""`make openapi`: write docs/openapi/{a..e}.json from the code that serves each surface, and
docs/postman/{a..e}.json from those documents."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from gatehouse_docs import postman
from gatehouse_local.template import REPO_ROOT, load_template, routes
from gatehouse_local.testing import harness_environment, patched_environ

OPENAPI_DIR = REPO_ROOT / "docs" / "openapi"
POSTMAN_DIR = REPO_ROOT / "docs" / "postman"


def rendered(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def exported(document: dict[str, Any]) -> dict[Path, dict[str, Any]]:
    """Where a surface's document goes, and its Postman collection."""
    return {OPENAPI_DIR: document, POSTMAN_DIR: postman.collection(document)}


def current_documents() -> dict[str, dict[str, Any]]:
    """Surface key → its document, from the functions as they are now."""
    from gatehouse_docs import openapi  # imported once the functions' environment is set

    template = load_template()
    return openapi.documents(routes(template), layer_version())


def layer_version() -> str:
    from importlib.metadata import version

    return version("gatehouse")


def main() -> int:
    template = load_template()
    with (
        tempfile.TemporaryDirectory() as work_dir,
        patched_environ(harness_environment(template, Path(work_dir))),
    ):
        documents = current_documents()
    for key, document in documents.items():
        for directory, content in exported(document).items():
            directory.mkdir(parents=True, exist_ok=True)
            (directory / f"{key}.json").write_text(rendered(content), encoding="utf-8")
        print(f"docs/openapi/{key}.json, docs/postman/{key}.json: {len(document['paths'])} paths")
    return 0


if __name__ == "__main__":
    sys.exit(main())
