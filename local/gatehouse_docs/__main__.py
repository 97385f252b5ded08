"""`make openapi`: write docs/openapi/{a..e}.json from the code that serves each surface."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from gatehouse_local.template import REPO_ROOT, load_template, routes
from gatehouse_local.testing import harness_environment, patched_environ

OPENAPI_DIR = REPO_ROOT / "docs" / "openapi"


def rendered(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


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
    OPENAPI_DIR.mkdir(parents=True, exist_ok=True)
    for key, document in documents.items():
        path = OPENAPI_DIR / f"{key}.json"
        path.write_text(rendered(document), encoding="utf-8")
        print(f"{path.relative_to(REPO_ROOT)}: {len(document['paths'])} paths")
    return 0


if __name__ == "__main__":
    sys.exit(main())
