"""How emails and login names are compared: one canonical form for uniqueness and sign-in."""

from __future__ import annotations

import unicodedata


def canonical(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().casefold()


def identifier_kind(identifier: str) -> str:
    """Sign-in accepts an email or a login name; logins never contain "@"."""
    return "email" if "@" in identifier else "login"
