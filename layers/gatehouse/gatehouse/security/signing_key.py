"""The JWT signing key, read once per container (cold start) and cached."""

from __future__ import annotations

from functools import cache

from gatehouse.settings import MIN_SIGNING_KEY_BYTES, ConfigurationError, get_settings


@cache
def signing_key() -> bytes:
    settings = get_settings()
    if settings.jwt_secret is not None:
        key = settings.jwt_secret.get_secret_value().encode()
    else:
        key = _read_secret(settings.jwt_secret_arn or "", settings.aws_region).encode()
    if len(key) < MIN_SIGNING_KEY_BYTES:
        raise ConfigurationError(f"the JWT signing key must be at least {MIN_SIGNING_KEY_BYTES} bytes")
    return key


def _read_secret(secret_id: str, region: str) -> str:
    # botocore (already there for PynamoDB) rather than boto3: one less import on cold start.
    import botocore.session

    client = botocore.session.get_session().create_client("secretsmanager", region_name=region)
    secret: str = client.get_secret_value(SecretId=secret_id)["SecretString"]
    return secret.strip()
