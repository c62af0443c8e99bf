"""The async engine and the unit of work that the request boundary owns."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Executable, Row, event, text
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from global_chat.settings import Settings


def create_engine(settings: Settings) -> AsyncEngine:
    url = make_url(settings.async_database_url)
    if url.get_backend_name() == "sqlite":
        ensure_sqlite_folder(settings)
        engine = create_async_engine(
            url,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            # sqlite3's busy handler: a writer waits for the lock instead of failing at once.
            connect_args={"timeout": settings.db_statement_timeout_ms / 1000},
        )
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        return engine
    connect_args: dict[str, Any] = {}
    if url.get_backend_name() == "postgresql":
        connect_args = {
            "timeout": settings.db_statement_timeout_ms / 1000,
            "command_timeout": settings.db_statement_timeout_ms / 1000,
            "server_settings": {"statement_timeout": str(settings.db_statement_timeout_ms)},
        }
    return create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        # No pre-ping (it would cost a round trip per request): a connection that died with the
        # server fails one request with a 503 and SQLAlchemy then discards the whole stale pool.
        pool_timeout=settings.db_statement_timeout_ms / 1000,
        connect_args=connect_args,
    )


def upsert_statement(db: AsyncSession, table: Any) -> Any:
    """INSERT with this dialect's ON CONFLICT clauses (PostgreSQL's or SQLite's: the same API)."""
    insert = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
    return insert(table)


def ensure_sqlite_folder(settings: Settings) -> None:
    """SQLite creates the file but not its folder (the default lives under var/)."""
    url = make_url(settings.async_database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_sqlite_reader(settings: Settings) -> Engine | None:
    """For SQLite, a synchronous engine for single-statement reads (None for other databases).

    aiosqlite runs every call on a thread of its own; the hand-offs cost more than an indexed read
    of a local file, which in WAL mode never waits for a writer. So reads of the hot path run
    directly on the event loop; every write keeps the async engine (a write may wait for the lock).
    """
    url = make_url(settings.async_database_url)
    if url.get_backend_name() != "sqlite":
        return None
    engine = create_sync_engine(
        url.set(drivername="sqlite"),
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        # One event loop thread uses it, but test clients run apps on a thread of their own.
        connect_args={"timeout": 1.0, "check_same_thread": False},
    )
    event.listen(engine, "connect", _sqlite_on_connect)
    return engine


class Database:
    def __init__(self, settings: Settings) -> None:
        self.engine = create_engine(settings)
        self._sqlite_reader = create_sqlite_reader(settings)
        self._sqlite_writer: AbstractAsyncContextManager[Any] = (
            asyncio.Lock() if self._sqlite_reader is not None else nullcontext()
        )
        self._probe_timeout = settings.db_statement_timeout_ms / 1000
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self._autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: committed when the block succeeds, rolled back when it raises.

        On SQLite, one at a time per process: SQLite has one writer anyway, and writers queued here
        (first come, first served) are served in order, where writers left to SQLite's busy handler
        poll with growing sleeps, starve each other and time out under load. Other processes on the
        same file still wait through the busy timeout.
        """
        async with self._sqlite_writer, self._sessions() as session, session.begin():
            yield session

    async def read_one(self, statement: Executable, parameters: dict[str, Any]) -> Row[Any] | None:
        """The first row of one read, outside any transaction: one round trip, no BEGIN/COMMIT."""
        if self._sqlite_reader is not None:
            with self._sqlite_reader.connect() as connection:
                return connection.execute(statement, parameters).first()
        async with self._autocommit.connect() as connection:
            return (await connection.execute(statement, parameters)).first()

    async def readiness(self, expected_revision: str) -> str | None:
        """None when the database answers and its schema is at `expected_revision`; else what is wrong."""
        try:
            async with asyncio.timeout(self._probe_timeout), self.engine.connect() as connection:
                current = await connection.scalar(text("SELECT version_num FROM alembic_version"))
        except Exception as exc:  # any failure means "not ready"; the reason is for the operator
            return f"database unreachable ({type(exc).__name__})"
        if current != expected_revision:
            return f"migrations not current (database at {current}, code expects {expected_revision})"
        return None

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self._sqlite_reader is not None:
            self._sqlite_reader.dispose()
