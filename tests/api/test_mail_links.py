"""Links in mail open: Gatehouse's own pages (a form posting to A's API route, a result page
for browsers, JSON as before for API clients), or a configured front-end URL."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest

from gatehouse.services import mail
from gatehouse.settings import Settings
from gatehouse_local.testing import ApiClient, ApiResponse

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
PASSWORD = "password-1"


def register_on_a(api: ApiClient, email: str) -> None:
    body = {"name": "Ivan", "email": email, "password": PASSWORD}
    assert api.post("/api/v1/register", json=body).status == 200


def last_link(outbox_dir: Path, address: str) -> str:
    messages = [json.loads(path.read_text()) for path in sorted(outbox_dir.glob("*.json"))]
    texts: list[str] = [message["text"] for message in messages if message["to"] == address]
    return next(word for word in texts[-1].split() if word.startswith("http"))


def open_link(api: ApiClient, link: str) -> ApiResponse:
    parts = urlsplit(link)
    return api.get(parts.path, query={k: v[0] for k, v in parse_qs(parts.query).items()}, headers=BROWSER)


def form_of(page: ApiResponse) -> tuple[str, str, dict[str, str]]:
    """(method, action, hidden fields) of the page's one form."""
    form = re.search(r'<form method="(\w+)" action="([^"]+)">', page.body)
    assert form is not None, page.body
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page.body))
    return form.group(1), form.group(2), hidden


def follow(api: ApiClient, from_path: str, answer: ApiResponse) -> ApiResponse:
    assert answer.status == 303, answer.body
    target = urlsplit(urljoin(f"http://gatehouse{from_path}", answer.headers["location"]))
    return api.get(target.path, query={k: v[0] for k, v in parse_qs(target.query).items()}, headers=BROWSER)


def test_the_reset_link_opens_a_page_whose_form_resets_the_password_without_javascript(
    api: ApiClient, outbox_dir: Path
) -> None:
    register_on_a(api, "ivan@example.com")
    assert api.post("/api/v1/recover", json={"email": "ivan@example.com"}).status == 200
    link = last_link(outbox_dir, "ivan@example.com")
    assert urlsplit(link).path == "/links/reset"
    page = open_link(api, link)
    assert page.status == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp
    assert "form-action 'self'" in csp
    assert "script-src" not in csp
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "<script" not in page.body
    assert "Новый пароль" in page.body
    method, action, hidden = form_of(page)
    assert (method, action) == ("post", "../api/v1/reset")
    target = urlsplit(urljoin("http://gatehouse/links/reset", action)).path
    fields = {**hidden, "password": "password-2", "password_confirmation": "password-2"}
    result = follow(api, target, api.post(target, data=fields, headers=BROWSER))
    assert result.status == 200
    assert "Пароль изменён" in result.body
    signed_in = api.post("/api/v1/login", json={"email": "ivan@example.com", "password": "password-2"})
    assert signed_in.status == 200
    # The same form again: the link is used up, the page says so.
    again = follow(api, target, api.post(target, data=fields, headers=BROWSER))
    assert "Ссылка больше не действует" in again.body


def test_a_mistyped_password_on_the_reset_page_keeps_the_link_usable(
    api: ApiClient, outbox_dir: Path
) -> None:
    register_on_a(api, "ivan@example.com")
    api.post("/api/v1/recover", json={"email": "ivan@example.com"})
    _, _, hidden = form_of(open_link(api, last_link(outbox_dir, "ivan@example.com")))
    mismatch = {**hidden, "password": "password-2", "password_confirmation": "password-3"}
    retry_page = follow(api, "/api/v1/reset", api.post("/api/v1/reset", data=mismatch, headers=BROWSER))
    assert "Пароли должны совпадать" in retry_page.body
    _, _, again = form_of(retry_page)
    assert again["token"] == hidden["token"]
    fixed = {**again, "password": "password-2", "password_confirmation": "password-2"}
    done = follow(api, "/api/v1/reset", api.post("/api/v1/reset", data=fixed, headers=BROWSER))
    assert "Пароль изменён" in done.body


def test_api_clients_posting_a_form_still_get_the_json_contract(api: ApiClient, outbox_dir: Path) -> None:
    register_on_a(api, "ivan@example.com")
    api.post("/api/v1/recover", json={"email": "ivan@example.com"})
    token = parse_qs(urlsplit(last_link(outbox_dir, "ivan@example.com")).query)["token"][0]
    fields = {"token": token, "password": "password-2", "password_confirmation": "password-2"}
    answer = api.post("/api/v1/reset", data=fields, headers={"Accept": "application/json"})
    assert answer.status == 200
    assert answer.json["success"] is True
    assert api.post("/api/v1/reset", data=fields).status == 422


def test_the_verification_link_opens_a_page_and_only_its_button_verifies(
    api: ApiClient, outbox_dir: Path
) -> None:
    body = {"username": "lilei", "password": "12345678", "email": "li@example.com", "sex": 0, "age": 30}
    assert api.post("/api/auth/register", json=body).status == 200
    link = last_link(outbox_dir, "li@example.com")
    page = open_link(api, link)
    open_link(api, link)  # a mail scanner fetching the link twice uses nothing up
    assert "确认邮箱地址" in page.body
    method, action, hidden = form_of(page)
    assert (method, action) == ("get", "../api/v1/verify")
    result = follow(api, "/api/v1/verify", api.get("/api/v1/verify", query=hidden, headers=BROWSER))
    assert "您的邮箱地址已确认" in result.body
    replay = follow(api, "/api/v1/verify", api.get("/api/v1/verify", query=hidden, headers=BROWSER))
    assert "此链接已失效" in replay.body


def test_a_link_page_without_a_token_says_the_link_is_incomplete(api: ApiClient) -> None:
    page = api.get("/links/reset", headers=BROWSER)
    assert page.status == 400
    assert "<form" not in page.body


def test_configured_front_end_urls_replace_the_pages_in_mail(
    api: ApiClient, outbox_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings: Any = mail._settings
    monkeypatch.setattr(settings, "reset_url_template", "https://app.example.com/reset?token={token}")
    monkeypatch.setattr(settings, "verify_url_template", "https://app.example.com/verify/{token}")
    register_on_a(api, "ivan@example.com")
    assert last_link(outbox_dir, "ivan@example.com").startswith("https://app.example.com/verify/")
    api.post("/api/v1/recover", json={"email": "ivan@example.com"})
    assert last_link(outbox_dir, "ivan@example.com").startswith("https://app.example.com/reset?token=")


@pytest.mark.parametrize("value", ["https://app.example.com/reset", "javascript:{token}"])
def test_a_url_template_without_a_token_or_not_http_stops_the_cold_start(value: str) -> None:
    with pytest.raises(ValueError, match="reset_url_template"):
        Settings(table_name="gatehouse-test", jwt_secret="k" * 64, reset_url_template=value)
