"""Secrets Manager's four rotation steps for the JWT signing-key secret.

Each rotation makes a new current key and keeps the old current one as previous (the key before
that is dropped), so tokens signed before a rotation keep working until the next one. Scheduled
every `SigningKeyRotationDays` (template), at least the longest token lifetime (E's 14 days), a
dropped key has signed only expired tokens: nobody is ever signed out by a rotation.

Steps (https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda-functions.html):
createSecret stores the rotated key ring as the AWSPENDING version; setSecret has no other
system to update; testSecret checks that the pending version parses and keeps the current key
as previous; finishSecret moves AWSCURRENT to it. Every step is idempotent, as Secrets Manager
may call one twice.
"""

from __future__ import annotations

import logging
from typing import Any

from gatehouse.security import signing_key

_logger = logging.getLogger("gatehouse.key_rotation")
STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")


class RotationError(RuntimeError):
    """The secret or the request cannot be rotated (Secrets Manager marks the rotation failed)."""


def rotation_step(client: Any, secret_id: str, token: str, step: str) -> None:
    if step not in STEPS:
        raise RotationError(f"unknown rotation step {step!r}")
    described = client.describe_secret(SecretId=secret_id)
    if not described.get("RotationEnabled"):
        raise RotationError("rotation is not enabled on the secret")
    stages: dict[str, list[str]] = described.get("VersionIdsToStages") or {}
    if step == "createSecret" and token not in stages:
        _create(client, secret_id, token)  # Secrets Manager registers the version first; a caller may not
        return
    if token not in stages:
        raise RotationError("the rotation's version is not a version of the secret")
    if "AWSCURRENT" in stages[token]:
        _logger.info("rotation version is already current", extra={"step": step})
        return
    if "AWSPENDING" not in stages[token]:
        raise RotationError("the rotation's version is not pending")
    match step:
        case "createSecret":
            _create(client, secret_id, token)
        case "setSecret":
            pass  # the key signs tokens only; no other system holds it
        case "testSecret":
            _test(client, secret_id, token)
        case "finishSecret":
            current = next(version for version, names in stages.items() if "AWSCURRENT" in names)
            client.update_secret_version_stage(
                SecretId=secret_id,
                VersionStage="AWSCURRENT",
                MoveToVersionId=token,
                RemoveFromVersionId=current,
            )
    _logger.info("rotation step done", extra={"step": step})


def _create(client: Any, secret_id: str, token: str) -> None:
    try:
        client.get_secret_value(SecretId=secret_id, VersionId=token, VersionStage="AWSPENDING")
        return  # created by an earlier call of this step
    except client.exceptions.ResourceNotFoundException:
        pass
    current = signing_key.parse(
        client.get_secret_value(SecretId=secret_id, VersionStage="AWSCURRENT")["SecretString"]
    )
    rotated = signing_key.KeyRing(signing_key.new_key(), current.current)
    client.put_secret_value(
        SecretId=secret_id,
        ClientRequestToken=token,
        SecretString=signing_key.serialize(rotated),
        VersionStages=["AWSPENDING"],
    )


def _test(client: Any, secret_id: str, token: str) -> None:
    pending = signing_key.parse(
        client.get_secret_value(SecretId=secret_id, VersionId=token, VersionStage="AWSPENDING")[
            "SecretString"
        ]
    )
    current = signing_key.parse(
        client.get_secret_value(SecretId=secret_id, VersionStage="AWSCURRENT")["SecretString"]
    )
    if pending.previous != current.current or pending.current.kid == current.current.kid:
        raise RotationError("the pending keys do not keep the current key as previous")
