"""gatehouse_local.embedded_aws: the private moto server behind the tests and the local run."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3

from gatehouse_local.embedded_aws import EmbeddedAws
from gatehouse_local.template import Template, table_create_kwargs, ttl_attribute


def test_environment_points_clients_at_the_embedded_server(embedded_aws: EmbeddedAws) -> None:
    assert os.environ["AWS_ENDPOINT_URL"] == embedded_aws.endpoint_url
    assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
    tables = boto3.client("dynamodb").list_tables()["TableNames"]
    assert tables == [os.environ["TABLE_NAME"]]


def test_table_and_buckets_are_created_from_the_template(
    embedded_aws: EmbeddedAws, sam_template: Template
) -> None:
    dynamodb = embedded_aws.client("dynamodb")
    table = dynamodb.describe_table(TableName=os.environ["TABLE_NAME"])["Table"]
    declared = table_create_kwargs(sam_template, "any")["GlobalSecondaryIndexes"]
    assert [index["IndexName"] for index in table["GlobalSecondaryIndexes"]] == [
        g["IndexName"] for g in declared
    ]
    ttl = dynamodb.describe_time_to_live(TableName=os.environ["TABLE_NAME"])["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": ttl_attribute(sam_template)}
    buckets = [bucket["Name"] for bucket in embedded_aws.client("s3").list_buckets()["Buckets"]]
    assert buckets == [os.environ["USERPIC_BUCKET"]]


def test_each_test_starts_from_an_empty_table_part_one(embedded_aws: EmbeddedAws) -> None:
    _put_marker(embedded_aws)
    assert _count(embedded_aws) == 1


def test_each_test_starts_from_an_empty_table_part_two(embedded_aws: EmbeddedAws) -> None:
    assert _count(embedded_aws) == 0
    _put_marker(embedded_aws)
    embedded_aws.reset()
    assert _count(embedded_aws) == 0


def test_concurrent_atomic_adds_are_never_lost(embedded_aws: EmbeddedAws) -> None:
    dynamodb = embedded_aws.client("dynamodb")

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


def _put_marker(aws: EmbeddedAws) -> None:
    aws.client("dynamodb").put_item(
        TableName=os.environ["TABLE_NAME"], Item={"PK": {"S": "marker"}, "SK": {"S": "marker"}}
    )


def _count(aws: EmbeddedAws) -> int:
    answer: dict[str, Any] = aws.client("dynamodb").scan(TableName=os.environ["TABLE_NAME"], Select="COUNT")
    return int(answer["Count"])


def test_the_moto_server_looks_up_its_modules_and_a_responses_class_once(monkeypatch: Any) -> None:
    from moto import backends
    from moto.core import responses
    from moto.dynamodb.responses import DynamoHandler

    from gatehouse_local import moto_process

    # Restored after the test: the lookups are replaced on the modules themselves.
    monkeypatch.setattr(backends, "list_of_moto_modules", backends.list_of_moto_modules)
    monkeypatch.setattr(responses, "method_names_from_class", responses.method_names_from_class)  # type: ignore[attr-defined]
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
