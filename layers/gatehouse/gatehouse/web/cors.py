"""Cross-origin rules for browser clients (CORS), from the `ALLOWED_ORIGINS` setting.

`ALLOWED_ORIGINS` is a comma-separated list of origins. An entry may use `*` for one DNS label
or a port (`http://localhost:*`, `https://*.example.com`). A listed origin is answered with
itself and `Access-Control-Allow-Credentials: true` (cookies and `Authorization` both work).
The entry `*` alone admits every other origin without credentials: the answer is the literal
`*`, never the caller's origin echoed back, so no arbitrary site can make credentialed calls.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

ANY_ORIGIN = "*"
ALLOWED_HEADERS = "Authorization, Content-Type, Accept, X-Device-Id, x-app-token, X-Requested-With"
# Headers a browser script may read besides the CORS-safelisted ones.
EXPOSED_HEADERS = "Allow, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-Next-After"
PREFLIGHT_MAX_AGE_SECONDS = "600"
_WILDCARD = "[A-Za-z0-9-]+"

Headers = list[tuple[str, str]]


@dataclass(frozen=True)
class CorsPolicy:
    listed: frozenset[str]
    patterns: tuple[re.Pattern[str], ...]
    any_origin: bool

    @classmethod
    def from_setting(cls, value: str) -> CorsPolicy:
        entries = [entry.strip().rstrip("/") for entry in value.split(",") if entry.strip()]
        listed = frozenset(entry.lower() for entry in entries if entry != ANY_ORIGIN and "*" not in entry)
        patterns = tuple(
            re.compile(_WILDCARD.join(re.escape(part) for part in entry.lower().split("*")))
            for entry in entries
            if entry != ANY_ORIGIN and "*" in entry
        )
        return cls(listed=listed, patterns=patterns, any_origin=ANY_ORIGIN in entries)

    def is_listed(self, origin: str) -> bool:
        candidate = origin.lower()
        return candidate in self.listed or any(pattern.fullmatch(candidate) for pattern in self.patterns)

    def response_headers(self, origin: str | None) -> Headers:
        """The CORS headers of an actual (non-preflight) answer to a request from `origin`."""
        if not origin:
            return []
        if self.is_listed(origin):
            return [
                ("Access-Control-Allow-Origin", origin),
                ("Access-Control-Allow-Credentials", "true"),
                ("Access-Control-Expose-Headers", EXPOSED_HEADERS),
                ("Vary", "Origin"),
            ]
        if self.any_origin:
            return [
                ("Access-Control-Allow-Origin", ANY_ORIGIN),
                ("Access-Control-Expose-Headers", EXPOSED_HEADERS),
            ]
        return [("Vary", "Origin")]

    def preflight_headers(self, origin: str | None, methods: Iterable[str]) -> Headers:
        """The answer to a preflight `OPTIONS` from `origin` for a resource serving `methods`."""
        allowed = self.response_headers(origin)
        if not any(name == "Access-Control-Allow-Origin" for name, _ in allowed):
            return allowed  # not an allowed origin: the browser refuses the real request
        return [
            *[(name, value) for name, value in allowed if name != "Access-Control-Expose-Headers"],
            ("Access-Control-Allow-Methods", ", ".join(methods)),
            ("Access-Control-Allow-Headers", ALLOWED_HEADERS),
            ("Access-Control-Max-Age", PREFLIGHT_MAX_AGE_SECONDS),
        ]
