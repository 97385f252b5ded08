"""Outgoing mail: SES when deployed, a local outbox directory when run locally."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from gatehouse.clock import iso, now
from gatehouse.settings import get_settings

_settings = get_settings()


def _ses_client() -> Any:
    # botocore (already in the layer for PynamoDB) rather than boto3: a lighter cold start.
    import botocore.session

    return botocore.session.get_session().create_client("sesv2", region_name=_settings.aws_region)


# Built once per container, and only where mail is really sent.
_ses = _ses_client() if _settings.mail_transport == "ses" else None


def send(to: str, subject: str, text: str) -> None:
    if _ses is None:
        _write_to_outbox(to, subject, text)
        return
    _ses.send_email(
        FromEmailAddress=_settings.mail_from,
        Destination={"ToAddresses": [to]},
        Content={"Simple": {"Subject": {"Data": subject}, "Body": {"Text": {"Data": text}}}},
    )


def _write_to_outbox(to: str, subject: str, text: str) -> None:
    outbox = Path(_settings.outbox_dir)
    outbox.mkdir(parents=True, exist_ok=True)
    sent_at = iso(now())
    message = {"from": _settings.mail_from, "to": to, "subject": subject, "text": text, "sent_at": sent_at}
    name = f"{sent_at.replace(':', '')}-{uuid.uuid4().hex[:8]}.json"
    (outbox / name).write_text(json.dumps(message, ensure_ascii=False, indent=2), encoding="utf-8")
