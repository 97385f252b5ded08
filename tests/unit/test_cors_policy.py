"""gatehouse.web.cors: which origins get a grant, and whether it carries credentials."""

from __future__ import annotations

import pytest

from gatehouse.web.cors import CorsPolicy


def grant(policy: CorsPolicy, origin: str) -> dict[str, str]:
    return dict(policy.response_headers(origin))


def test_a_listed_origin_is_echoed_with_credentials() -> None:
    policy = CorsPolicy.from_setting("https://admin.example.com, https://app.example.com/")

    assert grant(policy, "https://app.example.com") == {
        "Access-Control-Allow-Origin": "https://app.example.com",
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Expose-Headers": "Allow, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-Next-After",
        "Vary": "Origin",
    }


@pytest.mark.parametrize(
    ("origin", "listed"),
    [
        ("http://localhost:5173", True),
        ("http://localhost:3000", True),
        ("http://localhost", False),
        ("http://localhost:5173.evil.example", False),
        ("http://localhost.evil.example:80", False),
        ("https://app.example.com", True),
        ("https://a.b.example.com", False),
        ("https://example.com", False),
        ("https://evilexample.com", False),
    ],
)
def test_a_wildcard_stands_for_one_label_or_port(origin: str, listed: bool) -> None:
    policy = CorsPolicy.from_setting("http://localhost:*,https://*.example.com")

    assert policy.is_listed(origin) is listed


def test_star_admits_any_origin_without_credentials_and_never_echoes_it() -> None:
    policy = CorsPolicy.from_setting("*")

    headers = grant(policy, "https://anyone.example")

    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in headers


def test_listed_origins_keep_credentials_beside_star() -> None:
    policy = CorsPolicy.from_setting("*,https://admin.example.com")

    assert grant(policy, "https://admin.example.com")["Access-Control-Allow-Credentials"] == "true"
    assert grant(policy, "https://other.example")["Access-Control-Allow-Origin"] == "*"


def test_nothing_listed_grants_nothing() -> None:
    policy = CorsPolicy.from_setting("")

    assert grant(policy, "https://admin.example.com") == {"Vary": "Origin"}
    assert policy.preflight_headers("https://admin.example.com", ["GET"]) == [("Vary", "Origin")]


def test_a_preflight_grant_names_the_methods_and_headers() -> None:
    policy = CorsPolicy.from_setting("https://admin.example.com")

    headers = dict(policy.preflight_headers("https://admin.example.com", ["GET", "POST", "OPTIONS"]))

    assert headers["Access-Control-Allow-Methods"] == "GET, POST, OPTIONS"
    assert "x-app-token" in headers["Access-Control-Allow-Headers"]
    assert headers["Access-Control-Max-Age"] == "600"
