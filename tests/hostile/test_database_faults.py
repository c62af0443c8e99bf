"""What "the database is unavailable" means (storage.failures.is_unavailable, the one place that decides it):
a 503 with Retry-After for every "not now" of PostgreSQL, a 500 for none of them; any other database
error stays a bug of ours (500)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import asyncpg
import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from global_chat.settings import Settings
from global_chat.storage.database import Database
from global_chat.storage.failures import is_unavailable
from global_chat.storage.migrate import upgrade
from tests.fixtures.app import client_of, in_process
from tests.fixtures.contract import ContractSchemas

pytestmark = [pytest.mark.anyio, pytest.mark.postgres]  # backend: PostgreSQL (below)
CHAT = "/v1/sessions/chat"
STATEMENT_TIMEOUT_MS = 300


@pytest.fixture
def backend() -> str:
    """These faults are PostgreSQL's."""
    return "postgresql"


@pytest.mark.parametrize(
    ("sqlstate", "unavailable"),
    [
        ("57P01", True),  # admin_shutdown: the server is shutting down
        ("57P02", True),  # crash_shutdown
        ("57P03", True),  # cannot_connect_now: "the database system is starting up"
        ("57014", True),  # query_canceled: statement_timeout
        ("53300", True),  # too_many_connections
        ("08006", True),  # connection_failure (class 08)
        ("08P01", True),  # protocol_violation (class 08)
        ("22021", False),  # character_not_in_repertoire: a value we failed to refuse, a bug
        ("23505", False),  # unique_violation: a bug
        ("42P01", False),  # undefined_table: a bug (or migrations not run)
    ],
)
async def test_the_servers_not_now_sqlstates_are_unavailable_and_no_others(
    database: Database, sqlstate: str, unavailable: bool
) -> None:
    """Raised by the real server, through asyncpg and SQLAlchemy's wrapping, as a request would meet them."""
    raise_it = text(f"DO $$ BEGIN RAISE EXCEPTION 'raised by the test' USING ERRCODE = '{sqlstate}'; END $$")

    with pytest.raises(DBAPIError) as raised:
        async with database.outside_transaction() as connection:
            await connection.execute(raise_it)

    assert is_unavailable(raised.value) is unavailable


@pytest.mark.parametrize(
    "error",
    [
        # asyncpg's command_timeout, as storage/engine.py raises it (SQLAlchemy leaves the builtin unwrapped)
        OperationalError("SELECT 1", {}, TimeoutError()),
        OperationalError("SELECT 1", {}, Exception("could not connect")),
        InterfaceError("SELECT 1", {}, Exception("connection is closed")),
        DBAPIError("SELECT 1", {}, asyncpg.exceptions.CannotConnectNowError("the database system is starting up")),
    ],
)
def test_connection_level_errors_and_timeouts_are_unavailable(error: BaseException) -> None:
    assert is_unavailable(error)


def test_a_timeout_raised_outside_the_driver_is_a_bug_not_an_outage() -> None:
    """Only the driver's and the pool's timeouts mean "the database did not answer in time"."""
    assert not is_unavailable(TimeoutError())


@pytest.fixture
def slow_settings(make_settings: Callable[..., Settings]) -> Settings:
    settings = make_settings(db_statement_timeout_ms=STATEMENT_TIMEOUT_MS)
    upgrade(settings)
    return settings


@pytest.fixture
async def slow_client(slow_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    settings = slow_settings
    async with in_process(settings) as app, client_of(app) as client:
        yield client


async def test_a_statement_timeout_is_a_503_with_retry_after(
    slow_client: httpx.AsyncClient, database: Database, our_schemas: ContractSchemas
) -> None:
    session = (await slow_client.post(CHAT)).json()
    url = f"/v1/sessions/{session['id']}"

    # Another transaction holds the row: the PATCH waits for its lock until statement_timeout cancels it.
    async with database.transaction() as holder:
        await holder.execute(text("SELECT 1 FROM sessions FOR UPDATE"))
        response = await slow_client.patch(url, json={"title": "Renamed"})

    assert response.status_code == 503, response.text
    assert int(response.headers["retry-after"]) >= 1
    assert our_schemas.errors("ErrorResponse", response.json()) == []
    assert (await slow_client.patch(url, json={"title": "Renamed"})).status_code == 200


async def test_connections_ended_by_the_server_are_503s_then_the_same_app_recovers(
    client: httpx.AsyncClient, postgres_server: str, settings: Settings
) -> None:
    assert (await client.post(CHAT)).status_code == 200  # the pool now holds connections to end
    database = settings.database_url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(postgres_server, timeout=10)
    try:
        ended = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = $1 AND pid <> pg_backend_pid()",
            database,
        )
    finally:
        await admin.close()
    assert ended >= 1

    statuses = [(await client.post(CHAT)).status_code for _ in range(5)]

    assert set(statuses) <= {200, 503}, statuses
    assert statuses[-1] == 200, statuses
