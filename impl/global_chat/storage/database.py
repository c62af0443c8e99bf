"""The async engine and the two ways to talk to the database: a transaction (the unit of work a
service owns) or single statements outside any transaction (reads that need no isolation).

Repositories are written once against `Executor` and run either way, so "outside a transaction"
is a choice of the caller, never a second copy of a query.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager, nullcontext
from dataclasses import fields
from pathlib import Path
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection, Dialect, Engine, Executable, Result, event, text
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from global_chat.errors import DatabaseUnavailable
from global_chat.settings import Settings


class Executor(Protocol):
    """What a repository needs: run a statement (on a transaction's connection or outside one)."""

    @property
    def dialect(self) -> Dialect: ...

    async def execute(self, statement: Executable, parameters: Mapping[str, Any] | None = None, /) -> Result[Any]: ...


# SQLSTATEs (PostgreSQL, Appendix A) that say "not now" rather than "wrong": asyncpg raises them as
# plain PostgresErrors, which SQLAlchemy wraps as a DBAPIError of no more specific class.
UNAVAILABLE_SQLSTATE_CLASSES = ("08",)  # connection exception: the connection failed or was lost
UNAVAILABLE_SQLSTATES = frozenset(
    {
        "53300",  # too_many_connections
        "57014",  # query_canceled: statement_timeout, or a cancel request
        "57P01",  # admin_shutdown: the server is shutting down (or an administrator ended the session)
        "57P02",  # crash_shutdown: another server process crashed
        "57P03",  # cannot_connect_now: the server is starting up or in recovery
    }
)


def is_unavailable(exc: BaseException) -> bool:
    """True when `exc` says the database cannot be reached or used right now (as opposed to a wrong
    statement or a bug), so the caller may retry later: the one place that decides it.

    Connection-level errors of the driver and of the pool, a timeout (asyncpg's `command_timeout`
    raises the builtin TimeoutError), and the server's own "not now" SQLSTATEs, found on the error
    itself, on the driver error SQLAlchemy wraps (`orig`) or on what that was raised from."""
    if isinstance(exc, (OperationalError, InterfaceError, PoolTimeout, TimeoutError)):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    sqlstate = _sqlstate(exc)
    return sqlstate is not None and (sqlstate in UNAVAILABLE_SQLSTATES or sqlstate[:2] in UNAVAILABLE_SQLSTATE_CLASSES)


def _sqlstate(exc: BaseException) -> str | None:
    seen: BaseException | None = exc
    for _ in range(4):  # the error, SQLAlchemy's `orig`, the driver's own cause: never a long chain
        if seen is None:
            return None
        sqlstate = getattr(seen, "sqlstate", None)
        if isinstance(sqlstate, str):
            return sqlstate
        seen = getattr(seen, "orig", None) or seen.__cause__
    return None


# A statement's parameters (titles, tags, key hashes, ...) never go into an error's text, so never into
# a log line: a failure logs the SQL with its placeholders only.
HIDE_PARAMETERS = True


def create_engine(settings: Settings) -> AsyncEngine:
    url = make_url(settings.async_database_url)
    if url.get_backend_name() == "sqlite":
        ensure_sqlite_folder(settings)
        engine = create_async_engine(
            url,
            hide_parameters=HIDE_PARAMETERS,
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
        hide_parameters=HIDE_PARAMETERS,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        # No pre-ping (it would cost a round trip per request): a connection that died with the
        # server fails one request with a 503 and SQLAlchemy then discards the whole stale pool.
        pool_timeout=settings.db_statement_timeout_ms / 1000,
        connect_args=connect_args,
    )


Record = TypeVar("Record")


def record(cls: type[Record], row: Any, **converted: Any) -> Record:
    """The frozen dataclass `cls` from the columns of `row` named like its fields (`converted`
    replaces some of them)."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(field.name for field in fields(cls))  # type: ignore[arg-type]
    columns = row._mapping
    return cls(**{name: columns[name] for name in names} | converted)


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def insert_statement(executor: Executor, table: Any) -> Any:
    """INSERT with this dialect's ON CONFLICT clauses (PostgreSQL's or SQLite's: the same API)."""
    insert = postgresql.insert if executor.dialect.name == "postgresql" else sqlite.insert
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
    """For SQLite, a synchronous engine for reads outside a transaction (None for other databases).

    aiosqlite runs every call on a thread of its own; the hand-offs cost more than an indexed read
    of a local file, which in WAL mode never waits for a writer. So those reads run directly on the
    event loop; every transaction keeps the async engine (a write may wait for the lock).
    """
    url = make_url(settings.async_database_url)
    if url.get_backend_name() != "sqlite":
        return None
    engine = create_sync_engine(
        url.set(drivername="sqlite"),
        hide_parameters=HIDE_PARAMETERS,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        # One event loop thread uses it, but test clients run apps on a thread of their own.
        connect_args={"timeout": 1.0, "check_same_thread": False},
    )
    event.listen(engine, "connect", _sqlite_on_connect)
    return engine


class _SyncExecutor:
    """A synchronous SQLite connection behind the async Executor interface (see create_sqlite_reader)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    @property
    def dialect(self) -> Dialect:
        return self._connection.dialect

    async def execute(self, statement: Executable, parameters: Mapping[str, Any] | None = None, /) -> Result[Any]:
        return self._connection.execute(statement, parameters)


class Database:
    def __init__(self, settings: Settings) -> None:
        self.engine = create_engine(settings)
        self._sqlite_reader = create_sqlite_reader(settings)
        self._sqlite_writer: AbstractAsyncContextManager[Any] = (
            asyncio.Lock() if self._sqlite_reader is not None else nullcontext()
        )
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
        """`connecting` entered, a failure to connect (the driver's OSError or timeout: the server is
        down, refusing or too slow) raised as DatabaseUnavailable; errors inside the block pass as they are."""
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
            return f"database unreachable ({type(exc).__name__})"
        if current != expected_revision:
            return f"migrations not current (database at {current}, code expects {expected_revision})"
        return None

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self._sqlite_reader is not None:
            self._sqlite_reader.dispose()
