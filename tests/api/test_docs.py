"""The API's documents and their pages (DocsFunction): the index, Swagger UI per surface on the
function's own assets, each surface's OpenAPI 3.1 document with the URL it was reached at as its
server, A's Postman collection at the link A's contract publishes; public, 404 for anything
else, nothing outside the files the pages use."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from openapi_spec_validator import validate

from gatehouse_local.template import REPO_ROOT
from gatehouse_local.testing import TEST_PORT, ApiClient, ApiResponse

SURFACES = ("a", "b", "c", "d", "e")
# The harness's PUBLIC_BASE_URL (the local run's own address).
CONFIGURED_BASE_URL = f"http://127.0.0.1:{TEST_PORT}"
# Where the function's pages are when deployed: under the stage of the API's own domain.
DEPLOYED = "https://abc123.execute-api.eu-west-1.amazonaws.com/Prod"
NOT_FOUND = {"message": "Not found."}


class Links(HTMLParser):
    """Every URL a page loads or links to: script and image sources, stylesheet and anchor
    targets, and the document URL Swagger UI is given (`data-spec`)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href", "data-spec") and value is not None:
                self.urls.append((f"{tag} {name}", value))


def links_of(page: ApiResponse) -> list[tuple[str, str]]:
    parser = Links()
    parser.feed(page.body)
    return parser.urls


def exported(folder: str, surface: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((REPO_ROOT / "docs" / folder / f"{surface}.json").read_text())
    return document


@pytest.fixture
def unconfigured_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    """No PUBLIC_BASE_URL, as deployed without one: the request's own URL is the base."""
    from gatehouse.web import request_info

    monkeypatch.setattr(
        request_info, "_settings", request_info._settings.model_copy(update={"public_base_url": ""})
    )


def test_the_index_links_every_surface_page_and_document_with_its_title(api: ApiClient) -> None:
    response = api.get("/api/docs")
    assert response.status == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    targets = [url for kind, url in links_of(response) if kind == "a href"]
    # Relative to /api/docs, whatever prefix (stage, base path) the API is served under.
    assert targets == [url for key in SURFACES for url in (f"docs/{key}", f"docs/{key}/openapi.json")]
    for key in SURFACES:
        assert exported("openapi", key)["info"]["title"] in response.body
    resolved = {urljoin(f"{DEPLOYED}/api/docs", target) for target in targets}
    assert f"{DEPLOYED}/api/docs/a" in resolved
    # With the trailing slash a browser may have sent, the links still land on the same pages.
    with_slash = [url for kind, url in links_of(api.get("/api/docs/")) if kind == "a href"]
    assert {urljoin(f"{DEPLOYED}/api/docs/", target) for target in with_slash} == resolved


@pytest.mark.parametrize("surface", SURFACES)
def test_each_page_is_swagger_ui_on_the_functions_own_assets(api: ApiClient, surface: str) -> None:
    page = api.get(f"/api/docs/{surface}")
    assert page.status == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp
    assert "script-src 'self';" in csp
    assert "connect-src 'self';" in csp
    assert "<script>" not in page.body  # no inline script: every script is a file of this origin
    links = links_of(page)
    assert {kind for kind, _ in links} == {"link href", "script src", "div data-spec"}
    for _, url in links:
        # Nothing from another host: relative URLs (or the empty data: icon) only.
        assert not urlsplit(url).scheme or url == "data:,", url
        assert not url.startswith("//"), url
    page_url = f"{DEPLOYED}/api/docs/{surface}"
    resolved = sorted(urljoin(page_url, url) for _, url in links if url != "data:,")
    assert all(url.startswith(f"{DEPLOYED}/api/docs/") for url in resolved)
    assert f"{DEPLOYED}/api/docs/{surface}/openapi.json" in resolved
    # The same page reached with a trailing slash loads the same files.
    slashed = links_of(api.get(f"/api/docs/{surface}/"))
    assert sorted(urljoin(f"{page_url}/", url) for _, url in slashed if url != "data:,") == resolved
    # And each of them is served (the stage is API Gateway's: the function sees the path below it).
    for url in resolved:
        served = api.get(urlsplit(url).path.removeprefix("/Prod"))
        assert served.status == 200, url
    title = exported("openapi", surface)["info"]["title"]
    assert f"<title>{title}</title>" in page.body


def test_the_assets_are_served_with_their_types_and_a_long_cache(api: ApiClient) -> None:
    expected = {
        "swagger-ui.css": "text/css; charset=utf-8",
        "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
        "gatehouse-docs.js": "text/javascript; charset=utf-8",
    }
    for name, content_type in expected.items():
        response = api.get(f"/api/docs/assets/{name}", query={"v": "0.3.0"})
        assert response.status == 200, name
        assert response.headers["content-type"] == content_type
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert len(response.content) > 400, name
    assert "SwaggerUIBundle" in api.get("/api/docs/assets/swagger-ui-bundle.js").body
    assert ".swagger-ui" in api.get("/api/docs/assets/swagger-ui.css").body
    head = api.head("/api/docs/assets/swagger-ui.css")
    assert head.status == 200
    assert head.body == ""


@pytest.mark.parametrize("surface", SURFACES)
def test_each_document_is_valid_openapi_3_1_served_at_the_apis_url(api: ApiClient, surface: str) -> None:
    response = api.get(f"/api/docs/{surface}/openapi.json")
    assert response.status == 200
    assert response.headers["content-type"] == "application/json"
    document = response.json
    assert document["openapi"].startswith("3.1.")
    validate(document)
    # The configured public URL (the local run's address) replaces the exported server.
    assert document["servers"] == [{"url": CONFIGURED_BASE_URL}]
    assert {**document, "servers": None} == {**exported("openapi", surface), "servers": None}


@pytest.mark.usefixtures("unconfigured_base_url")
def test_without_a_configured_url_the_server_is_the_requests_host_and_stage(api: ApiClient) -> None:
    response = api.get("/api/docs/c/openapi.json", headers={"Host": "id.example.test"})
    assert response.json["servers"] == [{"url": "https://id.example.test/local"}]
    validate(response.json)
    staged = ApiClient(api.routes, stage="Prod").get("/api/docs/b/openapi.json", headers={"Host": "x.test"})
    assert staged.json["servers"] == [{"url": "https://x.test/Prod"}]
    collection = api.get("/docs/collection.json", headers={"Host": "id.example.test"}).json
    assert {"key": "baseUrl", "value": "https://id.example.test/local", "type": "string"} in collection[
        "variable"
    ]


def test_the_collection_link_of_as_contract_serves_as_postman_collection(api: ApiClient) -> None:
    response = api.get("/docs/collection.json")
    assert response.status == 200
    assert response.headers["content-type"] == "application/json"
    collection = response.json
    assert (
        collection["info"]["schema"] == "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
    )
    variables = {variable["key"]: variable["value"] for variable in collection["variable"]}
    assert variables == {"baseUrl": CONFIGURED_BASE_URL, "token": "", "appToken": ""}
    assert {**collection, "variable": None} == {**exported("postman", "a"), "variable": None}
    requests = [item["request"] for folder in collection["item"] for item in folder.get("item", [folder])]
    assert any(request["url"]["raw"] == "{{baseUrl}}/api/v1/login" for request in requests)


UNKNOWN_KEYS_AND_FILES = [
    "/api/docs/f",
    "/api/docs/A",
    "/api/docs/f/openapi.json",
    "/api/docs/assets",
    "/api/docs/assets/index.html",
    "/api/docs/assets/swagger-ui-standalone-preset.js",
    "/api/docs/assets/unknown.css",
    "/api/docs/a/postman.json",
    "/api/docs/a/openapi.yaml",
]
# API Gateway decodes a path parameter: each of these reaches the function as `../...`.
TRAVERSALS = [
    "/api/docs/assets/..%2Fapp.py",
    "/api/docs/assets/..%2F..%2Fdocs%2Fapp.py",
    "/api/docs/assets/%2e%2e%2fgatehouse-docs.js",
    "/api/docs/assets/..%5Capp.py",
    "/api/docs/..%2F..%2Fetc%2Fpasswd/openapi.json",
    "/api/docs/..%2Fpostman%2Fa/openapi.json",
    "/api/docs/assets/%2Fetc%2Fpasswd",
]


@pytest.mark.parametrize("path", UNKNOWN_KEYS_AND_FILES + TRAVERSALS)
def test_unknown_keys_files_and_path_traversals_are_not_found_in_the_plain_envelope(
    api: ApiClient, path: str
) -> None:
    response = api.get(path)
    assert response.status == 404
    assert response.json == NOT_FOUND


def test_the_docs_are_public_and_not_rate_limited(api: ApiClient) -> None:
    for path in ("/api/docs", "/api/docs/e", "/api/docs/e/openapi.json", "/docs/collection.json"):
        response = api.get(path, headers={"Authorization": "Bearer garbage"})
        assert response.status == 200, path
        assert "x-ratelimit-limit" not in response.headers
        assert api.head(path).status == 200


def test_other_methods_and_paths_under_the_docs_answer_in_the_plain_envelope(api: ApiClient) -> None:
    refused = api.post("/api/docs/a", json={})
    assert refused.status == 405
    assert refused.headers["allow"] == "GET, HEAD"
    assert refused.json == {"message": "Method not allowed."}
    missing = api.get("/api/docs/a/openapi.json/more")
    assert missing.status == 404
    assert missing.json == NOT_FOUND


def test_the_function_ships_the_exported_files_not_copies() -> None:
    function = REPO_ROOT / "functions" / "docs"
    for folder in ("openapi", "postman"):
        assert (function / folder).is_symlink()
        assert (function / folder).resolve() == (REPO_ROOT / "docs" / folder).resolve()
        assert sorted(path.name for path in (function / folder).iterdir()) == [
            f"{key}.json" for key in SURFACES
        ]
