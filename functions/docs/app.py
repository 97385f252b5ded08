"""Docs function: the API's documents and their pages. `/api/docs` lists the five surfaces,
`/api/docs/{surface}` is Swagger UI over the surface's OpenAPI document,
`/api/docs/{surface}/openapi.json` the document, `/api/docs/assets/{name}` Swagger UI's files,
and `/docs/collection.json` surface A's Postman collection (the link its contract publishes).

The documents and collections are the exported `docs/openapi/*.json` and `docs/postman/*.json`
(`make openapi`), shipped in this function's package (`openapi/`, `postman/`); each is read once
per container. The URL a client reached the API at replaces the exported server URL. Public,
not rate limited, no table."""

import json
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from openapi_ui_bundles.__about__ import __version__ as ui_bundle_version
from openapi_ui_bundles.swagger_ui import static_path as swagger_ui_files

from gatehouse.errors import RouteNotFound
from gatehouse.surfaces import doc_pages
from gatehouse.web.app import Routes, create_app, lambda_handler
from gatehouse.web.request_info import PublicBaseUrl

HERE = Path(__file__).parent
DOCUMENTS = HERE / "openapi"
COLLECTIONS = HERE / "postman"
# The files the pages load, and nothing else: a name is looked up here, never joined to a path.
ASSETS: dict[str, tuple[Path, str]] = {
    "swagger-ui.css": (swagger_ui_files / "swagger-ui.css", "text/css; charset=utf-8"),
    "swagger-ui-bundle.js": (swagger_ui_files / "swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
    "gatehouse-docs.js": (HERE / "gatehouse-docs.js", "text/javascript; charset=utf-8"),
}
# The page names the bundle's release in the assets' URLs, so they may be kept for a year.
ASSET_CACHE_CONTROL = "public, max-age=31536000, immutable"
READ_METHODS = ["GET", "HEAD"]

docs_routes = Routes()


@cache
def _exported(directory: Path, surface: str) -> dict[str, Any]:
    """A surface's exported document or collection (`make openapi`), read once per container."""
    exported: dict[str, Any] = json.loads((directory / f"{surface}.json").read_text(encoding="utf-8"))
    return exported


def _document(surface: str) -> dict[str, Any]:
    return _exported(DOCUMENTS, surface)


@cache
def _asset(name: str) -> bytes:
    return ASSETS[name][0].read_bytes()


def _surface_key(surface: str, request: Request) -> str:
    if surface not in doc_pages.SURFACE_KEYS:
        raise RouteNotFound(request.url.path)
    return surface


def _client_path(request: Request) -> str:
    """The path as the client sent it (the edge drops a trailing slash before routing)."""
    event: dict[str, Any] = request.scope.get("aws.event") or {}
    return str(event.get("path") or request.url.path)


@docs_routes.api_route("/api/docs", methods=READ_METHODS, include_in_schema=False)
async def index(request: Request) -> HTMLResponse:
    titles = {key: str(_document(key)["info"]["title"]) for key in doc_pages.SURFACE_KEYS}
    root = doc_pages.docs_root(_client_path(request), depth=0)
    return HTMLResponse(doc_pages.index_page(titles, root), headers=doc_pages.HEADERS)


@docs_routes.api_route("/api/docs/assets/{name}", methods=READ_METHODS, include_in_schema=False)
async def asset(name: str, request: Request) -> Response:
    if name not in ASSETS:
        raise RouteNotFound(request.url.path)
    return Response(_asset(name), media_type=ASSETS[name][1], headers={"Cache-Control": ASSET_CACHE_CONTROL})


@docs_routes.api_route("/api/docs/{surface}", methods=READ_METHODS, include_in_schema=False)
async def page(surface: str, request: Request) -> HTMLResponse:
    key = _surface_key(surface, request)
    root = doc_pages.docs_root(_client_path(request), depth=1)
    title = str(_document(key)["info"]["title"])
    html = doc_pages.swagger_page(key, title, root, ui_bundle_version)
    return HTMLResponse(html, headers=doc_pages.HEADERS)


@docs_routes.api_route("/api/docs/{surface}/openapi.json", methods=READ_METHODS, include_in_schema=False)
async def document(surface: str, request: Request, base_url: PublicBaseUrl) -> JSONResponse:
    served = {**_document(_surface_key(surface, request)), "servers": [{"url": base_url}]}
    return JSONResponse(served)


@docs_routes.api_route("/docs/collection.json", methods=READ_METHODS, include_in_schema=False)
async def documentarian_collection(base_url: PublicBaseUrl) -> JSONResponse:
    """Surface A's collection, where A's contract links it (`http://localhost/docs/collection.json`)."""
    collection = _exported(COLLECTIONS, "a")
    variables = [
        {**variable, "value": base_url} if variable.get("key") == "baseUrl" else variable
        for variable in collection.get("variable") or []
    ]
    return JSONResponse({**collection, "variable": variables})


app = create_app(docs_routes, surfaces=[])
handler = lambda_handler(app, service="docs")
