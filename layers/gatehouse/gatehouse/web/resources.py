"""The API's resources and their methods, as template.yaml declares them, for the function
that answers what no route serves (`functions/fallback`): `Allow` lists and preflights."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from starlette.types import Scope


class ResourceTable:
    def __init__(self, methods_by_resource: Mapping[str, Sequence[str]]) -> None:
        self._resources = [
            (_pattern(resource), tuple(methods)) for resource, methods in methods_by_resource.items()
        ]

    @classmethod
    def from_file(cls, path: Path) -> ResourceTable:
        methods_by_resource: dict[str, list[str]] = json.loads(path.read_text(encoding="utf-8"))
        return cls(methods_by_resource)

    def methods_at(self, path: str) -> tuple[str, ...] | None:
        """Every method some resource serves at `path` (API Gateway matches on the pair, so a
        literal resource and a `{param}` sibling both count), or None for an unknown path."""
        methods = {
            method for pattern, served in self._resources if pattern.fullmatch(path) for method in served
        }
        return tuple(sorted(methods)) if methods else None

    def methods_of(self, scope: Scope) -> tuple[str, ...] | None:
        path: str = scope["path"]
        return self.methods_at(path)


def _pattern(resource: str) -> re.Pattern[str]:
    parts = []
    for segment in resource.strip("/").split("/"):
        if segment.startswith("{") and segment.endswith("+}"):
            parts.append(".+")
        elif segment.startswith("{") and segment.endswith("}"):
            parts.append("[^/]+")
        else:
            parts.append(re.escape(segment))
    return re.compile("/" + "/".join(parts))
