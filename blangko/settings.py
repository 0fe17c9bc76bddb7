"""Configuration from the environment (``BLANGKO_*``), read once through ``get_settings()``."""

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BLANGKO_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///blangko.db",
        description="SQLAlchemy URL; PostgreSQL as postgresql+psycopg://user:pass@host/db",
    )
    secret_key: str = Field(
        default="dev-only-change-me-0123456789abcdef",
        description="Signs access tokens and session cookies; set a long random value in production",
    )
    smtp_url: str | None = Field(
        default=None, description="smtp://, smtp+starttls:// or smtps://user:pass@host:port"
    )
    mail_from: str = "Blangko <blangko@localhost>"
    lead_time_days: int = 21
    safety_days: int = 14
    nightly_cron: str = "0 2 * * *"
    token_minutes: int = 480
    sql_echo: bool = False


@lru_cache
def get_settings() -> Settings:
    return Settings()
