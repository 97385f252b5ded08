"""Logs, traces and metrics, through aws-lambda-powertools.

- Logs: every `logging.getLogger(__name__)` logger of the package is a child of the `gatehouse`
  logger, which powertools' `Logger` owns: one JSON object a line, at `LOG_LEVEL`, with the
  function's service name, the Lambda context and the API Gateway request id as
  `correlation_id` (the id a 500 body shows the client). `extra=` fields appear as keys.
- Traces: the handler is an X-Ray subsegment, botocore calls (DynamoDB, S3, SES, Secrets
  Manager) are patched in; responses are never recorded (they hold tokens).
- Metrics: `count(name)` adds a CloudWatch EMF count metric in the `Gatehouse` namespace
  (dimension `service` = the stack name, `POWERTOOLS_SERVICE_NAME`), flushed to the log at
  the end of each invocation.

Nothing here ever logs the event, a body or a header: callers pass only what is safe.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, cast

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

from gatehouse.settings import get_settings

NAMESPACE = "Gatehouse"
# The package's root logger: every `gatehouse.*` module logger propagates to it.
LOGGER_NAME = "gatehouse"

# The metrics every part of Gatehouse may emit (the dashboard and alarms read these names).
SIGN_IN_SUCCEEDED = "SignInSucceeded"
SIGN_IN_FAILED = "SignInFailed"
TOKEN_ISSUED = "TokenIssued"
TOKEN_REVOKED = "TokenRevoked"
MAIL_QUEUED = "MailQueued"
MAIL_SENT = "MailSent"
MAIL_FAILED = "MailFailed"

LambdaHandler = Callable[[dict[str, Any], Any], Any]

logger = Logger(service=LOGGER_NAME, level=get_settings().log_level)
metrics = Metrics(namespace=NAMESPACE)
# botocore logs every credential lookup at INFO; that is noise in every function's log.
logging.getLogger("botocore").setLevel(logging.WARNING)


def count(name: str, value: int = 1) -> None:
    """Add `value` to the count metric `name` (flushed when the invocation ends)."""
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def flush_metrics() -> None:
    """Write the metrics counted so far as one EMF log line; nothing when none were counted."""
    if metrics.metric_set:
        metrics.flush_metrics()


_cold_start = True


def instrument(handler: LambdaHandler, service: str) -> LambdaHandler:
    """`handler` with JSON logs (service `service`, the API Gateway request id as correlation id),
    an X-Ray segment and the invocation's metrics flushed at its end, even when it raises.

    The log keys are what powertools' `inject_lambda_context(clear_state=True)` sets, set here
    directly (no context model, no JMESPath per invocation); the X-Ray subsegment is only
    opened where tracing is on (in Lambda), so a warm invocation pays for neither elsewhere.
    """
    # Outside Lambda (tests, the local run) powertools disables tracing by itself.
    tracer = Tracer(service=service, patch_modules=["botocore"])

    def instrumented(event: dict[str, Any], context: Any) -> Any:
        global _cold_start
        cold_start, _cold_start = _cold_start, False
        request_context = event.get("requestContext") if isinstance(event, dict) else None
        request_id = request_context.get("requestId") if isinstance(request_context, dict) else None
        # One call for what `append_keys(service=...)` and `set_correlation_id` would add after it.
        logger.structure_logs(
            cold_start=cold_start,
            function_name=context.function_name,
            function_memory_size=context.memory_limit_in_mb,
            function_arn=context.invoked_function_arn,
            function_request_id=context.aws_request_id,
            service=service,
            # Not an API Gateway request (the mailer's stream batches, key rotation): the
            # invocation's own request id ties its log lines together.
            correlation_id=request_id if request_id is not None else getattr(context, "aws_request_id", None),
        )
        if logger.sampling_rate and not cold_start:
            logger.refresh_sample_rate_calculation()
        try:
            return handler(event, context)
        finally:
            flush_metrics()

    if tracer.disabled:
        return instrumented
    return cast(LambdaHandler, tracer.capture_lambda_handler(capture_response=False)(instrumented))
