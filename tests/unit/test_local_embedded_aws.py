"""gatehouse_local.embedded_aws: the private moto behind the tests (in-process) and the local run
(a server process); what they share holds for both."""

from __future__ import annotations

import inspect
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3

from gatehouse_local.embedded_aws import EmbeddedAws, InProcessAws, MotoAws
from gatehouse_local.template import Template, table_create_kwargs, ttl_attribute


def test_the_tests_moto_runs_in_this_process_and_every_client_reaches_it(embedded_aws: MotoAws) -> None:
    assert isinstance(embedded_aws, InProcessAws)
    assert "AWS_ENDPOINT_URL" not in os.environ
    assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
    tables = boto3.client("dynamodb").list_tables()["TableNames"]
    assert tables == [os.environ["TABLE_NAME"]]


def test_the_server_environment_points_clients_at_the_server(moto_server: EmbeddedAws) -> None:
    environment = moto_server.environment()
    assert environment["AWS_ENDPOINT_URL"] == moto_server.endpoint_url
    client = boto3.client("dynamodb", endpoint_url=environment["AWS_ENDPOINT_URL"], region_name="us-east-1")
    assert client.list_tables()["TableNames"] == [os.environ["TABLE_NAME"]]


def test_table_and_buckets_are_created_from_the_template(any_moto: MotoAws, sam_template: Template) -> None:
    dynamodb = any_moto.client("dynamodb")
    table = dynamodb.describe_table(TableName=os.environ["TABLE_NAME"])["Table"]
    declared = table_create_kwargs(sam_template, "any")["GlobalSecondaryIndexes"]
    assert [index["IndexName"] for index in table["GlobalSecondaryIndexes"]] == [
        g["IndexName"] for g in declared
    ]
    ttl = dynamodb.describe_time_to_live(TableName=os.environ["TABLE_NAME"])["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": ttl_attribute(sam_template)}
    buckets = [bucket["Name"] for bucket in any_moto.client("s3").list_buckets()["Buckets"]]
    assert buckets == [os.environ["USERPIC_BUCKET"]]


def test_each_test_starts_from_an_empty_table_part_one(embedded_aws: MotoAws) -> None:
    _put_marker(embedded_aws)
    assert _count(embedded_aws) == 1


def test_each_test_starts_from_an_empty_table_part_two(embedded_aws: MotoAws) -> None:
    assert _count(embedded_aws) == 0


def test_reset_empties_the_table_and_keeps_the_resources(any_moto: MotoAws) -> None:
    _put_marker(any_moto)
    any_moto.reset()
    assert _count(any_moto) == 0
    assert any_moto.client("s3").list_buckets()["Buckets"]


def test_concurrent_atomic_adds_are_never_lost(any_moto: MotoAws) -> None:
    dynamodb = any_moto.client("dynamodb")

    def add(_: int) -> int:
        answer = dynamodb.update_item(
            TableName=os.environ["TABLE_NAME"],
            Key={"PK": {"S": "counter"}, "SK": {"S": "counter"}},
            UpdateExpression="ADD n :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
            ReturnValues="UPDATED_NEW",
        )
        return int(answer["Attributes"]["n"]["N"])

    with ThreadPoolExecutor(max_workers=16) as pool:
        seen = list(pool.map(add, range(160)))
    assert sorted(seen) == list(range(1, 161))


def _put_marker(aws: MotoAws) -> None:
    aws.client("dynamodb").put_item(
        TableName=os.environ["TABLE_NAME"], Item={"PK": {"S": "marker"}, "SK": {"S": "marker"}}
    )


def _count(aws: MotoAws) -> int:
    answer: dict[str, Any] = aws.client("dynamodb").scan(TableName=os.environ["TABLE_NAME"], Select="COUNT")
    return int(answer["Count"])


def test_the_moto_server_looks_up_its_modules_and_a_responses_class_once(monkeypatch: Any) -> None:
    from moto import backends
    from moto.core import responses
    from moto.dynamodb.responses import DynamoHandler

    from gatehouse_local import moto_process

    # Moto's own lookups (this process may have remembered them already), restored after the test.
    monkeypatch.setattr(backends, "list_of_moto_modules", inspect.unwrap(backends.list_of_moto_modules))
    monkeypatch.setattr(
        responses,
        "method_names_from_class",
        inspect.unwrap(responses.method_names_from_class),  # type: ignore[attr-defined]
    )
    listings: list[str] = []
    real_listdir = os.listdir

    def listdir(path: str) -> list[str]:
        listings.append(path)
        return real_listdir(path)

    monkeypatch.setattr(os, "listdir", listdir)
    moto_process.remember_lookups()

    modules = [tuple(backends.list_of_moto_modules()) for _ in range(3)]
    assert "dynamodb" in modules[0]
    assert modules[0] == modules[1] == modules[2]
    assert len(listings) == 1
    methods = responses.method_names_from_class(DynamoHandler)  # type: ignore[attr-defined]
    assert "get_item" in methods
    assert responses.method_names_from_class(DynamoHandler) is methods  # type: ignore[attr-defined]
