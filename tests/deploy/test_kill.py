"""A server process SIGKILLed in the middle of a burst of first calls leaves no duplicate and no
half-made session: every user still has at most one complete session, which the survivor returns."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.fixtures.postgres import PostgresDatabases
from tests.support.deployment import Server, Servers, keys_deployment

pytestmark = pytest.mark.timeout(120)

USERS = 100
KILL_AFTER = 20  # answers received before the second server is killed
HELD_EVERY = 5
"""Every fifth call to the victim sends its body only after the kill: so some calls are surely in flight
when it dies. The others race the kill: an answer the victim had written before it died may still be in
the client's socket buffer, read after the kill, so without the held ones a fast server could have
answered every call it got before the client counted KILL_AFTER answers."""

DUPLICATES = """
    SELECT organization_id, global_chat_user_id, count(*) AS sessions FROM sessions
    WHERE global_chat_user_id IS NOT NULL GROUP BY organization_id, global_chat_user_id HAVING count(*) > 1
"""
INCOMPLETE = """
    SELECT s.id FROM sessions s
    LEFT JOIN principals p ON p.id = s.owner_principal_id
    LEFT JOIN users u ON u.id = p.subject_id
    LEFT JOIN harnesses h ON h.id = s.harness_id AND h.organization_id = s.organization_id
    WHERE s.harness_id IS NULL OR s.workspace_id IS NULL OR s.owner_principal_id IS NULL
       OR h.id IS NULL OR p.id IS NULL OR u.id IS NULL
       OR p.kind <> 'user' OR p.subject_id <> s.global_chat_user_id OR s.workspace_id <> s.id
"""

Outcome = httpx.Response | BaseException


async def burst_with_a_kill(targets: list[tuple[Server, dict[str, str]]], victim: Server) -> list[Outcome]:
    """Every call at once; once KILL_AFTER answers are in, SIGKILL `victim` and let the rest finish or fail (the
    held calls to it among them, whose bodies it was still waiting for)."""
    limits = httpx.Limits(max_connections=len(targets), max_keepalive_connections=len(targets))
    answered, killed = asyncio.Event(), asyncio.Event()
    count = 0

    async def held_body() -> AsyncIterator[bytes]:
        yield b'{"locale": '
        await killed.wait()
        yield b'"en"}'

    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def call(server: Server, headers: dict[str, str], held: bool) -> httpx.Response:
            nonlocal count
            try:
                if held:
                    return await client.post(server.chat_url, headers=headers, content=held_body())
                return await client.post(server.chat_url, headers=headers)
            finally:
                count += 1
                if count >= KILL_AFTER:
                    answered.set()

        victim_calls = 0
        tasks = []
        for server, headers in targets:
            held = server is victim and victim_calls % HELD_EVERY == 0
            victim_calls += server is victim
            tasks.append(asyncio.ensure_future(call(server, headers, held)))
        await asyncio.wait_for(answered.wait(), timeout=30)
        victim.kill()
        killed.set()
        return list(await asyncio.gather(*tasks, return_exceptions=True))


def test_killing_a_server_mid_burst_leaves_one_complete_session_per_user(
    postgres: PostgresDatabases, servers: Servers, tmp_path: Path
) -> None:
    deployment = keys_deployment(postgres, tmp_path)
    survivor, victim = servers.start(deployment.env, count=2, name="kill")
    org = deployment.create_org("Killed")
    users = [uuid.uuid4() for _ in range(USERS)]
    headers = {user: {"Authorization": f"Bearer {deployment.token(org, user)}"} for user in users}

    outcomes = asyncio.run(
        burst_with_a_kill([(victim if i % 2 else survivor, headers[u]) for i, u in enumerate(users)], victim)
    )

    assert victim.process.returncode == -9
    victim_failures = [o for i, o in enumerate(outcomes) if i % 2 and not isinstance(o, httpx.Response)]
    assert victim_failures, "every call to the victim was answered before the kill: nothing was in flight"
    for i, outcome in enumerate(outcomes):
        if isinstance(outcome, httpx.Response):
            assert outcome.status_code == 200, outcome.text
        else:  # only the killed server's calls may fail, and only at the transport level
            assert i % 2 and isinstance(outcome, httpx.TransportError), repr(outcome)

    assert deployment.fetch(DUPLICATES) == []
    assert deployment.fetch(INCOMPLETE) == []

    async def follow_up() -> list[httpx.Response]:
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=20), timeout=30) as client:
            return list(await asyncio.gather(*(client.post(survivor.chat_url, headers=headers[u]) for u in users)))

    answers = asyncio.run(follow_up())
    assert [answer.status_code for answer in answers] == [200] * USERS, [
        a.text for a in answers if a.status_code != 200
    ]
    for user, earlier, later in zip(users, outcomes, answers, strict=True):
        assert f"user:{user}" in later.json()["tags"]
        if isinstance(earlier, httpx.Response):
            assert later.json()["id"] == earlier.json()["id"]
    rows = deployment.fetch("SELECT global_chat_user_id FROM sessions")
    assert sorted(row["global_chat_user_id"] for row in rows) == sorted(users)
    assert deployment.fetch(DUPLICATES) == []
    assert deployment.fetch(INCOMPLETE) == []
