"""Engine construction: the async engine of the service (and of the migrations), the synchronous SQLite
reader, and what each backend and DB_POOLER need of the driver. The backend is Settings.database_backend,
decided once from DATABASE_URL; nothing here looks at the URL's scheme again."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from global_chat.errors import DatabaseMisconfigured
from global_chat.settings import DatabaseBackend, DbPooler, Settings
from global_chat.storage.failures import UNDECLARED_POOLER

# A statement's parameters (titles, tags, key hashes, ...) never go into an error's text, so never into
# a log line: a failure logs the SQL with its placeholders only.
HIDE_PARAMETERS = True


def create_engine(settings: Settings) -> AsyncEngine:
    """The service's engine: a pool of DB_POOL_SIZE (+ DB_MAX_OVERFLOW) connections with the timeouts of
    DB_STATEMENT_TIMEOUT_MS, set up for the backend (and, on PostgreSQL, for DB_POOLER)."""
    timeout = settings.db_statement_timeout_ms / 1000
    pool = {"pool_size": settings.db_pool_size, "max_overflow": settings.db_max_overflow}
    if settings.database_backend is DatabaseBackend.SQLITE:
        ensure_sqlite_folder(settings)
        engine = create_async_engine(
            settings.async_database_url,
            hide_parameters=HIDE_PARAMETERS,
            **pool,
            # sqlite3's busy handler: a writer waits for the lock instead of failing at once.
            connect_args={"timeout": timeout},
        )
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        return engine
    engine = create_async_engine(
        settings.async_database_url,
        hide_parameters=HIDE_PARAMETERS,
        **pool,
        # No pre-ping (it would cost a round trip per request): a connection that died with the
        # server fails one request with a 503 and SQLAlchemy then discards the whole stale pool.
        pool_timeout=timeout,
        connect_args=postgres_connect_args(settings),
    )
    event.listen(engine.sync_engine, "handle_error", _driver_timeout_as_operational_error)
    if settings.db_pooler is DbPooler.NONE:
        # first: before the dialect's own set-up, which already prepares statements
        listener = _refuse_undeclared_pooler(settings.db_unavailable_retry_after)
        event.listen(engine.sync_engine.pool, "connect", listener, insert=True)
    return engine


def _driver_timeout_as_operational_error(context: ExceptionContext) -> BaseException | None:
    """asyncpg raises the builtin TimeoutError when a statement outlives its command_timeout (the only
    statement timeout behind a pooler), and SQLAlchemy passes it on unwrapped. Seen here, on the engine's
    execution of a statement, it can only mean that the database did not answer in time: it becomes an
    OperationalError like every other "not now" of the driver (failures.is_unavailable), so that a
    TimeoutError raised anywhere else stays what it is."""
    if isinstance(context.original_exception, TimeoutError):
        return OperationalError(
            context.statement, context.parameters, context.original_exception, hide_parameters=HIDE_PARAMETERS
        )
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
    # server connection running the statement; a server-side limit is the role's (docs/pgbouncer.md).
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


def ensure_sqlite_folder(settings: Settings) -> None:
    """SQLite creates the file but not its folder (the default lives under var/)."""
    if settings.database_backend is not DatabaseBackend.SQLITE:
        return
    database = make_url(settings.async_database_url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_sqlite_reader(settings: Settings) -> Engine:
    """For SQLite, a synchronous engine for reads outside a transaction.

    aiosqlite runs every call on a thread of its own; the hand-offs cost more than an indexed read
    of a local file, which in WAL mode never waits for a writer. So those reads run directly on the
    event loop; every transaction keeps the async engine (a write may wait for the lock).
    """
    engine = create_sync_engine(
        make_url(settings.async_database_url).set(drivername="sqlite"),
        hide_parameters=HIDE_PARAMETERS,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        # One event loop thread uses it, but test clients run apps on a thread of their own.
        connect_args={"timeout": 1.0, "check_same_thread": False},
    )
    event.listen(engine, "connect", _sqlite_on_connect)
    return engine
