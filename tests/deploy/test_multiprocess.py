"""Many server processes on one PostgreSQL database: the singleton and the creation budget hold across
processes, and `global-chat serve --workers 2` runs two workers on one port."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from global_chat.ids import ORGANIZATION, parse_id
from global_chat.sessions.service import CREATE_BUDGET
from tests.fixtures.postgres import PostgresDatabases
from tests.support.deployment import (
    Deployment,
    Server,
    children,
    cmdline,
    keys_deployment,
    post_all,
    process_exists,
    running_servers,
    server_connections,
    wait_for_room_in_the_minute,
)

pytestmark = pytest.mark.timeout(120)

RATE_LIMIT = 5


def org_uuid(org: str) -> uuid.UUID:
    parsed = parse_id(ORGANIZATION, org)
    assert parsed is not None
    return parsed


def session_uuid(session_id: str) -> uuid.UUID:
    return uuid.UUID(hex=session_id.removeprefix("session_"))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("multiprocess")


@pytest.fixture(scope="module")
def deployment(postgres: PostgresDatabases, workdir: Path) -> Deployment:
    """One database for the module; each test works in an organization of its own (budgets are per organization)."""
    return keys_deployment(postgres, workdir, CHAT_CREATE_RATE_LIMIT=str(RATE_LIMIT))


@pytest.fixture(scope="module")
def pair(deployment: Deployment, workdir: Path) -> Iterator[list[Server]]:
    with running_servers(workdir) as servers:
        yield servers.start(deployment.env, count=2, name="pair")


def test_concurrent_first_calls_on_two_processes_create_one_session(deployment: Deployment, pair: list[Server]) -> None:
    org = deployment.create_org("Singleton")
    user = uuid.uuid4()
    headers = {"Authorization": deployment.api_key(org, user)}

    responses = asyncio.run(post_all([(pair[i % 2].chat_url, headers) for i in range(200)], json={"locale": "uk-UA"}))

    statuses = Counter(response.status_code for response in responses)
    logs = "\n".join(server.log_tail() for server in pair)
    assert statuses == {200: 200}, f"{statuses}: {[r.text for r in responses if r.status_code != 200][:3]}\n{logs}"
    bodies = [response.json() for response in responses]
    assert all(body == bodies[0] for body in bodies)
    assert bodies[0]["locale"] == "uk-UA"
    rows = deployment.fetch("SELECT id, global_chat_user_id FROM sessions WHERE organization_id = $1", org_uuid(org))
    assert [(row["id"], row["global_chat_user_id"]) for row in rows] == [(session_uuid(bodies[0]["id"]), user)]


def test_creation_rate_limit_holds_across_processes(deployment: Deployment, pair: list[Server]) -> None:
    org = deployment.create_org("Budget")
    users = [uuid.uuid4() for _ in range(20)]
    targets = [
        (pair[i % 2].chat_url, {"Authorization": f"Bearer {deployment.token(org, u)}"}) for i, u in enumerate(users)
    ]

    wait_for_room_in_the_minute(10)
    window = int(time.time() // 60)
    responses = asyncio.run(post_all(targets))
    assert int(time.time() // 60) == window, "the burst crossed a minute boundary despite a 10 s margin"

    statuses = Counter(response.status_code for response in responses)
    assert statuses == {200: RATE_LIMIT, 429: 20 - RATE_LIMIT}, [r.text for r in responses]
    created = {user for user, response in zip(users, responses, strict=True) if response.status_code == 200}
    for user, response in zip(users, responses, strict=True):
        if response.status_code == 200:
            assert f"user:{user}" in response.json()["tags"]
        else:
            assert 1 <= int(response.headers["Retry-After"]) <= 60
            assert "retry-later" in [action["rel"] for action in response.json()["allowed_actions"]]
    rows = deployment.fetch("SELECT global_chat_user_id FROM sessions WHERE organization_id = $1", org_uuid(org))
    assert {row["global_chat_user_id"] for row in rows} == created
    assert len(rows) == RATE_LIMIT
    charged = deployment.fetch(
        "SELECT sum(count) AS used FROM rate_limit_windows WHERE organization_id = $1 AND bucket = $2",
        org_uuid(org),
        CREATE_BUDGET,
    )
    assert charged[0]["used"] == RATE_LIMIT  # a refused creation is rolled back with its charge


def worker_pids(server: Server) -> list[int]:
    return [pid for pid in children(server.pid) if "spawn_main" in cmdline(pid)]


async def connections_per_worker(
    server: Server, workers: list[int], headers: dict[str, str]
) -> tuple[set[str], list[int]]:
    """40 concurrent calls on 40 connections, kept open while we look which worker holds each."""
    limits = httpx.Limits(max_connections=40, max_keepalive_connections=40)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        responses = await asyncio.gather(*(client.post(server.chat_url, headers=headers) for _ in range(40)))
        held = [server_connections(pid, server.port) for pid in workers]
    assert {response.status_code for response in responses} == {200}, [r.text for r in responses]
    return {response.json()["id"] for response in responses}, held


def test_workers_option_serves_one_port_from_two_processes(deployment: Deployment, workdir: Path) -> None:
    org = deployment.create_org("Workers")
    headers = {"Authorization": deployment.api_key(org, uuid.uuid4())}
    with running_servers(workdir) as servers:
        (server,) = servers.start(deployment.env, workers=2, name="workers")
        deadline = time.monotonic() + 30
        while len(workers := worker_pids(server)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(workers) == 2, f"children of {server.pid}: {[cmdline(p) for p in children(server.pid)]}"
        server.known_children.update(workers)

        session_ids: set[str] = set()
        answered = [0, 0]
        for _ in range(10):  # until each worker has been seen holding a connection it answered on
            ids, held = asyncio.run(connections_per_worker(server, workers, headers))
            session_ids |= ids
            answered = [total + count for total, count in zip(answered, held, strict=True)]
            if all(answered):
                break
        assert len(session_ids) == 1
        assert all(answered), f"connections answered per worker {dict(zip(workers, answered, strict=True))}"
        assert sorted(worker_pids(server)) == sorted(workers)  # no worker died and was replaced
    assert server.process.returncode == 0, server.log_tail()  # the supervisor stopped its workers on SIGTERM
    assert not [pid for pid in workers if process_exists(pid)], "workers outlived their supervisor"
