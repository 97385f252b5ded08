"""Configuration from the environment, validated once at cold start."""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# HS512's digest is 64 bytes; RFC 7518 §3.2 wants a key at least that long.
MIN_SIGNING_KEY_BYTES = 64


class Settings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    table_name: str = Field(min_length=3, max_length=255)
    stage: str = "dev"
    aws_region: str = Field(default="us-east-1", validation_alias="AWS_REGION")
    # Only for `sam local` against DynamoDB Local; deployed functions use the regional endpoint.
    dynamodb_endpoint: str | None = None

    # Exactly one of these: the secret itself (local run, tests) or where to read it (deployed).
    jwt_secret: SecretStr | None = None
    jwt_secret_arn: str | None = None
    jwt_issuer: str = "gatehouse"
    access_token_ttl_seconds: int = Field(default=3600, ge=60, le=86_400)
    goncord_token_ttl_seconds: int = Field(default=14 * 86_400, ge=60, le=90 * 86_400)
    token_leeway_seconds: int = Field(default=10, ge=0, le=300)

    require_verified_email: bool = False
    mail_transport: Literal["ses", "outbox"] = "ses"
    mail_from: str = "no-reply@example.com"
    outbox_dir: str = ".local/outbox"
    public_base_url: str = ""
    userpic_bucket: str = ""
    log_level: str = "INFO"
    # Browser origins allowed to call the API (see gatehouse.web.cors); empty: none.
    allowed_origins: str = ""
    # Requests per minute per client on the Laravel surfaces (A, B, C); 0 turns the limit off.
    rate_limit_per_minute: int = Field(default=60, ge=0, le=100_000)
    # False: the first sign-up on a fresh stack is a plain user; `gatehouse bootstrap-super` names the super.
    allow_anonymous_super: bool = True

    @field_validator("jwt_secret", "jwt_secret_arn", "dynamodb_endpoint", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # Templates declare every variable, so "not set" often arrives as "".
        return None if value == "" else value

    @model_validator(mode="after")
    def _one_signing_key_source(self) -> Settings:
        if (self.jwt_secret is None) == (self.jwt_secret_arn is None):
            raise ValueError("set exactly one of JWT_SECRET and JWT_SECRET_ARN")
        secret = self.jwt_secret
        if secret is not None and len(secret.get_secret_value().encode()) < MIN_SIGNING_KEY_BYTES:
            raise ValueError(f"JWT_SECRET must be at least {MIN_SIGNING_KEY_BYTES} bytes")
        return self


class ConfigurationError(RuntimeError):
    """Raised at cold start when the environment cannot run Gatehouse."""


@cache
def get_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg']}" for e in error.errors()
        )
        raise ConfigurationError(f"invalid Gatehouse configuration: {problems}") from None
