"""One typed settings object, read once at start-up from the environment (and `.env`)."""

from __future__ import annotations

import ipaddress
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from global_chat.origins import origin_of, parse_origin

DEFAULT_DATABASE_PATH = Path("var") / "global-chat.db"


class AuthMode(StrEnum):
    NONE = "none"
    """Every request is the well-known anonymous user of the default organization (local development)."""
    KEYS = "keys"
    """API keys and HS256 JWTs are required."""


class DatabaseBackend(StrEnum):
    """The store DATABASE_URL names, decided once from its scheme (Settings.database_backend)."""

    SQLITE = "sqlite"
    """The embedded default: one file, one machine."""
    POSTGRESQL = "postgresql"
    """The scale-out store: any number of stateless processes against one database."""


class DbPooler(StrEnum):
    """What DATABASE_URL points at, on PostgreSQL."""

    NONE = "none"
    """PostgreSQL itself: prepared statements are kept per connection, statement_timeout is set at connect."""
    PGBOUNCER = "pgbouncer"
    """A connection pooler that hands each transaction to any server connection (PgBouncer in transaction
    mode, or any mode): no statement outlives its round trip, no startup parameter it would refuse."""


class SettingsError(ValueError):
    """A setting that would make the service unsafe or unable to start."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    database_url: str = Field(
        default=f"sqlite+aiosqlite:///{DEFAULT_DATABASE_PATH}",
        description="SQLAlchemy URL; plain sqlite:// and postgresql:// URLs get their async driver.",
    )
    api_base_url: str = Field(default="http://127.0.0.1:8080", description="Base of self_url links.")
    ui_base_url: str = Field(default="http://127.0.0.1:8080", description="Base of view_url / ui_link links.")
    ui_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description="Origins of the web UI, comma-separated (https://app.example.com,https://admin.example.com): "
        "CORS with credentials, and where requests authenticated by the access_token cookie may come from. "
        "Default: the origin of UI_BASE_URL.",
    )
    auth_mode: AuthMode = AuthMode.NONE
    allow_insecure_bind: bool = Field(
        default=False, description="Allow AUTH_MODE=none on a non-loopback address (never in production)."
    )
    jwt_secret: SecretStr | None = Field(
        default=None, description="HS256 secret of bearer JWTs; required (32+ bytes) with AUTH_MODE=keys."
    )
    api_key_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        description="How long a verified API key is trusted without asking the database; a revocation "
        "takes up to this long to reach a running server (0: ask every time).",
    )
    api_key_cache_size: int = Field(default=10_000, ge=1)
    response_validation: bool = Field(
        default=False, description="Validate every response against the contract (on in tests and contract runs)."
    )
    max_body_bytes: int = Field(default=64 * 1024, ge=1, description="Largest request body accepted (413 above).")
    # The HTTP server's bounds (web/http_protocol.py), per worker process.
    http_max_header_bytes: int = Field(
        default=16 * 1024, ge=1024, description="Largest request line and headers accepted (431 above)."
    )
    http_header_timeout: float = Field(
        default=10.0, gt=0, description="Seconds a client has to send a request head (408 and close after)."
    )
    http_body_timeout: float = Field(
        default=30.0, gt=0, description="Seconds a client has to send a request body after its head (closed after)."
    )
    http_keep_alive_timeout: int = Field(
        default=5, ge=1, description="Seconds an idle kept-alive connection stays open."
    )
    http_max_connections: int = Field(
        default=1000, ge=1, description="Concurrent connections per worker; one more is answered 503 and closed."
    )
    chat_create_rate_limit: int = Field(
        default=60, ge=0, description="Global chat sessions an organization may create per minute (0: unlimited)."
    )
    chat_create_rate_limit_per_user: int = Field(
        default=5,
        ge=0,
        description="Global chat sessions one user may create per minute in an organization (0: unlimited), so "
        "that one user deleting and re-creating cannot spend the organization's budget.",
    )
    # One budget of 20 connections per process, all of them kept once opened: connections beyond the pool
    # are opened for one request and closed after it, and under load that churn cost the hot path a new
    # PostgreSQL connection every ~14 requests (docs/deploying.md: sizing).
    db_pool_size: int = Field(default=20, ge=1, description="Connections a process keeps open once opened.")
    db_max_overflow: int = Field(
        default=0, ge=0, description="Connections a process may open beyond DB_POOL_SIZE, each closed after use."
    )
    db_statement_timeout_ms: int = Field(default=5000, ge=100)
    db_pooler: DbPooler = Field(
        default=DbPooler.NONE,
        description="pgbouncer when DATABASE_URL is a PgBouncer (or a pooler like it) rather than PostgreSQL itself.",
    )
    db_unavailable_retry_after: int = Field(default=5, ge=1, description="Retry-After (s) sent with a 503.")
    log_level: str = "INFO"

    @field_validator("api_base_url", "ui_base_url")
    @classmethod
    def _strip_trailing_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")) or origin_of(value) is None:
            raise ValueError("must be an absolute http(s) URL")
        return value.rstrip("/")

    @field_validator("ui_origins", mode="before")
    @classmethod
    def _parse_origins(cls, value: Any) -> Any:
        """A comma-separated list (the environment's form) or a sequence; each must be exactly an origin: a
        wildcard would let every site act with the logged-in user's cookie."""
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list | tuple):
            return tuple(parse_origin(str(origin)) for origin in value)
        return value

    @model_validator(mode="after")
    def _keys_mode_needs_a_secret(self) -> Settings:
        if self.auth_mode is AuthMode.KEYS:
            secret = self.jwt_secret.get_secret_value() if self.jwt_secret else ""
            if len(secret.encode()) < 32:
                raise ValueError(
                    "AUTH_MODE=keys needs JWT_SECRET of at least 32 bytes "
                    "(e.g. JWT_SECRET=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))'))"
                )
        return self

    @model_validator(mode="after")
    def _a_backend_we_serve(self) -> Settings:
        self.database_backend  # noqa: B018 - computed once here, so that a wrong DATABASE_URL stops the start
        return self

    @model_validator(mode="after")
    def _pooler_needs_postgresql(self) -> Settings:
        if self.db_pooler is not DbPooler.NONE and self.database_backend is not DatabaseBackend.POSTGRESQL:
            raise ValueError(
                f"DB_POOLER={self.db_pooler.value} is for a PostgreSQL DATABASE_URL (a PgBouncer in front of "
                "PostgreSQL); this DATABASE_URL is not one: unset DB_POOLER or fix DATABASE_URL"
            )
        return self

    @cached_property
    def async_database_url(self) -> str:
        """DATABASE_URL with the async driver this service uses."""
        url = self.database_url
        for plain, driver in (
            ("sqlite://", "sqlite+aiosqlite://"),
            ("postgresql://", "postgresql+asyncpg://"),
            ("postgres://", "postgresql+asyncpg://"),
        ):
            if url.startswith(plain):
                return driver + url.removeprefix(plain)
        return url

    @cached_property
    def database_backend(self) -> DatabaseBackend:
        """SQLite or PostgreSQL, from DATABASE_URL's scheme; anything else is refused at start-up."""
        try:
            name = make_url(self.async_database_url).get_backend_name()
        except ArgumentError:
            name = ""
        try:
            return DatabaseBackend(name)
        except ValueError:
            raise ValueError(
                "DATABASE_URL must be a SQLite (sqlite:///path) or PostgreSQL (postgresql://...) URL"
            ) from None

    @property
    def allowed_ui_origins(self) -> tuple[str, ...]:
        """UI_ORIGINS, or else the origin of UI_BASE_URL."""
        return self.ui_origins or (str(origin_of(self.ui_base_url)),)

    def check_bind(self, host: str) -> None:
        """Refuse to serve the anonymous mode beyond this machine unless explicitly forced."""
        if self.auth_mode is not AuthMode.NONE or self.allow_insecure_bind:
            return
        if host == "localhost":
            return
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise SettingsError(
                f"AUTH_MODE=none serves every caller as the anonymous user; refusing to listen on {host}. "
                "Use AUTH_MODE=keys, bind 127.0.0.1, or set ALLOW_INSECURE_BIND=true to force it."
            )
