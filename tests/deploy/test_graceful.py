"""SIGTERM with a request in flight: the server stops taking new connections at once, finishes the
request it is serving (here, a PATCH waiting for a row lock we hold), then exits cleanly."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
import uuid
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.fixtures.postgres import PostgresDatabases
from tests.support.deployment import DB_TIMEOUT, Deployment, Server, Servers

pytestmark = pytest.mark.timeout(120)

LOCK_WAITERS = """
    SELECT count(*) FROM pg_stat_activity
    WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()
"""
SHUTDOWN_BUDGET = 5.0  # seconds until a new connection is refused (or answered 503) after SIGTERM
EXIT_BUDGET = 10.0


async def wait_until_blocked(connection: asyncpg.Connection, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while await connection.fetchval(LOCK_WAITERS, timeout=DB_TIMEOUT) == 0:
        assert time.monotonic() < deadline, "the PATCH never waited for the row lock"
        await asyncio.sleep(0.05)


async def new_connection_turned_away(server: Server) -> str:
    """How a brand-new connection is treated once the server is shutting down (polled, bounded)."""
    deadline = time.monotonic() + SHUTDOWN_BUDGET
    while True:
        try:
            async with httpx.AsyncClient(timeout=2) as fresh:  # a new client: a new connection
                response = await fresh.get(f"{server.base_url}/healthz")
            if response.status_code == 503:
                return "503"
        except httpx.ConnectError:
            return "refused"
        except httpx.TransportError as exc:  # e.g. accepted, then closed unanswered while shutting down
            return f"dropped ({type(exc).__name__})"
        assert time.monotonic() < deadline, f"still answering {response.status_code} {SHUTDOWN_BUDGET} s after SIGTERM"
        await asyncio.sleep(0.05)


async def sigterm_with_a_patch_in_flight(server: Server, database_url: str) -> tuple[httpx.Response, str, str]:
    async with httpx.AsyncClient(timeout=30) as client:
        created = await client.post(server.chat_url)
        assert created.status_code == 200, created.text
        session_id = created.json()["id"]
        lock = await asyncpg.connect(database_url, timeout=DB_TIMEOUT)
        try:
            holding = lock.transaction()
            await holding.start()
            row = uuid.UUID(hex=session_id.removeprefix("session_"))
            assert await lock.fetch("SELECT id FROM sessions WHERE id = $1 FOR UPDATE", row, timeout=DB_TIMEOUT)
            patch = asyncio.ensure_future(
                client.patch(f"{server.base_url}/v1/sessions/{session_id}", json={"title": "Renamed in flight"})
            )
            await wait_until_blocked(lock)

            server.process.send_signal(signal.SIGTERM)
            turned_away = await new_connection_turned_away(server)
            assert not patch.done(), "the PATCH finished while we still held its lock"
            await holding.commit()
        finally:
            await lock.close(timeout=DB_TIMEOUT)
        response = await asyncio.wait_for(patch, timeout=EXIT_BUDGET)
    return response, session_id, turned_away


def test_sigterm_finishes_the_request_in_flight_and_exits_cleanly(
    postgres: PostgresDatabases, servers: Servers, tmp_path: Path
) -> None:
    deployment = Deployment(postgres.fresh(), tmp_path, AUTH_MODE="none", DB_STATEMENT_TIMEOUT_MS="10000")
    (server,) = servers.start(deployment.env, name="graceful")

    response, session_id, turned_away = asyncio.run(sigterm_with_a_patch_in_flight(server, deployment.database_url))

    assert turned_away in ("refused", "503"), turned_away
    assert response.status_code == 200, f"{response.text}\n{server.log_tail()}"
    assert (response.json()["id"], response.json()["title"]) == (session_id, "Renamed in flight")
    try:
        code = server.process.wait(timeout=EXIT_BUDGET)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the server did not exit within {EXIT_BUDGET} s of its last request\n{server.log_tail()}")
    assert code == 0, f"exit status {code} after SIGTERM\n{server.log_tail()}"
    title = deployment.fetch("SELECT title FROM sessions WHERE global_chat_user_id IS NOT NULL")
    assert [row["title"] for row in title] == ["Renamed in flight"]
