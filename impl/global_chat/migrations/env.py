"""Alembic environment: runs the migrations over the service's async engine.

The database URL and the driver's arguments come from `config.attributes` (set by global_chat.storage.migrate).
On PostgreSQL an advisory lock makes concurrent `global-chat migrate` runs take turns: a transaction-level
lock, taken in the one transaction all migrations run in, so it also holds behind PgBouncer in transaction
mode (a session-level lock would stay on a server connection that PgBouncer hands to other clients).
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from global_chat.storage.engine import HIDE_PARAMETERS
from global_chat.storage.tables import Base

MIGRATION_LOCK_KEY = 7_461_229_001  # arbitrary, constant: pg_advisory_lock key of this service


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        context.run_migrations()


async def _main() -> None:
    attributes = context.config.attributes
    engine = create_async_engine(
        attributes["database_url"],
        poolclass=pool.NullPool,
        hide_parameters=HIDE_PARAMETERS,
        connect_args=attributes.get("connect_args", {}),
    )
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
    finally:
        await engine.dispose()


asyncio.run(_main())
