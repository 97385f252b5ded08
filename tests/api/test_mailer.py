"""The mail outbox end to end: requests write outbox items in their own transactions, the
table's stream carries them to MailerFunction's real handler (the harness delivers them as
Lambda's event source mapping would), and the mailer sends through SES (moto) or the local
outbox, with retries, a dead-letter queue and a redrive."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from gatehouse.data import users
from gatehouse.data.outbox import OutboxItem
from gatehouse.services import accounts, mail
from gatehouse_local import streams
from gatehouse_local.embedded_aws import MotoAws
from gatehouse_local.lambda_runtime import invoke, load_handler, module_name
from gatehouse_local.template import Route, Template
from gatehouse_local.testing import ApiClient, CallCounter

SENDER = "no-reply@example.com"
B_USER = {"username": "lilei", "password": "12345678", "email": "li@example.com", "sex": 0, "age": 30}
A_USER = {"name": "Ivan", "email": "ivan@example.com", "password": "password-1"}


def outbox_files(outbox_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(path.read_text()) for path in sorted(outbox_dir.glob("*.json"))]


def outbox_items() -> list[OutboxItem]:
    return [item for item in OutboxItem.scan() if isinstance(item, OutboxItem)]  # a test's own table


@pytest.fixture
def pump(embedded_aws: MotoAws) -> streams.StreamPump:
    active = streams.active()
    assert active is not None
    return active


@pytest.fixture
def mailer(sam_template: Template) -> Route:
    (source,) = streams.stream_sources(sam_template)
    load_handler(source.function)
    return source.function


@pytest.fixture
def quiet_api(api_routes: list[Route]) -> ApiClient:
    """Requests whose mail stays in the stream until the test delivers it."""
    return ApiClient(api_routes, deliver_mail=False)


@pytest.fixture
def ses(embedded_aws: MotoAws, mailer: Route, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The mailer sending through (moto's) SES, as deployed; the sender is not verified yet."""
    module = sys.modules[module_name(mailer.function_id)]
    monkeypatch.setattr(module, "transport", mail.SesTransport(embedded_aws.client("sesv2"), SENDER))
    return embedded_aws.client("ses")


def sent_by_ses(ses: Any) -> int:
    return int(ses.get_send_quota()["SentLast24Hours"])


def stream_event(embedded_aws: MotoAws, table_name: str) -> dict[str, Any]:
    client = embedded_aws.client("dynamodbstreams")
    arn = client.list_streams(TableName=table_name)["Streams"][0]["StreamArn"]
    shard = client.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = client.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    records = client.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    return {"Records": json.loads(json.dumps(records, default=str))}


def test_registration_mail_speaks_the_surfaces_language_with_a_text_and_an_html_part(
    api: ApiClient, outbox_dir: Path
) -> None:
    assert api.post("/api/auth/register", json=B_USER).status == 200
    assert api.post("/api/v1/register", json=A_USER).status == 200
    by_address = {message["to"]: message for message in outbox_files(outbox_dir)}
    chinese, russian = by_address["li@example.com"], by_address["ivan@example.com"]
    assert chinese["subject"] == "请确认您的电子邮件地址"
    assert russian["subject"] == "Подтвердите адрес электронной почты"
    for message in (chinese, russian):
        link = next(word for word in message["text"].split() if word.startswith("http"))
        assert "/links/verify?token=" in link
        assert link.replace("&", "&amp;") in message["html"]
        assert message["html"].startswith("<!DOCTYPE html>")
    # Delivered: the items keep no link, only that they were sent.
    assert {(item.status, item.params) for item in outbox_items()} == {("sent", None)}


def test_a_stream_record_delivered_twice_sends_one_mail(
    quiet_api: ApiClient, outbox_dir: Path, embedded_aws: MotoAws, mailer: Route
) -> None:
    assert quiet_api.post("/api/auth/register", json=B_USER).status == 200
    assert outbox_files(outbox_dir) == []  # nothing was sent by the request itself
    event = stream_event(embedded_aws, OutboxItem.Meta.table_name)
    images = [record["dynamodb"].get("NewImage") or {} for record in event["Records"]]
    outbox_records = [image for image in images if image.get("entity") == {"S": "outbox"}]
    assert len(outbox_records) == 1
    assert invoke(mailer, event) == {"batchItemFailures": []}
    assert invoke(mailer, event) == {"batchItemFailures": []}
    assert [message["to"] for message in outbox_files(outbox_dir)] == ["li@example.com"]


def test_a_refused_registration_queues_no_mail(api: ApiClient, outbox_dir: Path) -> None:
    assert api.post("/api/auth/register", json=B_USER).status == 200
    taken = api.post("/api/auth/register", json={**B_USER, "username": "other"})
    assert taken.status == 422
    assert len(outbox_files(outbox_dir)) == 1
    assert len(outbox_items()) == 1


def test_ses_refusals_are_retried_then_dead_lettered_and_a_redrive_sends_the_mail_once(
    quiet_api: ApiClient,
    pump: streams.StreamPump,
    ses: Any,
    mailer: Route,
    embedded_aws: MotoAws,
    sam_template: Template,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (source,) = streams.stream_sources(sam_template)
    # SES refuses (the sender is not a verified identity): the request does not care.
    assert quiet_api.post("/api/auth/register", json=B_USER).status == 200
    delivery = pump.drain()
    assert delivery.invocations == 1 + source.maximum_retry_attempts == 6
    assert len(delivery.dead_lettered) == 1
    assert sent_by_ses(ses) == 0
    (item,) = outbox_items()
    assert (item.status, item.attempts, item.last_error) == ("pending", 6, "MessageRejected")
    assert "MailFailed" in capsys.readouterr().out

    sqs = embedded_aws.client("sqs")
    queue = sqs.get_queue_url(QueueName=streams.local_queue_names(sam_template)["MailDeadLetterQueue"])
    (dead,) = sqs.receive_message(QueueUrl=queue["QueueUrl"], MaxNumberOfMessages=10)["Messages"]
    described = json.loads(dead["Body"])
    assert described["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert described["DDBStreamBatchInfo"]["batchSize"] == 1

    # The operator fixes SES, then hands the dead-letter message back to the mailer.
    ses.verify_email_identity(EmailAddress=SENDER)
    assert invoke(mailer, described) == {"batchItemFailures": []}
    assert sent_by_ses(ses) == 1
    assert invoke(mailer, described) == {"batchItemFailures": []}
    assert sent_by_ses(ses) == 1  # sent once
    (item,) = outbox_items()
    assert (item.status, item.params) == ("sent", None)
    assert "MailSent" in capsys.readouterr().out


def test_with_a_verified_sender_mail_goes_out_through_ses_at_once(
    quiet_api: ApiClient, pump: streams.StreamPump, ses: Any
) -> None:
    ses.verify_email_identity(EmailAddress=SENDER)
    assert quiet_api.post("/api/auth/register", json=B_USER).status == 200
    delivery = pump.drain()
    assert (delivery.records, delivery.invocations, delivery.dead_lettered) == (1, 1, [])
    assert sent_by_ses(ses) == 1


def test_only_the_mailer_may_send_mail_and_it_reads_nothing_but_outbox_inserts(
    sam_template: Template,
) -> None:
    functions = {
        name: resource["Properties"]
        for name, resource in sam_template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }
    senders = {
        name for name, properties in functions.items() if "ses" in json.dumps(properties.get("Policies"))
    }
    assert senders == {"MailerFunction"}
    (source,) = streams.stream_sources(sam_template)
    pending = {"entity": {"S": "outbox"}, "status": {"S": "pending"}}
    for image, delivered in [
        (pending, True),
        ({**pending, "status": {"S": "sent"}}, False),  # an unknown address's recover: never sent
        ({"entity": {"S": "user"}}, False),
    ]:
        record = {"eventName": "INSERT", "dynamodb": {"NewImage": image}}
        assert [streams.matches(p, record) for p in source.patterns] == [delivered]
    event = functions["MailerFunction"]["Events"]["Outbox"]["Properties"]
    assert event["BisectBatchOnFunctionError"] is True
    assert event["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert sam_template["Resources"]["Table"]["Properties"]["StreamSpecification"] == {
        "StreamViewType": "NEW_IMAGE"
    }


def test_every_mail_and_link_setting_is_declared_for_the_functions(sam_template: Template) -> None:
    declared = sam_template["Globals"]["Function"]["Environment"]["Variables"]
    for name in ("MAIL_TRANSPORT", "MAIL_FROM", "OUTBOX_DIR", "PUBLIC_BASE_URL"):
        assert name in declared
    assert declared["RESET_URL_TEMPLATE"] == {"Ref": "ResetUrlTemplate"}
    assert declared["VERIFY_URL_TEMPLATE"] == {"Ref": "VerifyUrlTemplate"}
    assert sam_template["Parameters"]["ResetUrlTemplate"]["Default"] == ""
    assert sam_template["Parameters"]["VerifyUrlTemplate"]["Default"] == ""


def test_recover_does_the_same_dynamodb_work_for_known_unknown_and_deactivated_addresses(
    api: ApiClient, outbox_dir: Path
) -> None:
    assert api.post("/api/v1/register", json=A_USER).status == 200
    assert api.post("/api/v1/register", json={**A_USER, "email": "off@example.com"}).status == 200
    off = users.find_by("email", "off@example.com")
    assert off is not None
    accounts.set_active(off, False)
    counter = CallCounter()
    work = {}
    with counter.installed():
        for address in ("ivan@example.com", "nobody@example.com", "off@example.com"):
            counter.reset()
            assert api.post("/api/v1/recover", json={"email": address}).status == 200
            work[address] = dict(counter.operations)
    assert work["ivan@example.com"] == work["nobody@example.com"] == work["off@example.com"]
    assert work["nobody@example.com"]["TransactWriteItems"] == 1
    # Only the known, active address gets mail; the others' messages are never delivered.
    mails = outbox_files(outbox_dir)
    assert [m["to"] for m in mails if m["subject"] == "Восстановление пароля"] == ["ivan@example.com"]
