"""Examples from the seed documents (../shared/seeds), by surface key, method and path."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SeedExample:
    request: Any = None
    responses: dict[int, Any] = field(default_factory=dict)

    def apply(self, operation: dict[str, Any]) -> None:
        if self.request is not None and "requestBody" in operation:
            for media in operation["requestBody"]["content"].values():
                media["example"] = self.request
        for status, example in self.responses.items():
            response = operation["responses"].get(str(status))
            if response is not None and "content" in response:
                for media in response["content"].values():
                    media["example"] = example


SEEDS: dict[tuple[str, str, str], SeedExample] = {}


def of(surface: str, method: str, path: str) -> SeedExample | None:
    return SEEDS.get((surface, method, path))
