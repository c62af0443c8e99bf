"""Alembic, driven from code: `global-chat migrate` and the test fixtures call this."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from global_chat.settings import Settings
from global_chat.storage.engine import ensure_sqlite_folder, pooler_connect_args

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(settings: Settings) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = settings.async_database_url
    # Behind PgBouncer the migrations run through it too: they are one transaction (so one server
    # connection, which also holds the advisory lock), with the driver set up as for the service.
    config.attributes["connect_args"] = pooler_connect_args(settings)
    return config


def upgrade(settings: Settings, revision: str = "head") -> None:
    """Bring the schema to `revision`; idempotent. Must not be called from a running event loop."""
    ensure_sqlite_folder(settings)
    command.upgrade(alembic_config(settings), revision)
