"""The rotation function's four steps against Secrets Manager (the embedded moto), and the
function's handler itself."""

from __future__ import annotations

import importlib.util
import uuid
from typing import Any

import pytest

from gatehouse.security import signing_key
from gatehouse.security.key_rotation import STEPS, RotationError, rotation_step
from gatehouse_local.embedded_aws import MotoAws
from gatehouse_local.lambda_runtime import LambdaContext
from gatehouse_local.template import REPO_ROOT
from gatehouse_local.testing import TEST_JWT_SECRET


def _rotatable_secret(client: Any) -> str:
    arn: str = client.create_secret(Name=f"gatehouse/test/{uuid.uuid4().hex}", SecretString=TEST_JWT_SECRET)[
        "ARN"
    ]
    client.rotate_secret(SecretId=arn, RotationRules={"AutomaticallyAfterDays": 30}, RotateImmediately=False)
    client.put_secret_value(SecretId=arn, SecretString=TEST_JWT_SECRET)  # the plain key, as deployed
    return arn


def _current(client: Any, arn: str) -> signing_key.KeyRing:
    return signing_key.parse(client.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"])


def _handler() -> Any:
    spec = importlib.util.spec_from_file_location(
        "key_rotation_app", REPO_ROOT / "functions/key_rotation/app.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.handler


def test_each_rotation_makes_a_new_current_key_and_keeps_one_previous(embedded_aws: MotoAws) -> None:
    client = embedded_aws.client("secretsmanager")
    arn = _rotatable_secret(client)
    handler = _handler()
    context = LambdaContext(
        function_name="gatehouse-local-SigningKeyRotationFunction",
        function_version="$LATEST",
        invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:gatehouse-local-SigningKeyRotationFunction",
        memory_limit_in_mb=256,
        aws_request_id=uuid.uuid4().hex,
        log_group_name="/aws/lambda/gatehouse-local-SigningKeyRotationFunction",
        log_stream_name="local",
        deadline_ms=2**62,
    )
    before = _current(client, arn)
    assert before.current.kid == signing_key.LEGACY_KID

    rotations = []
    for _ in range(2):
        token = uuid.uuid4().hex
        for step in STEPS:
            handler({"SecretId": arn, "ClientRequestToken": token, "Step": step}, context)
            handler(
                {"SecretId": arn, "ClientRequestToken": token, "Step": step}, context
            )  # retried: no change
        rotations.append(_current(client, arn))

    first, second = rotations
    assert first.previous == before.current
    assert second.previous == first.current
    assert second.find(signing_key.LEGACY_KID) is None  # dropped by the second rotation
    assert len({before.current.kid, first.current.kid, second.current.kid}) == 3


def test_a_step_for_a_version_that_is_not_pending_is_refused(embedded_aws: MotoAws) -> None:
    client = embedded_aws.client("secretsmanager")
    arn = _rotatable_secret(client)
    with pytest.raises(RotationError):
        rotation_step(client, arn, uuid.uuid4().hex, "finishSecret")
    with pytest.raises(RotationError):
        rotation_step(client, arn, uuid.uuid4().hex, "rotateEverything")
