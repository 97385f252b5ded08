"""Signing-key rotation function: Secrets Manager calls it with each of the four rotation steps
for the JWT signing-key secret (gatehouse.security.key_rotation). No HTTP routes."""

from functools import cache
from typing import Any

import botocore.session

from gatehouse import snapstart
from gatehouse.observability import instrument
from gatehouse.security.key_rotation import rotation_step
from gatehouse.settings import get_settings


@cache
def _secrets_manager() -> Any:
    return botocore.session.get_session().create_client(
        "secretsmanager", region_name=get_settings().aws_region
    )


# A copy restored from a SnapStart snapshot makes its own client.
snapstart.after_restore(_secrets_manager.cache_clear)


def rotate(event: dict[str, Any], context: object) -> None:
    rotation_step(_secrets_manager(), event["SecretId"], event["ClientRequestToken"], event["Step"])


handler = instrument(rotate, "key_rotation")
