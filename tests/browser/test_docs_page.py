"""Swagger UI renders a surface's document in a real browser: headless chromium opens
`/api/docs/a` on the real local run and shows A's operations, loading everything from the
local run itself (no CDN, no validator badge) under the page's Content-Security-Policy."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Request

from gatehouse_local.template import REPO_ROOT

pytestmark = [pytest.mark.browser, pytest.mark.heavy]


def test_swagger_ui_renders_as_operations_from_the_local_run_alone(browser: Browser, api_url: str) -> None:
    context = browser.new_context()
    requested: list[str] = []
    console_errors: list[str] = []
    try:
        page = context.new_page()

        def record_request(request: Request) -> None:
            requested.append(request.url)

        def record_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                console_errors.append(message.text)

        page.on("request", record_request)
        page.on("console", record_console)
        page.goto(f"{api_url}/api/docs/a")
        login = page.locator('.opblock-summary-path[data-path="/api/v1/login"]').first
        login.wait_for(timeout=30_000)
        assert login.is_visible()
        document = json.loads((REPO_ROOT / "docs" / "openapi" / "a.json").read_text())
        assert document["info"]["title"] in page.locator(".info .title").inner_text()
        # Every path of the document is listed.
        shown = page.locator(".opblock-summary-path").evaluate_all("nodes => nodes.map(n => n.dataset.path)")
        assert set(shown) == set(document["paths"])
        # The server Swagger UI would call is the local run itself.
        assert page.locator(".servers select option").first.inner_text().strip() == api_url
    finally:
        context.close()

    local = urlsplit(api_url).netloc
    leaving = [url for url in requested if not url.startswith("data:") and urlsplit(url).netloc != local]
    assert leaving == []
    assert f"{api_url}/api/docs/a/openapi.json" in requested
    assert any(urlsplit(url).path == "/api/docs/assets/swagger-ui-bundle.js" for url in requested)
    # Nothing was refused by the page's Content-Security-Policy, and nothing failed to load.
    assert console_errors == []
