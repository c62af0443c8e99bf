"""The async engine and the two ways to talk to the database: a transaction (the unit of work a
service owns) or single statements outside any transaction (reads that need no isolation).

Repositories are written once against `Executor` and run either way, so "outside a transaction"
is a choice of the caller, never a second copy of a query.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager, nullcontext
from dataclasses import astuple, dataclass, fields
from pathlib import Path
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection, Dialect, Engine, Executable, Result, event, text
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import Pool, QueuePool

from global_chat.errors import DatabaseMisconfigured, DatabaseUnavailable
from global_chat.settings import DbPooler, Settings


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

    Connection-level errors of the driver and of the pool, a statement that ran out of
    DB_STATEMENT_TIMEOUT_MS (PostgreSQL's statement_timeout, SQLSTATE 57014, or asyncpg's
    command_timeout, the only one behind a pooler: the builtin TimeoutError), and the server's own
    "not now" SQLSTATEs, found on the error itself, on the driver error SQLAlchemy wraps (`orig`) or on
    what that was raised from."""
    if isinstance(exc, (OperationalError, InterfaceError, PoolTimeout, TimeoutError)):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    sqlstate = _sqlstate(exc)
    return sqlstate is not None and (sqlstate in UNAVAILABLE_SQLSTATES or sqlstate[:2] in UNAVAILABLE_SQLSTATE_CLASSES)


def _error_chain(exc: BaseException, limit: int | None = None) -> Iterator[BaseException]:
    """`exc`, the driver error SQLAlchemy wraps in it (`orig`), what that was raised from, and so on
    (at most `limit` of them)."""
    error: BaseException | None = exc
    while error is not None and limit != 0:
        yield error
        limit = None if limit is None else limit - 1
        error = getattr(error, "orig", None) or error.__cause__


def _sqlstate(exc: BaseException) -> str | None:
    # the error, SQLAlchemy's `orig`, the driver's own cause: never a long chain
    for error in _error_chain(exc, limit=4):
        sqlstate = getattr(error, "sqlstate", None)
        if isinstance(sqlstate, str):
            return sqlstate
    return None


# A statement's parameters (titles, tags, key hashes, ...) never go into an error's text, so never into
# a log line: a failure logs the SQL with its placeholders only.
HIDE_PARAMETERS = True


UNDECLARED_POOLER = (
    "DATABASE_URL reaches PostgreSQL through a connection pooler such as PgBouncer ({evidence}), and DB_POOLER "
    "does not say so: set DB_POOLER=pgbouncer (see README, Deploying), or point DATABASE_URL at PostgreSQL itself"
)
_REFUSED_PARAMETER = re.compile(r"unsupported startup parameter: (\w+)")
# SQLSTATEs that only a pooler produces for us: we never name a prepared statement ourselves, so a named one
# that already exists or no longer exists was left or dropped by a server connection another client had.
POOLER_SQLSTATES = {"42P05": "prepared statement already exists", "26000": "prepared statement does not exist"}


def pooler_misconfiguration(exc: BaseException) -> str | None:
    """What `exc` (or the driver error it wraps) says about an undeclared pooler, for the operator; else None."""
    for error in _error_chain(exc):
        if isinstance(error, DatabaseMisconfigured):
            return error.detail
        sqlstate = getattr(error, "sqlstate", None)
        if sqlstate in POOLER_SQLSTATES:
            return UNDECLARED_POOLER.format(evidence=POOLER_SQLSTATES[sqlstate])
        refused = _REFUSED_PARAMETER.search(str(error))  # PgBouncer's answer to statement_timeout at connect
        if refused:
            return UNDECLARED_POOLER.format(evidence=f"it refused the startup parameter {refused[1]}")
    return None


def postgres_connect_args(settings: Settings) -> dict[str, Any]:
    """asyncpg's connection arguments: timeouts, and what DB_POOLER asks for (pooler_connect_args)."""
    timeout = settings.db_statement_timeout_ms / 1000
    args: dict[str, Any] = {"timeout": timeout, "command_timeout": timeout, **pooler_connect_args(settings)}
    if settings.db_pooler is DbPooler.NONE:
        args["server_settings"] = {"statement_timeout": str(settings.db_statement_timeout_ms)}
    # Behind a pooler no startup parameter: PgBouncer refuses those it does not track (unless its
    # ignore_startup_parameters lists them, and then it drops them). The statement timeout is then
    # asyncpg's command_timeout: on expiry asyncpg sends a cancel request, which PgBouncer forwards to the
    # server connection running the statement; a server-side limit is the role's (README, Deploying).
    return args


def pooler_connect_args(settings: Settings) -> dict[str, Any]:
    """asyncpg's arguments for DB_POOLER (the service's engine and the migrations' alike).

    Behind PgBouncer in transaction mode each transaction, and each statement outside one, may run on a
    different server connection, so nothing may rely on server state left by an earlier round trip. With
    its statement cache off, asyncpg names no prepared statement: it prepares unnamed ones and sends
    Parse again with every Bind/Execute/Sync, in the same round trip (asyncpg's `mark_unprepared`), so
    each statement is whole on whichever server connection runs it. SQLAlchemy's own prepared statement
    cache stays on: it keeps those statements' descriptions on the client, which saves the Describe round
    trip on re-use and leaves nothing on the server. Unique statement names (SQLAlchemy's
    `prepared_statement_name_func` recipe) were not enough: they cure "already exists", but a read outside
    a transaction can still be prepared on one server connection and executed on another ("does not
    exist"), and every name stays allocated on its server connection until PgBouncer closes it.
    """
    if settings.db_pooler is DbPooler.PGBOUNCER:
        return {"statement_cache_size": 0}
    return {}


def _refuse_undeclared_pooler(retry_after: int) -> Callable[[Any, Any], None]:
    """A pool `connect` listener for DB_POOLER=none on PostgreSQL: a connection whose session runs on another
    server process than the one it announced at connect (BackendKeyData) goes through a pooler, which
    hands out its own keys; its use would fail later and at random ("prepared statement ... already
    exists"), so it is refused now, with the reason. One round trip per new connection, none per request."""

    def check(dbapi_connection: Any, _record: Any) -> None:
        found: list[bytes] = []

        async def backend_pid(connection: Any) -> None:
            # COPY ... TO STDOUT runs over the simple query protocol: no prepared statement, named or not,
            # which a pooler could have mixed up before we know it is there.
            await connection.copy_from_query("SELECT pg_backend_pid()", output=_append_to(found))

        dbapi_connection.run_async(backend_pid)
        announced = dbapi_connection.driver_connection.get_server_pid()
        if b"".join(found).strip() != str(announced).encode():
            dbapi_connection.close()  # the pool never gets it, so nobody else would close it
            raise DatabaseMisconfigured(
                UNDECLARED_POOLER.format(evidence="its sessions do not run on the server process it announced"),
                retry_after=retry_after,
            )

    return check


def _append_to(chunks: list[bytes]) -> Callable[[bytes], Any]:
    async def append(chunk: bytes) -> None:
        chunks.append(chunk)

    return append


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
    postgres = url.get_backend_name() == "postgresql"
    engine = create_async_engine(
        url,
        hide_parameters=HIDE_PARAMETERS,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        # No pre-ping (it would cost a round trip per request): a connection that died with the
        # server fails one request with a 503 and SQLAlchemy then discards the whole stale pool.
        pool_timeout=settings.db_statement_timeout_ms / 1000,
        connect_args=postgres_connect_args(settings) if postgres else {},
    )
    if postgres and settings.db_pooler is DbPooler.NONE:
        # first: before the dialect's own set-up, which already prepares statements
        listener = _refuse_undeclared_pooler(settings.db_unavailable_retry_after)
        event.listen(engine.sync_engine.pool, "connect", listener, insert=True)
    return engine


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
        self.engine = create_engine(settings)
        self.backend = make_url(settings.async_database_url).get_backend_name()
        self.pooler = settings.db_pooler if self.backend == "postgresql" else DbPooler.NONE
        self._max_overflow = settings.db_max_overflow
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
            return pooler_misconfiguration(exc) or f"database unreachable ({type(exc).__name__})"
        if current != expected_revision:
            return f"migrations not current (database at {current}, code expects {expected_revision})"
        return None

    async def misconfiguration(self) -> str | None:
        """Connect once: what the connection reveals about the settings (an undeclared pooler), else None;
        None too when the database cannot be reached (at start-up that is an outage, /readyz's business)."""
        if self.backend != "postgresql":
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
