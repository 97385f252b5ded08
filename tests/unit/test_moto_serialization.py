"""gatehouse_local.moto_serialization: DynamoDB answers written without the generic walk.
Every result is serialized twice, by moto's JSON serializer and by ours, for the operations
that return items: the status, headers and body must be the same, byte for byte."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from moto.core.responses import ActionResult
from moto.core.serialize import JSONSerializer, XFormedAttributePicker
from moto.core.utils import get_service_model
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.responses import DynamoResult

from gatehouse_local import moto_serialization
from gatehouse_local.moto_serialization import DynamoDbJsonSerializer

# One stored item with every attribute type, as the wire (and moto's DynamoType) has it.
EVERY_TYPE: dict[str, Any] = {
    "PK": {"S": "USER#1"},
    "empty": {"S": ""},
    "unicode": {"S": 'Zoë — 東京 \u2028 "quoted" \\'},
    "count": {"N": "-12.50"},
    "blob": {"B": base64.b64encode(b"\x00\xffbinary").decode()},
    "empty_blob": {"B": ""},
    "tags": {"SS": ["a", "b", "ö"]},
    "scores": {"NS": ["1", "2.5", "-3"]},
    "blobs": {"BS": [base64.b64encode(b"\x01").decode(), base64.b64encode(b"\x02\x03").decode()]},
    "nothing": {"NULL": True},
    "yes": {"BOOL": True},
    "no": {"BOOL": False},
    "profile": {
        "M": {
            "name": {"S": "Ann"},
            "age": {"N": "30"},
            "inner": {"M": {"deep": {"L": [{"S": "x"}, {"NULL": True}, {"M": {}}]}}},
            "flags": {"SS": ["x"]},
        }
    },
    "history": {
        "L": [{"N": "1"}, {"S": "two"}, {"BOOL": False}, {"L": []}, {"B": base64.b64encode(b"3").decode()}]
    },
    "empty_map": {"M": {}},
    "empty_list": {"L": []},
}


def _stored(item: dict[str, Any]) -> dict[str, Any]:
    """What moto's DynamoDB responses hand the serializer for a stored item."""
    return {name: DynamoType(value) for name, value in item.items()}


def _both(operation: str, result: ActionResult, service: str = "dynamodb") -> tuple[Any, Any]:
    operation_model = get_service_model(service).operation_model(operation)
    answers = []
    for serializer_class in (JSONSerializer, DynamoDbJsonSerializer):
        serializer = serializer_class(operation_model, value_picker=XFormedAttributePicker())
        answers.append(serializer.serialize(result.result))
    return answers[0], answers[1]


def _assert_same(operation: str, result: ActionResult) -> dict[str, Any]:
    theirs, ours = _both(operation, result)
    assert ours == theirs
    parsed: dict[str, Any] = json.loads(ours["body"])
    return parsed


def test_moto_is_the_reviewed_version() -> None:
    assert moto_serialization.changes() == []


def test_get_item_with_every_attribute_type_is_written_as_moto_writes_it() -> None:
    body = _assert_same(
        "GetItem", DynamoResult({"Item": _stored(EVERY_TYPE), "ConsumedCapacity": {"TableName": "t"}})
    )
    assert body["Item"]["blob"] == {"B": base64.b64encode(b"\x00\xffbinary").decode()}
    assert body["Item"]["profile"]["M"]["inner"]["M"]["deep"]["L"][1] == {"NULL": True}


def test_batch_get_query_and_scan_answers_are_written_as_moto_writes_them() -> None:
    items = [_stored(EVERY_TYPE), _stored({"PK": {"S": "USER#2"}, "n": {"N": "0"}})]
    batch = {
        "Responses": {"t": items},
        "UnprocessedKeys": {"t": {"Keys": [_stored({"PK": {"S": "USER#3"}})]}},
        "ConsumedCapacity": [{"CapacityUnits": 2, "TableName": "t"}],
    }
    body = _assert_same("BatchGetItem", DynamoResult(batch))
    assert len(body["Responses"]["t"]) == 2
    page = {
        "Items": items,
        "Count": 2,
        "ScannedCount": 2,
        "LastEvaluatedKey": _stored({"PK": {"S": "USER#2"}}),
    }
    _assert_same("Query", DynamoResult(page))
    _assert_same("Scan", DynamoResult(page))


def test_stream_records_are_written_as_moto_writes_them() -> None:
    # moto keeps a record's images as the wire has them (binaries as base64 text).
    record = {
        "eventID": "1",
        "eventName": "MODIFY",
        "dynamodb": {
            "Keys": {"PK": {"S": "USER#1"}},
            "NewImage": EVERY_TYPE,
            "OldImage": {"PK": {"S": "USER#1"}, "blob": {"B": "AAE="}},
            "SequenceNumber": "1100000000017454423009",
            "SizeBytes": 10,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
    }
    result = ActionResult({"Records": [record], "NextShardIterator": "next"})
    theirs, ours = _both("GetRecords", result, service="dynamodbstreams")
    assert ours == theirs
    assert json.loads(ours["body"])["Records"][0]["dynamodb"]["NewImage"]["PK"] == {"S": "USER#1"}


def test_update_item_attributes_are_written_as_moto_writes_them() -> None:
    _assert_same("UpdateItem", DynamoResult({"Attributes": _stored({"hits": {"N": "7"}})}))


@pytest.mark.parametrize(
    "value",
    [
        {"S": None},  # a member without a value: an empty structure
        {"S": 5},  # not the type moto keeps: moto's own conversion
        {"N": 5},
        {"s": "lower-case key"},
        {"ListAttributeValue": [{"S": "an alias of L"}]},
        {"S": "two", "N": "2"},  # two members: both, in the model's order
        {"SS": ["a", 1]},
        {"BS": ["not bytes"]},
        {"B": "not bytes"},
        {"M": {"a": None, "b": {"S": "b"}, "c": {"S": 3}}},
        {"L": [None, {"S": "x"}, {"N": 4}]},
        {"NULL": "odd", "BOOL": None},
        {},
        [("not", "a dict")],
    ],
)
def test_values_moto_would_not_store_go_through_moto_s_own_code(value: Any) -> None:
    result = ActionResult({"Item": {"odd": value, "fine": {"S": "fine"}}})
    theirs, ours = _both("GetItem", result)
    assert ours == theirs
