"""Outgoing mail through the transactional outbox.

A request never sends mail: it adds an outbox item (`message`) to the transaction of the
change that causes the mail, so a mail exists exactly when its change does. The mailer
(functions/mailer) receives the item from the table's stream, renders it in the language
of the surface that caused it (`gatehouse.services.mail_templates`) and sends it through
SES, or into a local outbox directory when run locally (`MAIL_TRANSPORT=outbox`).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote, urlencode

from gatehouse import observability
from gatehouse.clock import iso, now
from gatehouse.data import outbox
from gatehouse.data.outbox import OutboxItem
from gatehouse.services import mail_templates
from gatehouse.settings import get_settings

logger = logging.getLogger(__name__)
_settings = get_settings()

# The surface whose route caused a mail decides its language.
SURFACES = frozenset(mail_templates.LANGUAGES)
# Gatehouse's own pages for links, when no front-end URL is configured (functions/links).
RESET_PAGE = "/links/reset"
VERIFY_PAGE = "/links/verify"


@dataclass(frozen=True)
class MailContext:
    """Where a request's mail comes from: its surface (language) and this API's public URL."""

    surface: str
    base_url: str

    def __post_init__(self) -> None:
        if self.surface not in SURFACES:
            raise ValueError(f"unknown surface {self.surface!r}")

    def reset_link(self, token: str) -> str:
        return self._link(_settings.reset_url_template, RESET_PAGE, token)

    def verify_link(self, token: str) -> str:
        return self._link(_settings.verify_url_template, VERIFY_PAGE, token)

    def _link(self, template: str, page: str, token: str) -> str:
        if template:
            return template.replace("{token}", quote(token, safe=""))
        language = mail_templates.LANGUAGES[self.surface]
        query = urlencode({"token": token, "lang": language})
        return f"{self.base_url.rstrip('/')}{page}?{query}"


def message(kind: str, context: MailContext, to: str, **params: Any) -> OutboxItem:
    """An outbox item to save in the causing change's transaction."""
    if kind not in mail_templates.KINDS:
        raise ValueError(f"unknown mail kind {kind!r}")
    return outbox.new(kind, context.surface, to, params)


def queued(count: int) -> None:
    """Call once the transaction holding `count` messages has committed."""
    if count:
        observability.count("MailQueued", count)


# ---- delivery (the mailer) ----


@dataclass(frozen=True)
class Rendered:
    to: str
    subject: str
    text: str
    html: str


class Transport(Protocol):
    def send(self, message: Rendered) -> None: ...


class SesTransport:
    """SES v2 `SendEmail` with a plain-text and an HTML part."""

    def __init__(self, client: Any, sender: str) -> None:
        self.client = client
        self.sender = sender

    def send(self, message: Rendered) -> None:
        self.client.send_email(
            FromEmailAddress=self.sender,
            Destination={"ToAddresses": [message.to]},
            Content={
                "Simple": {
                    "Subject": {"Data": message.subject, "Charset": "UTF-8"},
                    "Body": {
                        "Text": {"Data": message.text, "Charset": "UTF-8"},
                        "Html": {"Data": message.html, "Charset": "UTF-8"},
                    },
                }
            },
        )


class OutboxTransport:
    """The local run's "SES": one JSON file per message in a directory (`make outbox`)."""

    def __init__(self, directory: Path, sender: str) -> None:
        self.directory = directory
        self.sender = sender

    def send(self, message: Rendered) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        sent_at = iso(now())
        document = {
            "from": self.sender,
            "to": message.to,
            "subject": message.subject,
            "text": message.text,
            "html": message.html,
            "sent_at": sent_at,
        }
        name = f"{sent_at.replace(':', '')}-{uuid.uuid4().hex[:8]}.json"
        (self.directory / name).write_text(
            json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8"
        )


def configured_transport() -> Transport:
    if _settings.mail_transport == "outbox":
        return OutboxTransport(Path(_settings.outbox_dir), _settings.mail_from)
    # botocore (already in the layer for PynamoDB) rather than boto3: a lighter cold start.
    import botocore.session

    client = botocore.session.get_session().create_client("sesv2", region_name=_settings.aws_region)
    return SesTransport(client, _settings.mail_from)


def render(item: OutboxItem) -> Rendered:
    subject, text, html = mail_templates.render(item.kind, item.surface, item.params or {})
    return Rendered(item.to, subject, text, html)


def deliver(item: OutboxItem, transport: Transport) -> bool:
    """Send one outbox message once: claim it (conditional update), send, mark it sent.

    False when there was nothing to do (already sent, or another mailer holds it). When
    sending fails the message is released (pending again) and the error raised, so the
    stream's retry (and finally its dead-letter queue) takes over.
    """
    if not outbox.claim(item.message_id, int(time.time())):
        return False
    try:
        transport.send(render(item))
    except Exception as error:
        outbox.release(item.message_id, type(error).__name__)
        observability.count("MailFailed")
        # Never the message itself: it may hold a one-time link.
        logger.warning("mail %s (%s) not sent: %s", item.message_id, item.kind, type(error).__name__)
        raise
    outbox.mark_sent(item.message_id, int(time.time()))
    observability.count("MailSent")
    logger.info("mail %s (%s, surface %s) sent", item.message_id, item.kind, item.surface)
    return True
