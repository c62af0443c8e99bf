"""The migrations and storage/tables.py describe the same schema: after `upgrade head`, Alembic's
autogenerate finds nothing to write (what `make migration` would write is empty), on both stores."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, MetaData, String
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from global_chat.settings import Settings
from global_chat.storage.tables import Base

pytestmark = pytest.mark.anyio


def pending(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": True})
    return list(compare_metadata(context, Base.metadata))


async def test_the_migrated_schema_is_the_tables(settings: Settings) -> None:
    engine = create_async_engine(settings.async_database_url)
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(pending)
    finally:
        await engine.dispose()

    assert differences == []


async def test_a_column_the_migrations_lack_would_be_found(settings: Settings) -> None:
    """The check above can fail: a column only the tables have is a difference."""
    tables = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(tables)
    tables.tables["sessions"].append_column(Column("summary", String(200), nullable=True))
    engine = create_async_engine(settings.async_database_url)
    try:
        async with engine.connect() as connection:
            context = await connection.run_sync(
                lambda sync: list(compare_metadata(MigrationContext.configure(sync), tables))
            )
    finally:
        await engine.dispose()

    assert [(kind, column.name) for kind, _, _, column in context] == [("add_column", "summary")]
