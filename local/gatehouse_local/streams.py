"""The table's DynamoDB stream, delivered locally as Lambda's event source mapping would.

Deployed, Lambda polls the stream and invokes `MailerFunction` with batches of records that
pass the event's `FilterCriteria`, retries a failed batch from its first failed record up
to `MaximumRetryAttempts` times, then sends a description of the batch to the
`DestinationConfig.OnFailure` queue. `StreamPump` does the same against moto's stream
(read with the `dynamodbstreams` API), invoking the function's real handler with real
stream events: the local run drains it from a background thread, the test harness after
each request. Differences: retries are immediate and a failed batch is not bisected.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gatehouse_local import periodic
from gatehouse_local.apigw import ACCOUNT_ID, REGION
from gatehouse_local.lambda_runtime import invoke
from gatehouse_local.template import (
    DEFAULT_MEMORY_MB,
    DEFAULT_TIMEOUT_S,
    FUNCTION_TYPE,
    REPO_ROOT,
    Route,
    Template,
    TemplateError,
    _function_setting,
    resources_of_type,
)

QUEUE_TYPE = "AWS::SQS::Queue"
DEFAULT_BATCH_SIZE = 100
DEFAULT_RETRY_ATTEMPTS = 3


@dataclass(frozen=True)
class StreamSource:
    """One `Type: DynamoDB` event of a function in the template."""

    function: Route
    batch_size: int
    maximum_retry_attempts: int
    patterns: tuple[dict[str, Any], ...]
    on_failure_queue: str | None  # the queue's logical id


def stream_sources(template: Template, *, root: Path = REPO_ROOT) -> list[StreamSource]:
    found: list[StreamSource] = []
    for function_id, resource in resources_of_type(template, FUNCTION_TYPE).items():
        properties: dict[str, Any] = resource.get("Properties") or {}
        for event_id, event in (properties.get("Events") or {}).items():
            if event.get("Type") != "DynamoDB":
                continue
            settings = event.get("Properties") or {}
            code_uri = _function_setting(template, properties, "CodeUri")
            handler = _function_setting(template, properties, "Handler")
            if not isinstance(code_uri, str) or not isinstance(handler, str):
                raise TemplateError(f"{function_id} needs a local CodeUri and a Handler (plain strings)")
            route = Route(
                method="STREAM",
                path="",
                function_id=function_id,
                code_uri=(root / code_uri).resolve(),
                handler=handler,
                event_id=event_id,
                memory_mb=int(_function_setting(template, properties, "MemorySize") or DEFAULT_MEMORY_MB),
                timeout_s=int(_function_setting(template, properties, "Timeout") or DEFAULT_TIMEOUT_S),
            )
            filters = (settings.get("FilterCriteria") or {}).get("Filters") or []
            destination = ((settings.get("DestinationConfig") or {}).get("OnFailure") or {}).get(
                "Destination"
            )
            queue = None
            if isinstance(destination, dict) and "Fn::GetAtt" in destination:
                target = destination["Fn::GetAtt"]
                queue = (target.split(".") if isinstance(target, str) else target)[0]
            found.append(
                StreamSource(
                    function=route,
                    batch_size=int(settings.get("BatchSize") or DEFAULT_BATCH_SIZE),
                    maximum_retry_attempts=int(settings.get("MaximumRetryAttempts", DEFAULT_RETRY_ATTEMPTS)),
                    patterns=tuple(json.loads(each["Pattern"]) for each in filters),
                    on_failure_queue=queue,
                )
            )
    return found


def matches(pattern: Mapping[str, Any], record: Mapping[str, Any]) -> bool:
    """EventBridge-style matching as Lambda's FilterCriteria do it: nested objects, and lists
    of allowed values at the leaves (the subset Gatehouse's template uses)."""
    for key, wanted in pattern.items():
        if key not in record:
            return False
        value = record[key]
        if isinstance(wanted, dict):
            if not isinstance(value, dict) or not matches(wanted, value):
                return False
        elif isinstance(wanted, list):
            if value not in wanted:
                return False
        elif value != wanted:
            return False
    return True


@dataclass
class Delivery:
    """What one `drain` did: records passed to functions, invocations, batches sent to a DLQ."""

    records: int = 0
    invocations: int = 0
    dead_lettered: list[dict[str, Any]] = field(default_factory=list)


_draining = threading.local()


def draining() -> bool:
    """True in a thread that is delivering stream records (the harness does not count its calls)."""
    return bool(getattr(_draining, "active", False))


@contextmanager
def _marked_draining() -> Iterator[None]:
    _draining.active = True
    try:
        yield
    finally:
        _draining.active = False


class StreamPump:
    """Reads the table's stream and invokes each stream source's function, one drain at a time."""

    def __init__(
        self,
        client: Callable[[str], Any],
        table_name: str,
        sources: Sequence[StreamSource],
        queue_names: Mapping[str, str],
    ) -> None:
        self.client = client
        self.table_name = table_name
        self.sources = list(sources)
        self.queue_names = dict(queue_names)
        self._lock = threading.Lock()
        self._stream_arn: str | None = None
        self._iterators: dict[str, str] = {}
        self._shard_id = ""

    def forget(self) -> None:
        """The table was recreated (tests' reset): start again from its new stream."""
        with self._lock:
            self._stream_arn = None
            self._iterators.clear()
            self._shard_id = ""

    def drain(self) -> Delivery:
        delivery = Delivery()
        if not self.sources:
            return delivery
        with self._lock, _marked_draining():
            records = self._new_records()
            for source in self.sources:
                chosen = [record for record in records if any(matches(p, record) for p in source.patterns)]
                if not source.patterns:
                    chosen = records
                for start in range(0, len(chosen), source.batch_size):
                    self._deliver(source, chosen[start : start + source.batch_size], delivery)
        return delivery

    def _new_records(self) -> list[dict[str, Any]]:
        streams = self.client("dynamodbstreams")
        if self._stream_arn is None:
            listed = streams.list_streams(TableName=self.table_name).get("Streams") or []
            if not listed:
                return []
            self._stream_arn = listed[0]["StreamArn"]
        if not self._iterators:
            # moto keeps one shard per stream, for the table's life: found once, then read on.
            description = streams.describe_stream(StreamArn=self._stream_arn)["StreamDescription"]
            for shard in description.get("Shards") or []:
                self._iterators[shard["ShardId"]] = streams.get_shard_iterator(
                    StreamArn=self._stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]
        records: list[dict[str, Any]] = []
        for shard_id, iterator in list(self._iterators.items()):
            self._shard_id = shard_id
            while True:
                answer = streams.get_records(ShardIterator=iterator, Limit=1000)
                iterator = answer.get("NextShardIterator") or iterator
                got = answer.get("Records") or []
                records.extend(self._as_lambda_record(record) for record in got)
                if len(got) < 1000:
                    break
            self._iterators[shard_id] = iterator
        return records

    def _as_lambda_record(self, record: dict[str, Any]) -> dict[str, Any]:
        # The event Lambda builds from a stream record: the record plus where it came from.
        shaped: dict[str, Any] = json.loads(json.dumps(record, default=_json_default))
        shaped["eventSource"] = "aws:dynamodb"
        shaped["awsRegion"] = REGION
        shaped["eventSourceARN"] = self._stream_arn
        shaped.setdefault("eventVersion", "1.1")
        return shaped

    def _deliver(self, source: StreamSource, batch: list[dict[str, Any]], delivery: Delivery) -> None:
        attempts = 0
        while batch:
            attempts += 1
            delivery.invocations += 1
            failed_from = self._invoke(source, batch)
            if failed_from is None:
                delivery.records += len(batch)
                return
            # Lambda resumes from the first failed record (ReportBatchItemFailures).
            delivery.records += failed_from
            batch = batch[failed_from:]
            if attempts > source.maximum_retry_attempts:
                delivery.dead_lettered.append(self._dead_letter(source, batch, attempts))
                return

    def _invoke(self, source: StreamSource, batch: list[dict[str, Any]]) -> int | None:
        """Index of the first failed record, or None when the whole batch succeeded."""
        try:
            result = invoke(source.function, {"Records": batch})
        except Exception:
            return 0
        failures = {str(each.get("itemIdentifier")) for each in result.get("batchItemFailures") or []}
        for index, record in enumerate(batch):
            if str(record["dynamodb"].get("SequenceNumber")) in failures:
                return index
        return None

    def _dead_letter(
        self, source: StreamSource, batch: list[dict[str, Any]], attempts: int
    ) -> dict[str, Any]:
        """Lambda's on-failure record for a stream batch: where it is, not what it holds."""
        function_name = f"gatehouse-local-{source.function.function_id}"
        first, last = batch[0]["dynamodb"], batch[-1]["dynamodb"]
        document = {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{function_name}",
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": attempts,
            },
            "responseContext": {
                "statusCode": 200,
                "executedVersion": "$LATEST",
                "functionError": "Unhandled",
            },
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(),
            "DDBStreamBatchInfo": {
                "shardId": self._shard_id,
                "startSequenceNumber": str(first.get("SequenceNumber")),
                "endSequenceNumber": str(last.get("SequenceNumber")),
                "batchSize": len(batch),
                "streamArn": self._stream_arn,
            },
        }
        if source.on_failure_queue is not None:
            sqs = self.client("sqs")
            name = self.queue_names.get(source.on_failure_queue, f"gatehouse-{source.on_failure_queue}-local")
            url = sqs.create_queue(QueueName=name)["QueueUrl"]
            sqs.send_message(QueueUrl=url, MessageBody=json.dumps(document))
        return document

    def running(self, interval_s: float = 0.5) -> AbstractContextManager[None]:
        """Drain in a background thread until exit (the local run)."""

        def failed(error: Exception) -> None:  # moto restarting, a table being recreated
            print(f"mail stream: {type(error).__name__}: {error}", flush=True)
            self.forget()
            time.sleep(interval_s)

        return periodic.repeating(
            self.drain, interval_s, name="stream-pump", on_error=failed, join_timeout_s=5
        )


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, bytes):
        import base64

        return base64.b64encode(value).decode()
    if isinstance(value, set):
        return sorted(value)
    raise TypeError(type(value).__name__)


def local_queue_names(template: Template) -> dict[str, str]:
    return {
        logical_id: f"gatehouse-{logical_id}-local" for logical_id in resources_of_type(template, QUEUE_TYPE)
    }


# The pump of the running harness or local run, delivered after each harness request.
_active: StreamPump | None = None


def activate(pump: StreamPump | None) -> None:
    global _active
    _active = pump


def active() -> StreamPump | None:
    return _active
