"""Races with DELETE on PostgreSQL (real concurrency: each request has its own connection): a change of
a session being deleted is a 404 or lands before the delete, never a 500; a get-or-create racing the
delete of the caller's singleton returns a session; the singleton stays single. Bounded loops."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from global_chat.identity import ANONYMOUS
from global_chat.storage.database import Database
from global_chat.storage.tables import SESSIONS

pytestmark = [pytest.mark.anyio, pytest.mark.postgres]  # backend: PostgreSQL (below)
CHAT = "/v1/sessions/chat"
ROUNDS = 25


@pytest.fixture
def backend() -> str:
    """SQLite runs one write transaction at a time: the races are PostgreSQL's."""
    return "postgresql"


async def singletons(database: Database) -> int:
    query = select(func.count()).select_from(SESSIONS).where(SESSIONS.c.global_chat_user_id == ANONYMOUS.user_id)
    async with database.outside_transaction() as connection:
        return int((await connection.execute(query)).scalar_one())


async def fresh_session(client: httpx.AsyncClient) -> str:
    response = await client.post(CHAT)
    assert response.status_code == 200, response.text
    return f"/v1/sessions/{response.json()['id']}"


@pytest.mark.parametrize(
    ("method", "suffix", "body", "outcomes"),
    [
        pytest.param("PATCH", "", {"title": "Renamed", "tags": ["x"]}, {200, 404}, id="update"),
        pytest.param("PUT", "/pin", None, {204, 404}, id="pin"),
        pytest.param("DELETE", "/pin", None, {204, 404}, id="unpin"),
    ],
)
async def test_a_change_racing_a_delete_is_done_or_not_found(
    client: httpx.AsyncClient, method: str, suffix: str, body: dict[str, Any] | None, outcomes: set[int]
) -> None:
    seen: set[int] = set()
    for _ in range(ROUNDS):
        url = await fresh_session(client)

        change, delete = await asyncio.gather(client.request(method, url + suffix, json=body), client.delete(url))

        assert change.status_code in outcomes, change.text
        assert delete.status_code == 204, delete.text
        assert (await client.get(url)).status_code == 404
        seen.add(change.status_code)
    assert seen  # the loop ran; which side wins each round is the scheduler's business


async def test_get_or_create_racing_the_delete_of_the_singleton_returns_a_session(
    client: httpx.AsyncClient, database: Database
) -> None:
    """Callers that delete the singleton as soon as they get it, beside callers that only get it: between
    a get-or-create's look-up, its insert and its re-read, the session it finds can be created by one
    and deleted by another."""
    statuses: dict[str, list[int]] = {"POST": [], "DELETE": []}

    async def recreate_and_delete() -> None:
        for _ in range(ROUNDS):
            created = await client.post(CHAT)
            statuses["POST"].append(created.status_code)
            if created.status_code == 200:
                deleted = await client.delete(f"/v1/sessions/{created.json()['id']}")
                statuses["DELETE"].append(deleted.status_code)

    async def get_or_create() -> None:
        for _ in range(2 * ROUNDS):
            statuses["POST"].append((await client.post(CHAT)).status_code)

    await asyncio.gather(recreate_and_delete(), recreate_and_delete(), get_or_create(), get_or_create())

    assert set(statuses["POST"]) == {200}, statuses["POST"]
    assert set(statuses["DELETE"]) <= {204, 404}, statuses["DELETE"]  # 404: another caller deleted it first
    assert await singletons(database) <= 1
    assert (await client.post(CHAT)).status_code == 200
    assert await singletons(database) == 1
