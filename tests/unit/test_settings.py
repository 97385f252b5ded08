"""Settings are validated at cold start, with a message that says what is wrong."""

from __future__ import annotations

import pytest

from gatehouse.settings import ConfigurationError, Settings, get_settings

KEY = "k" * 64


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("TABLE_NAME", "JWT_SECRET", "JWT_SECRET_ARN", "JWT_SECRET_FILE"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_a_missing_table_name_fails_with_a_clear_message(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("JWT_SECRET", KEY)
    with pytest.raises(ConfigurationError, match="table_name"):
        get_settings.__wrapped__()


def test_a_short_signing_key_is_refused(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("TABLE_NAME", "gatehouse-test")
    clean_environment.setenv("JWT_SECRET", "short")
    with pytest.raises(ConfigurationError, match="at least 64 bytes"):
        get_settings.__wrapped__()


def test_exactly_one_signing_key_source_is_required(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("TABLE_NAME", "gatehouse-test")
    with pytest.raises(ConfigurationError, match="exactly one"):
        get_settings.__wrapped__()
    clean_environment.setenv("JWT_SECRET", KEY)
    clean_environment.setenv("JWT_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:1:secret:x")
    with pytest.raises(ConfigurationError, match="exactly one"):
        get_settings.__wrapped__()


def test_blank_variables_declared_by_the_template_count_as_unset(
    clean_environment: pytest.MonkeyPatch,
) -> None:
    clean_environment.setenv("TABLE_NAME", "gatehouse-test")
    clean_environment.setenv("JWT_SECRET", "")
    clean_environment.setenv("JWT_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:1:secret:x")
    settings = Settings()
    assert settings.jwt_secret is None
    assert settings.dynamodb_endpoint is None


SECURITY_SETTINGS = (
    "lockout_threshold",
    "lockout_account_ceiling",
    "refresh_grace_seconds",
    "reject_common_passwords",
    "signing_key_cache_seconds",
    "jwt_secret_file",
)


def test_every_security_setting_is_declared_in_the_templates_environment() -> None:
    from gatehouse_local.template import load_template

    declared = load_template()["Globals"]["Function"]["Environment"]["Variables"]
    assert set(SECURITY_SETTINGS) <= set(Settings.model_fields)
    assert {name.upper() for name in SECURITY_SETTINGS} <= set(declared)


def test_common_passwords_are_refused_only_where_samconfig_turns_it_on() -> None:
    import tomllib

    from gatehouse_local.template import REPO_ROOT

    config = tomllib.loads((REPO_ROOT / "samconfig.toml").read_text())
    overrides = {
        env: config[env]["deploy"]["parameters"]["parameter_overrides"]
        for env in ("default", "staging", "prod")
    }
    assert 'RejectCommonPasswords="true"' in overrides["staging"]
    assert 'RejectCommonPasswords="true"' in overrides["prod"]
    assert "RejectCommonPasswords" not in overrides["default"]
    assert Settings.model_fields["reject_common_passwords"].default is False
