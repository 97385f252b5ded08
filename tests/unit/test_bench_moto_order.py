"""The counting sections' moto sorts a table as moto 5.2.5 does, by each key's value cast once."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends

from bench import moto_order

REGION = "us-east-1"


@pytest.fixture
def dynamodb() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("dynamodb", region_name=REGION)


def _table(client: Any, name: str, keys: dict[str, str]) -> Any:
    client.create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": attribute, "KeyType": "HASH" if n == 0 else "RANGE"}
            for n, attribute in enumerate(keys)
        ],
        AttributeDefinitions=[
            {"AttributeName": attribute, "AttributeType": kind} for attribute, kind in keys.items()
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    return dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].get_table(name)


def test_the_reviewed_moto_is_installed() -> None:
    assert moto_order.reviewed()


def test_a_table_with_a_sort_key_comes_in_moto_s_order(dynamodb: Any) -> None:
    table = _table(dynamodb, "strings", {"PK": "S", "SK": "S"})
    shuffle = random.Random(7)
    partitions = ["USER#1", "USER#10", "USER#2", "AUDIT#SHARD#03", "SEARCH#ALL#а", "SEARCH#ALL#a"]
    for n in range(300):
        pk = shuffle.choice(partitions)
        dynamodb.put_item(
            TableName="strings", Item={"PK": {"S": pk}, "SK": {"S": f"{shuffle.randrange(50)}#{n % 7}"}}
        )
    ours = moto_order.all_items(table)
    assert [id(item) for item in ours] == [id(item) for item in moto_order.MOTO_ALL_ITEMS(table)]
    assert len(ours) == sum(len(partition) for partition in table.items.values())


def test_numbers_sort_by_value_as_moto_sorts_them(dynamodb: Any) -> None:
    table = _table(dynamodb, "numbers", {"id": "N"})
    for value in ("10", "9", "-3", "2.5", "100", "0"):
        dynamodb.put_item(TableName="numbers", Item={"id": {"N": value}})
    ours = moto_order.all_items(table)
    assert [item.hash_key.value for item in ours] == ["-3", "0", "2.5", "9", "10", "100"]
    assert [id(item) for item in ours] == [id(item) for item in moto_order.MOTO_ALL_ITEMS(table)]
