"""Configuration from the environment, validated once at cold start.

Each field is read from the environment variable of its name in any case (`TABLE_NAME` for
`table_name`), with pydantic's own conversions ("true"/"false", numbers); unknown variables are
ignored and keyword arguments take precedence over the environment. (A plain pydantic model:
pydantic-settings cost every cold start 12-14 ms of imports for this.)
"""

import os
from functools import cache
from typing import Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

# HS512's digest is 64 bytes; RFC 7518 §3.2 wants a key at least that long.
MIN_SIGNING_KEY_BYTES = 64


def environment_values() -> dict[str, str]:
    """The environment, with lowercase names (the fields' names)."""
    return {name.lower(): value for name, value in os.environ.items()}


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore")

    def __init__(self, **values: Any) -> None:
        super().__init__(**{**environment_values(), **values})

    table_name: str = Field(min_length=3, max_length=255)
    stage: str = "dev"
    aws_region: str = "us-east-1"
    # Only for `sam local` against DynamoDB Local; deployed functions use the regional endpoint.
    dynamodb_endpoint: str | None = None

    # Exactly one of these: the secret itself (tests, `sam local`), a file holding it (the local
    # run, so `make rotate-key` can rotate it) or where to read it (deployed).
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
    # Brute force (gatehouse.services.lockouts): failed sign-ins (or reset/verification tokens,
    # app tokens) per account and client within 15 minutes before that client is locked out,
    # and the far higher count, from all clients together, that locks the account itself.
    lockout_threshold: int = Field(default=10, ge=1, le=1000)
    lockout_account_ceiling: int = Field(default=100, ge=1, le=100_000)
    # A refreshed B token presented again within this many seconds (a client's concurrent
    # retry) gets a fresh token of the same family; later, the whole family is revoked.
    refresh_grace_seconds: int = Field(default=10, ge=0, le=300)
    # Refuse the 10,000 most common passwords wherever a password is set.
    reject_common_passwords: bool = False
    # How long a container keeps the signing keys before reading the secret again.
    signing_key_cache_seconds: int = Field(default=300, ge=0, le=3600)
    jwt_secret_file: str | None = None
    # Where the links in mail point (`{token}` is replaced); empty: Gatehouse's own /links pages.
    reset_url_template: str = ""
    verify_url_template: str = ""
    # False: the first sign-up on a fresh stack is a plain user; `gatehouse bootstrap-super` names the super.
    allow_anonymous_super: bool = True

    @field_validator("reset_url_template", "verify_url_template")
    @classmethod
    def _has_token_placeholder(cls, value: str) -> str:
        if value and ("{token}" not in value or not value.startswith(("https://", "http://"))):
            raise ValueError("must be an http(s) URL containing {token}")
        return value

    @field_validator("jwt_secret", "jwt_secret_arn", "jwt_secret_file", "dynamodb_endpoint", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # Templates declare every variable, so "not set" often arrives as "".
        return None if value == "" else value

    @model_validator(mode="after")
    def _one_signing_key_source(self) -> Self:
        sources = (self.jwt_secret, self.jwt_secret_arn, self.jwt_secret_file)
        if sum(source is not None for source in sources) != 1:
            raise ValueError("set exactly one of JWT_SECRET, JWT_SECRET_FILE and JWT_SECRET_ARN")
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
