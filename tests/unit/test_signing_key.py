"""Deployed functions read the signing key from Secrets Manager."""

from __future__ import annotations

from gatehouse.security.signing_key import _read_secret
from gatehouse_local.embedded_aws import EmbeddedAws


def test_the_signing_key_is_read_from_secrets_manager(embedded_aws: EmbeddedAws) -> None:
    key = "s" * 96
    secret = embedded_aws.client("secretsmanager").create_secret(Name="gatehouse/test/jwt", SecretString=key)
    assert _read_secret(secret["ARN"], "us-east-1") == key
