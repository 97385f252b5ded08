"""Mail templates: subject, plain text and HTML per kind and language.

The surface that caused a mail decides its language: A (Documentarian) and E (Goncord)
Russian, B (jwt-auth) Chinese, C and D English, as their documents are written.
Parameters: `link` (verify, reset, email_change_confirm), `new_email` (the email-change kinds).
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

LANGUAGES: Mapping[str, str] = {"a": "ru", "b": "zh", "c": "en", "d": "en", "e": "ru"}

# kind -> language -> (subject, paragraphs); "{link}" stands alone in a paragraph of its own.
_TEMPLATES: Mapping[str, Mapping[str, tuple[str, tuple[str, ...]]]] = {
    "verify": {
        "en": (
            "Confirm your email address",
            (
                "Hello,",
                "confirm your address by opening this link (valid for 7 days):",
                "{link}",
                "If you did not create an account, ignore this message.",
            ),
        ),
        "ru": (
            "Подтвердите адрес электронной почты",
            (
                "Здравствуйте!",
                "Подтвердите адрес, открыв эту ссылку (действует 7 дней):",
                "{link}",
                "Если вы не создавали учётную запись, просто проигнорируйте это письмо.",
            ),
        ),
        "zh": (
            "请确认您的电子邮件地址",
            (
                "您好，",
                "请打开以下链接确认您的邮箱地址（7 天内有效）：",
                "{link}",
                "如果您没有注册账号，请忽略本邮件。",
            ),
        ),
    },
    "reset": {
        "en": (
            "Reset your password",
            (
                "Hello,",
                "choose a new password by opening this link (valid for 60 minutes, once):",
                "{link}",
                "If you did not ask for this, ignore this message: your password stays as it is.",
            ),
        ),
        "ru": (
            "Восстановление пароля",
            (
                "Здравствуйте!",
                "Чтобы задать новый пароль, откройте эту ссылку (действует 60 минут, один раз):",
                "{link}",
                "Если вы не запрашивали восстановление, проигнорируйте письмо: пароль останется прежним.",
            ),
        ),
        "zh": (
            "重置您的密码",
            (
                "您好，",
                "请打开以下链接设置新密码（60 分钟内有效，仅可使用一次）：",
                "{link}",
                "如果这不是您本人的操作，请忽略本邮件，您的密码不会改变。",
            ),
        ),
    },
    "email_change_confirm": {
        "en": (
            "Confirm your new email address",
            (
                "Hello,",
                "you asked to use {new_email} for your account. Open this link to confirm it "
                "(valid for 7 days); until then your current address stays in use:",
                "{link}",
                "If you did not ask for this, ignore this message.",
            ),
        ),
        "ru": (
            "Подтвердите новый адрес электронной почты",
            (
                "Здравствуйте!",
                "Вы попросили использовать адрес {new_email} для своей учётной записи. Откройте эту "
                "ссылку, чтобы подтвердить его (действует 7 дней); до тех пор действует прежний адрес:",
                "{link}",
                "Если вы этого не делали, просто проигнорируйте письмо.",
            ),
        ),
        "zh": (
            "请确认您的新邮箱地址",
            (
                "您好，",
                "您申请将账号邮箱改为 {new_email}。请打开以下链接确认（7 天内有效）；确认之前仍使用原邮箱：",
                "{link}",
                "如果这不是您本人的操作，请忽略本邮件。",
            ),
        ),
    },
    "email_change_notice": {
        "en": (
            "Your email address is being changed",
            (
                "Hello,",
                "someone asked to change the email address of your account to {new_email}. "
                "The change takes effect only once a link mailed to that address is followed.",
                "If this was not you, sign in and change your password now: your account's "
                "token may have been stolen.",
            ),
        ),
        "ru": (
            "Адрес электронной почты меняется",
            (
                "Здравствуйте!",
                "Поступил запрос сменить адрес вашей учётной записи на {new_email}. Смена вступит "
                "в силу, только когда будет открыта ссылка из письма на этот адрес.",
                "Если это были не вы, войдите и смените пароль: токен вашей учётной записи мог быть украден.",
            ),
        ),
        "zh": (
            "您的邮箱地址正在被更改",
            (
                "您好，",
                "有人申请将您账号的邮箱地址改为 {new_email}。只有打开发送到该地址的确认链接后，更改才会生效。",
                "如果这不是您本人的操作，请立即登录并修改密码：您的账号令牌可能已被盗用。",
            ),
        ),
    },
}
KINDS = frozenset(_TEMPLATES)


def render(kind: str, surface: str, params: Mapping[str, Any]) -> tuple[str, str, str]:
    """(subject, text, html) of a message; the HTML escapes every parameter."""
    subject, paragraphs = _TEMPLATES[kind][LANGUAGES[surface]]
    values = {name: str(value) for name, value in params.items()}
    text = "\n\n".join(paragraph.format_map(values) for paragraph in paragraphs) + "\n"
    escaped = {name: escape(value) for name, value in values.items()}
    parts = []
    for paragraph in paragraphs:
        if paragraph == "{link}":
            link = escaped["link"]
            parts.append(f'<p><a href="{link}">{link}</a></p>')
        else:
            parts.append(f"<p>{paragraph.format_map(escaped)}</p>")
    html = (
        f'<!DOCTYPE html>\n<html lang="{LANGUAGES[surface]}"><head><meta charset="utf-8">'
        f"<title>{escape(subject)}</title></head><body>\n" + "\n".join(parts) + "\n</body></html>\n"
    )
    return subject, text, html
