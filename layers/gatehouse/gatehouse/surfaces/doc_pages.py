"""The API documentation pages: the index of the five surfaces (`/api/docs`) and each surface's
interactive page (`/api/docs/{surface}`), Swagger UI over the surface's OpenAPI document.

Every URL a page holds is relative, so it resolves wherever the API is served: under a stage
(`/Prod/api/docs/a`), under a custom domain's base path, or locally at the root. The scripts
and the stylesheet are the function's own files (`/api/docs/assets/...`, nothing from another
host), and a Content-Security-Policy allows nothing else: the one script that starts Swagger UI
is a file too, reading the document's URL from the page (no inline script).
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

# SPEC's surface keys, in the order the index lists them.
SURFACE_KEYS = ("a", "b", "c", "d", "e")
STYLESHEET = "swagger-ui.css"
SCRIPTS = ("swagger-ui-bundle.js", "gatehouse-docs.js")

# Swagger UI sets inline styles on its elements and draws its icons as data: images; it fetches
# the document (and "Try it out" calls the API) from this origin only.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}"
)


def docs_root(request_path: str, depth: int) -> str:
    """The relative URL of `/api/docs/` from a page `depth` segments below it, as the browser
    resolves it: a trailing slash the client sent (which the edge drops before routing) adds
    a directory level."""
    if request_path.endswith("/"):
        return "../" * depth or "./"
    return "../" * (depth - 1) if depth else "docs/"


def index_page(titles: Mapping[str, str], root: str) -> str:
    """The list of the surfaces' pages, each with its document's title."""
    entries = "".join(
        f'<li><a href="{escape(root)}{key}">{key.upper()}: {escape(titles[key])}</a> '
        f'(<a href="{escape(root)}{key}/openapi.json">OpenAPI</a>)</li>'
        for key in SURFACE_KEYS
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'
        f"<title>Gatehouse API documentation</title><style>{_STYLE}</style></head>"
        f"<body><h1>Gatehouse API documentation</h1><ul>{entries}</ul></body></html>\n"
    )


def swagger_page(surface: str, title: str, root: str, asset_version: str) -> str:
    """Swagger UI over `surface`'s document; `asset_version` names the assets' release in their
    URLs, so that the long-cached files change URL when they change."""
    asset = f"{escape(root)}assets/{{name}}?v={escape(asset_version)}"
    scripts = "".join(f'<script src="{asset.format(name=name)}"></script>' for name in SCRIPTS)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'
        f"<title>{escape(title)}</title>"
        f'<link rel="stylesheet" href="{asset.format(name=STYLESHEET)}"></head>'
        f'<body><div id="swagger-ui" data-spec="{escape(root)}{surface}/openapi.json"></div>'
        f"{scripts}</body></html>\n"
    )
