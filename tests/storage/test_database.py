"""The engine and its pools: what DB_POOLER changes in the driver, the connection counts /metrics shows, a
pooler that the settings do not declare refused with the remedy, and the statement timeout behind one."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from global_chat.errors import DatabaseMisconfigured
from global_chat.settings import DatabaseBackend, DbPooler, Settings
from global_chat.storage.database import Database
from global_chat.storage.engine import postgres_connect_args
from global_chat.storage.failures import is_unavailable, pooler_misconfiguration
from scripts.pgbouncer_instance import PgBouncerInstance
from tests.fixtures.postgres import PostgresDatabases

pytestmark = [pytest.mark.anyio, pytest.mark.pgbouncer_backend]  # backends: tests/fixtures/app.py
POSTGRES_URL = "postgresql://app@db.internal:5432/global_chat"


def settings_for(pooler: DbPooler, **values: Any) -> Settings:
    return Settings(_env_file=None, database_url=POSTGRES_URL, db_pooler=pooler, **values)


def test_postgresql_itself_gets_the_statement_timeout_at_connect_and_cached_statements() -> None:
    args = postgres_connect_args(settings_for(DbPooler.NONE, db_statement_timeout_ms=1500))

    assert args["server_settings"] == {"statement_timeout": "1500"}
    assert args["command_timeout"] == args["timeout"] == 1.5
    assert "statement_cache_size" not in args  # asyncpg's named, server-side prepared statements


def test_behind_pgbouncer_no_statement_outlives_its_round_trip_and_no_startup_parameter_is_sent() -> None:
    args = postgres_connect_args(settings_for(DbPooler.PGBOUNCER, db_statement_timeout_ms=1500))

    assert args["statement_cache_size"] == 0
    assert "server_settings" not in args  # PgBouncer refuses startup parameters it does not track
    assert args["command_timeout"] == 1.5  # the statement timeout, enforced by the driver instead


async def test_pool_status_counts_connections_in_use_and_beyond_the_pool(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(db_pool_size=1, db_max_overflow=2)
    database = Database(settings)
    # SQLite: the engine's pool and the reader's
    pools = 2 if settings.database_backend is DatabaseBackend.SQLITE else 1
    try:
        async with database.engine.connect() as first, database.engine.connect() as second:
            await first.execute(text("SELECT 1"))
            await second.execute(text("SELECT 1"))
            busy = database.pool_status()
        idle = database.pool_status()
    finally:
        await database.dispose()

    assert (busy.max_connections, busy.size) == (pools * 3, pools * 1)
    assert (busy.open, busy.checked_out, busy.overflow) == (2, 2, 1)
    assert (idle.open, idle.checked_out, idle.overflow) == (1, 0, 0)  # the overflow connection is closed


@pytest.fixture
def private_pgbouncer(postgres: PostgresDatabases, postgres_url: str) -> Iterator[Callable[..., str]]:
    """Starts PgBouncers of this test's own (transaction mode, before the run's PostgreSQL), each with its
    settings; the URL of the test's database through it."""
    started: list[PgBouncerInstance] = []

    def start(**settings: str) -> str:
        started.append(PgBouncerInstance(postgres.admin_url, pool_size=4, settings=settings).create())
        return started[-1].url(make_url(postgres_url).database or "")

    yield start
    for bouncer in started:
        bouncer.destroy()


@pytest.mark.parametrize(
    ("pgbouncer_settings", "evidence"),
    [
        ({}, "refused the startup parameter statement_timeout"),
        # what asyncpg users are often told to add, so that the connection succeeds (the timeout is dropped)
        ({"ignore_startup_parameters": "statement_timeout"}, "do not run on the server process it announced"),
    ],
    ids=["pgbouncer refuses statement_timeout", "pgbouncer ignores statement_timeout"],
)
async def test_an_undeclared_pooler_is_refused_with_the_remedy(
    private_pgbouncer: Callable[..., str], pgbouncer_settings: dict[str, str], evidence: str
) -> None:
    database = Database(Settings(_env_file=None, database_url=private_pgbouncer(**pgbouncer_settings)))
    try:
        found = await database.misconfiguration()
        ready = await database.readiness("any")
        with pytest.raises(Exception) as raised:  # what a request meets; web/errors maps it to a 503
            async with database.outside_transaction() as executor:
                await executor.execute(text("SELECT 1"))
    finally:
        await database.dispose()

    for problem in (found, ready, pooler_misconfiguration(raised.value)):
        assert problem is not None and evidence in problem and "set DB_POOLER=pgbouncer" in problem, problem


async def test_postgresql_itself_is_not_mistaken_for_a_pooler(postgres_url: str) -> None:
    database = Database(Settings(_env_file=None, database_url=postgres_url))
    try:
        assert await database.misconfiguration() is None
    finally:
        await database.dispose()


async def test_the_pooler_setting_also_works_against_postgresql_itself(postgres_url: str) -> None:
    """DB_POOLER=pgbouncer costs round trips, never correctness: it may stay on when the pooler goes away."""
    database = Database(Settings(_env_file=None, database_url=postgres_url, db_pooler="pgbouncer"))
    try:
        async with database.transaction() as tx:
            await tx.execute(text("SELECT count(*) FROM sessions"))
        async with database.outside_transaction() as executor:
            assert (await executor.execute(text("SELECT 1"))).scalar() == 1
        assert await database.misconfiguration() is None
    finally:
        await database.dispose()


def test_a_misconfiguration_is_named_through_sqlalchemy_wrappers() -> None:
    class DriverError(Exception):
        sqlstate = "42P05"

    class Wrapped(Exception):
        orig = DriverError('prepared statement "__asyncpg_stmt_1__" already exists')

    assert "already exists" in (pooler_misconfiguration(Wrapped()) or "")
    assert pooler_misconfiguration(RuntimeError("an ordinary bug")) is None
    assert pooler_misconfiguration(DatabaseMisconfigured("the detail", retry_after=1)) == "the detail"


async def running_sleeps(admin_url: str) -> int:
    connection = await asyncpg.connect(admin_url, timeout=10)
    try:
        query = "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'SELECT pg_sleep%'"
        return int(await connection.fetchval(query))
    finally:
        await connection.close()


async def test_behind_pgbouncer_the_statement_timeout_cancels_the_statement_on_the_server(
    private_pgbouncer: Callable[..., str], postgres: PostgresDatabases
) -> None:
    url = private_pgbouncer()
    database = Database(Settings(_env_file=None, database_url=url, db_pooler="pgbouncer", db_statement_timeout_ms=300))
    try:
        with pytest.raises(Exception) as raised:
            async with database.outside_transaction() as executor:
                await executor.execute(text("SELECT pg_sleep(60)"))
        # asyncpg's command_timeout (the builtin TimeoutError), raised by the engine as the driver's "not now"
        assert isinstance(raised.value, OperationalError) and isinstance(raised.value.orig, TimeoutError)
        assert is_unavailable(raised.value), repr(raised.value)  # a 503 with Retry-After, as on PostgreSQL itself
        deadline = time.monotonic() + 20
        while await running_sleeps(postgres.admin_url) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        assert await running_sleeps(postgres.admin_url) == 0  # the cancel reached the server connection
        async with database.outside_transaction() as executor:  # and the pool serves on
            assert (await executor.execute(text("SELECT 1"))).scalar() == 1
    finally:
        await database.dispose()
