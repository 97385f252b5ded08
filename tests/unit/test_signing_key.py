"""Deployed functions read the signing key from Secrets Manager."""

from __future__ import annotations

from pathlib import Path

from gatehouse.security import signing_key
from gatehouse_local.embedded_aws import MotoAws


def test_the_signing_key_is_read_from_secrets_manager(embedded_aws: MotoAws) -> None:
    key = "s" * 96
    secret = embedded_aws.client("secretsmanager").create_secret(Name="gatehouse/test/jwt", SecretString=key)
    assert signing_key.SecretsManagerSource(secret["ARN"], "us-east-1").read() == key


def test_a_plain_secret_is_one_legacy_key_and_the_json_form_holds_two() -> None:
    plain = signing_key.parse("p" * 64)
    assert plain == signing_key.KeyRing(signing_key.SigningKey("legacy", b"p" * 64))
    ring = signing_key.KeyRing(signing_key.SigningKey("b", b"b" * 64), signing_key.SigningKey("a", b"a" * 64))
    assert signing_key.parse(signing_key.serialize(ring)) == ring
    assert ring.find("a") == ring.previous
    assert ring.find("c") is None


def test_rotation_in_a_file_keeps_the_previous_key_and_drops_it_on_demand(tmp_path: Path) -> None:
    path = tmp_path / "jwt-secret"
    path.write_text("p" * 64)
    source = signing_key.FileSource(path)
    first = signing_key.rotate_signing_key(source)
    second = signing_key.rotate_signing_key(source)
    assert second.previous == first.current
    assert signing_key.parse(path.read_text()) == second
    assert signing_key.drop_previous_signing_key(source) == signing_key.KeyRing(second.current)
    assert len(second.current.key) >= 64
