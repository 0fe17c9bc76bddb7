"""Configuration from the environment (``BLANGKO_*``), read once through ``get_settings()``."""

import ipaddress
from functools import cached_property, lru_cache
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from blangko.secret_key import resolve_secret_key


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BLANGKO_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///blangko.db",
        description="SQLAlchemy URL; PostgreSQL as postgresql+psycopg://user:pass@host/db",
    )
    secret_key: str | None = Field(
        default=None,
        description="Signs access tokens and session cookies (at least 32 bytes). Unset: on "
        "SQLite a random key kept beside the database; on PostgreSQL the server refuses to "
        "start. Read it through secret_key(), never this field.",
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default=[],
        description="Addresses or networks (comma-separated) whose X-Forwarded-For and "
        "X-Forwarded-Proto headers are believed; none by default",
    )
    https: bool = Field(
        default=False,
        description="Served over https (cookies Secure, HSTS) even when no trusted proxy says so",
    )
    smtp_url: str | None = Field(
        default=None, description="smtp://, smtp+starttls:// or smtps://user:pass@host:port"
    )
    mail_from: str = "Blangko <blangko@localhost>"
    lead_time_days: int = 21
    safety_days: int = 14
    nightly_cron: str = "0 2 * * *"
    procurement_lead_days: int = Field(
        default=60,
        ge=1,
        description="Days from ordering a tranche of blanks from the producer to its arrival "
        "in national stock (the national forecast's order-by date)",
    )
    national_target_days: int = Field(
        default=45,
        ge=1,
        description="National stock should cover at least this many days of expected demand",
    )
    national_election_effect: bool = Field(
        default=False,
        description="Give the national demand model a regressor for the months before a "
        "general election (forecast/national.py: ELECTION_DAYS)",
    )
    token_minutes: int = 480
    sql_echo: bool = False

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        for entry in value if isinstance(value, list) else []:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError as error:
                raise ValueError(
                    f"BLANGKO_TRUSTED_PROXIES: '{entry}' bukan alamat IP atau jaringan "
                    "(contoh: 10.0.0.5,172.16.0.0/12)"
                ) from error
        return value

    @cached_property
    def secret(self) -> str:
        """The signing key, resolved once (see ``blangko.secret_key``)."""
        return resolve_secret_key(self.secret_key, self.database_url)


@lru_cache
def get_settings() -> Settings:
    return Settings()


def secret_key() -> str:
    """The one key that signs tokens and session cookies; raises ``SecretKeyError`` when
    none is usable."""
    return get_settings().secret
