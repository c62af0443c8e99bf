"""The unit of work: a transaction (what a service owns for a change) or single statements outside any
transaction (reads that need no isolation), over the engines of engine.py.

Repositories are written once against `Executor` and run either way, so "outside a transaction"
is a choice of the caller, never a second copy of a query.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager, nullcontext
from dataclasses import astuple, dataclass
from typing import Any, Protocol

from sqlalchemy import Connection, Dialect, Engine, Executable, Result, text
from sqlalchemy.pool import Pool, QueuePool

from global_chat.errors import DatabaseUnavailable
from global_chat.settings import DatabaseBackend, DbPooler, Settings
from global_chat.storage.engine import create_engine, create_sqlite_reader
from global_chat.storage.failures import pooler_misconfiguration

Parameters = Mapping[str, Any] | Sequence[Mapping[str, Any]] | None
"""A statement's values: one set, or a list of them."""


class Executor(Protocol):
    """What a repository needs: run a statement (on a transaction's connection or outside one)."""

    @property
    def dialect(self) -> Dialect: ...

    async def execute(self, statement: Executable, parameters: Parameters = None, /) -> Result[Any]:
        """`statement` with one set of `parameters`, or with a list of them (an INSERT of several rows: one
        multi-row INSERT, SQLAlchemy's "insertmanyvalues")."""
        ...


class _SyncExecutor:
    """A synchronous SQLite connection behind the async Executor interface (see create_sqlite_reader)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    @property
    def dialect(self) -> Dialect:
        return self._connection.dialect

    async def execute(self, statement: Executable, parameters: Parameters = None, /) -> Result[Any]:
        return self._connection.execute(statement, parameters)


@dataclass(frozen=True, slots=True)
class PoolStatus:
    """The connections of one process's pools (on SQLite: the engine's and the reader's, added up)."""

    max_connections: int
    """The most it may open: DB_POOL_SIZE + DB_MAX_OVERFLOW per pool."""
    size: int
    """Connections kept open once opened (DB_POOL_SIZE per pool)."""
    open: int
    """Open now, idle or in use."""
    checked_out: int
    """In use now."""
    overflow: int
    """Open now beyond `size` (closed again when returned)."""


def _pool_status(pool: Pool, max_overflow: int) -> PoolStatus:
    if not isinstance(pool, QueuePool):  # not ours: create_engine and create_sqlite_reader make QueuePools
        return PoolStatus(0, 0, 0, 0, 0)
    size, checked_out = pool.size(), pool.checkedout()
    opened = pool.checkedin() + checked_out
    return PoolStatus(size + max_overflow, size, opened, checked_out, max(opened - size, 0))


class Database:
    def __init__(self, settings: Settings) -> None:
        self.backend = settings.database_backend
        self.pooler = settings.db_pooler if self.backend is DatabaseBackend.POSTGRESQL else DbPooler.NONE
        self.engine = create_engine(settings)
        sqlite = self.backend is DatabaseBackend.SQLITE
        self._sqlite_reader = create_sqlite_reader(settings) if sqlite else None
        self._sqlite_writer: AbstractAsyncContextManager[Any] = asyncio.Lock() if sqlite else nullcontext()
        self._max_overflow = settings.db_max_overflow
        self._probe_timeout = settings.db_statement_timeout_ms / 1000
        self._retry_after = settings.db_unavailable_retry_after
        self._autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Executor]:
        """One unit of work: committed when the block succeeds, rolled back when it raises.

        On SQLite, one at a time per process: SQLite has one writer anyway, and writers queued here
        (first come, first served) are served in order, where writers left to SQLite's busy handler
        poll with growing sleeps, starve each other and time out under load. Other processes on the
        same file still wait through the busy timeout.
        """
        async with self._sqlite_writer, self._connected(self.engine.begin()) as connection:
            yield connection

    @asynccontextmanager
    async def outside_transaction(self) -> AsyncIterator[Executor]:
        """Statements that each stand alone (autocommit): one round trip for a read, no BEGIN/COMMIT."""
        if self._sqlite_reader is not None:
            with self._sqlite_reader.connect() as connection:
                yield _SyncExecutor(connection)
            return
        async with self._connected(self._autocommit.connect()) as connection:
            yield connection

    @asynccontextmanager
    async def _connected(self, connecting: AbstractAsyncContextManager[Any]) -> AsyncIterator[Any]:
        """`connecting` entered, a failure to connect (the driver's OSError, or its connect timeout: the
        server is down, refusing or too slow) raised as DatabaseUnavailable; errors inside the block pass
        as they are (failures.py judges them)."""
        stack = AsyncExitStack()
        try:
            connection = await stack.enter_async_context(connecting)
        except (OSError, TimeoutError) as exc:
            raise DatabaseUnavailable(retry_after=self._retry_after) from exc
        async with stack:
            yield connection

    async def readiness(self, expected_revision: str) -> str | None:
        """None when the database answers and its schema is at `expected_revision`; else what is wrong."""
        try:
            async with asyncio.timeout(self._probe_timeout), self.engine.connect() as connection:
                current = await connection.scalar(text("SELECT version_num FROM alembic_version"))
        except Exception as exc:  # any failure means "not ready"; the reason is for the operator
            return pooler_misconfiguration(exc) or f"database unreachable ({type(exc).__name__})"
        if current != expected_revision:
            return f"migrations not current (database at {current}, code expects {expected_revision})"
        return None

    async def misconfiguration(self) -> str | None:
        """Connect once: what the connection reveals about the settings (an undeclared pooler), else None;
        None too when the database cannot be reached (at start-up that is an outage, /readyz's business)."""
        if self.backend is not DatabaseBackend.POSTGRESQL:
            return None
        try:
            async with asyncio.timeout(self._probe_timeout), self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as exc:  # only a misconfiguration is an answer here
            return pooler_misconfiguration(exc)
        return None

    def sync_engines(self) -> list[Engine]:
        """The engines statements run on: the async engine's `sync_engine`, and SQLite's reader."""
        return [self.engine.sync_engine, *([self._sqlite_reader] if self._sqlite_reader is not None else [])]

    def pool_status(self) -> PoolStatus:
        """This process's connections now (cheap: counters of the pool, no I/O)."""
        statuses = [_pool_status(self.engine.sync_engine.pool, self._max_overflow)]
        if self._sqlite_reader is not None:
            statuses.append(_pool_status(self._sqlite_reader.pool, self._max_overflow))
        return PoolStatus(*(sum(values) for values in zip(*(astuple(s) for s in statuses), strict=True)))

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self._sqlite_reader is not None:
            self._sqlite_reader.dispose()
