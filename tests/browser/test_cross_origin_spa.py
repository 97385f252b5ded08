"""A browser SPA on another origin uses the API: real headless Chromium (Debian's package,
driven by Playwright) loads a page served from a second local origin, and the page signs in
and reads a token-protected resource on surfaces B and C with `fetch`, preflights and all,
against the real local run (`python -m gatehouse_local`, the server `make start` runs).
A page from an origin the API does not list gets nothing."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

PAGE = """<!doctype html>
<meta charset="utf-8">
<title>SPA on another origin</title>
<p>Calls the Gatehouse API from another origin.</p>
"""
# The page's script: what a Vue admin (B) and a React SPA (C) do first.
FLOW = """async (api) => {
  const json = async (response) => ({status: response.status, body: await response.json()});
  const post = (path, body, init = {}) => fetch(api + path, {
    method: 'POST', headers: {'Content-Type': 'application/json', 'Accept': 'application/json', ...(init.headers || {})},
    body: JSON.stringify(body), credentials: init.credentials || 'same-origin'});
  const signUp = await json(await post('/api/auth/register',
    {username: 'spa', password: 'spa-password-1', email: 'spa@example.com', sex: 0, age: 30}));
  const signIn = await json(await post('/api/auth/login', {email: 'spa@example.com', password: 'spa-password-1'}));
  const me = await json(await fetch(api + '/api/auth/me', {
    headers: {'Authorization': 'Bearer ' + signIn.body.access_token, 'X-Requested-With': 'XMLHttpRequest'}}));
  const cSignIn = await json(await post('/api/login',
    {email: 'spa@example.com', password: 'spa-password-1', device_name: 'spa'}, {credentials: 'include'}));
  const organizations = await fetch(api + '/api/organizations', {
    headers: {'Authorization': 'Bearer ' + cSignIn.body.data.token, 'X-Device-Id': 'browser-1'},
    credentials: 'include'});
  const cRead = await json(organizations);
  const unauthenticated = await json(await fetch(api + '/api/organizations'));
  return {signUp, signIn: signIn.status, me, cSignIn: cSignIn.status, cRead,
          rateLimitRemaining: organizations.headers.get('X-RateLimit-Remaining'), unauthenticated};
}"""
STRANGER_FLOW = """async (api) => {
  try {
    await fetch(api + '/api/auth/login', {method: 'POST', headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({email: 'spa@example.com', password: 'spa-password-1'})});
    return 'answered';
  } catch (error) {
    return 'refused: ' + error.name;
  }
}"""


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def spa_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("spa")
    (root / "index.html").write_text(PAGE, encoding="utf-8")
    return root


@contextmanager
def static_site(root: Path, host: str) -> Iterator[str]:
    """`root` served on `host` and a free port: an origin of its own."""
    server = ThreadingHTTPServer((host, 0), partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def run_in_page(browser: Browser, page_url: str, script: str, api_url: str) -> Any:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(page_url)
        return page.evaluate(script, api_url)
    finally:
        context.close()


def test_a_spa_on_another_origin_signs_in_and_reads_on_b_and_c(
    browser: Browser, api_url: str, spa_site: Path
) -> None:
    with static_site(spa_site, "127.0.0.1") as address:
        port = address.rsplit(":", 1)[1]
        # localhost and 127.0.0.1 are different origins: the page's calls are all cross-origin.
        result = run_in_page(browser, f"http://localhost:{port}/index.html", FLOW, api_url)

    assert result["signUp"] == {"status": 200, "body": {"message": "注册成功"}}
    assert result["signIn"] == 200
    assert result["me"]["status"] == 200
    assert result["me"]["body"]["email"] == "spa@example.com"
    assert result["cSignIn"] == 200
    assert result["cRead"]["status"] == 200
    assert result["cRead"]["body"]["status"] == "success"
    # Exposed to the script by Access-Control-Expose-Headers.
    assert result["rateLimitRemaining"] is not None
    # An error answer is readable by the page too (it carries the CORS grant).
    assert result["unauthenticated"] == {
        "status": 401,
        "body": {"status": "error", "message": "Unauthenticated."},
    }


def test_a_page_from_an_unlisted_origin_is_refused_by_the_browser(
    browser: Browser, api_url: str, spa_site: Path
) -> None:
    # 127.0.0.2 is this machine too, but not an origin the local run lists.
    with static_site(spa_site, "127.0.0.2") as address:
        result = run_in_page(browser, f"http://{address}/index.html", STRANGER_FLOW, api_url)

    assert result == "refused: TypeError"
