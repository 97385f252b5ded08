"""The pages that links in mail open (when no front-end URL is configured): a minimal HTML
form that submits to A's API route, and the result page that route sends a browser back to.

No JavaScript, no external assets; the one stylesheet is allowed by its hash in a strict
Content-Security-Policy, and `Referrer-Policy: no-referrer` keeps the token in the URL
from leaking anywhere. Pages are relative to each other, so they work under any stage:
`{base}/links/reset` posts to `{base}/api/v1/reset`, which answers a browser (a form post
whose `Accept` names text/html) with 303 to `{base}/links/reset?outcome=...`.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from html import escape
from urllib.parse import urlencode

RESET = "reset"
VERIFY = "verify"
PAGES = {RESET: "/links/reset", VERIFY: "/links/verify"}
LANGUAGES = ("ru", "zh", "en")
# From A's routes (/api/v1/...) back to the pages (/links/...), relative: any stage works.
FROM_API = "../../links/"

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;line-height:1.5}"
    "label{display:block;margin:.75rem 0 .25rem}input{width:100%;padding:.4rem;box-sizing:border-box}"
    "button{margin-top:1rem;padding:.5rem 1rem}.error{color:#a00}"
)
_STYLE_HASH = base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()
CSP = (
    f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Served only over HTTPS when deployed (browsers ignore it over plain HTTP locally).
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
}

_TEXT: Mapping[str, Mapping[str, str]] = {
    "en": {
        "reset.title": "Choose a new password",
        "reset.password": "New password (at least 8 characters)",
        "reset.confirmation": "The same password again",
        "reset.submit": "Set the password",
        "reset.done": "Your password is set. Sign in with it; every other session has been signed out.",
        "reset.invalid": "This link is no longer valid (used, expired or replaced). Ask for a new one.",
        "reset.password_error": "The passwords must match and have at least 8 characters. Try again.",
        "verify.title": "Confirm your email address",
        "verify.submit": "Confirm",
        "verify.done": "Your email address is confirmed.",
        "verify.invalid": "This link is no longer valid (used, expired or replaced).",
        "missing": "This link is incomplete: open the whole link from the message.",
    },
    "ru": {
        "reset.title": "Новый пароль",
        "reset.password": "Новый пароль (не короче 8 символов)",
        "reset.confirmation": "Повторите пароль",
        "reset.submit": "Сохранить пароль",
        "reset.done": "Пароль изменён. Войдите с ним; все остальные сеансы завершены.",
        "reset.invalid": "Ссылка больше не действует (использована, устарела или заменена). Запросите новую.",
        "reset.password_error": "Пароли должны совпадать и быть не короче 8 символов. Попробуйте ещё раз.",
        "verify.title": "Подтверждение адреса",
        "verify.submit": "Подтвердить",
        "verify.done": "Адрес электронной почты подтверждён.",
        "verify.invalid": "Ссылка больше не действует (использована, устарела или заменена).",
        "missing": "Ссылка неполная: откройте её целиком из письма.",
    },
    "zh": {
        "reset.title": "设置新密码",
        "reset.password": "新密码（至少 8 个字符）",
        "reset.confirmation": "再次输入新密码",
        "reset.submit": "保存密码",
        "reset.done": "密码已设置。请用新密码登录；其他会话均已退出。",
        "reset.invalid": "此链接已失效（已使用、已过期或已被替换）。请重新申请。",
        "reset.password_error": "两次输入的密码必须一致且至少 8 个字符，请重试。",
        "verify.title": "确认邮箱地址",
        "verify.submit": "确认",
        "verify.done": "您的邮箱地址已确认。",
        "verify.invalid": "此链接已失效（已使用、已过期或已被替换）。",
        "missing": "链接不完整：请从邮件中打开完整链接。",
    },
}
OUTCOMES = {"done", "invalid", "password_error"}


def language(value: str | None) -> str:
    return value if value in LANGUAGES else "en"


def result_location(page: str, outcome: str, lang: str | None, token: str | None = None) -> str:
    """Where A's route sends a browser after a form submission (relative to /api/v1/<route>)."""
    query = {"outcome": outcome, "lang": language(lang)}
    if token is not None:
        query["token"] = token  # a mistyped password: the same link may be used again
    return f"{FROM_API}{page}?{urlencode(query)}"


def render(page: str, query: Mapping[str, str]) -> tuple[int, str]:
    """(status, HTML) of `page` for the link's query (`token`, `lang`, `outcome`)."""
    lang = language(query.get("lang"))
    text = _TEXT[lang]
    title = text[f"{page}.title"]
    outcome = query.get("outcome")
    token = query.get("token") or ""
    body: list[str] = [f"<h1>{escape(title)}</h1>"]
    if outcome in ("done", "invalid"):
        css = "" if outcome == "done" else ' class="error"'
        body.append(f"<p{css}>{escape(text[f'{page}.{outcome}'])}</p>")
        return 200, _document(lang, title, body)
    if not token or len(token) > 128:
        body.append(f'<p class="error">{escape(text["missing"])}</p>')
        return 400, _document(lang, title, body)
    if outcome == "password_error":
        body.append(f'<p class="error">{escape(text["reset.password_error"])}</p>')
    hidden = (
        f'<input type="hidden" name="token" value="{escape(token)}">'
        f'<input type="hidden" name="lang" value="{escape(lang)}">'
    )
    if page == RESET:
        body.append(
            '<form method="post" action="../api/v1/reset">'
            + hidden
            + f'<label for="password">{escape(text["reset.password"])}</label>'
            '<input id="password" name="password" type="password" minlength="8" required '
            'autocomplete="new-password">'
            f'<label for="password_confirmation">{escape(text["reset.confirmation"])}</label>'
            '<input id="password_confirmation" name="password_confirmation" type="password" minlength="8" '
            'required autocomplete="new-password">'
            f'<button type="submit">{escape(text["reset.submit"])}</button></form>'
        )
    else:
        # A's verify route is a GET: a button, so that a mail scanner fetching the link
        # does not use it up.
        body.append(
            '<form method="get" action="../api/v1/verify">'
            + hidden
            + f'<button type="submit">{escape(text["verify.submit"])}</button></form>'
        )
    return 200, _document(lang, title, body)


def _document(lang: str, title: str, body: list[str]) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>\n<body>"
        + "".join(body)
        + "</body></html>\n"
    )
