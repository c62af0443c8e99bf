"""Scale-out as operators run it: two `global-chat serve --workers 2` instances through Debian's PgBouncer
in transaction pooling mode with 10 server connections, in front of a PostgreSQL that allows only 20.

The four workers' pools may open 80 connections: PostgreSQL could not take them directly, PgBouncer
multiplexes them onto its 10. The PostgreSQL, the PgBouncer and the servers are this module's own
(scripts/postgres_instance.py, scripts/pgbouncer_instance.py, tests/support/deployment.py), on free ports,
stopped and removed when it ends, also when the run is interrupted.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from global_chat.ids import ORGANIZATION, parse_id
from global_chat.settings import Settings
from global_chat.storage.revisions import head_revision
from scripts.pgbouncer_instance import PgBouncerInstance
from scripts.postgres_instance import PostgresInstance
from scripts.servers import BIN
from tests.fixtures.postgres import create_global_chat_database
from tests.fixtures.server import CLI_TIMEOUT
from tests.support.deployment import JWT_SECRET, Deployment, Server, running_servers

pytestmark = [pytest.mark.timeout(180), pytest.mark.postgres, pytest.mark.pgbouncer]

SERVER_CONNECTIONS = 10  # PgBouncer's default_pool_size: what PostgreSQL sees
POSTGRES_MAX_CONNECTIONS = 20
DEFAULTS = Settings(_env_file=None)
WORKER_POOL = DEFAULTS.db_pool_size + DEFAULTS.db_max_overflow  # at their defaults (20): 4 workers may open 80
WAIT = 30.0


@dataclass
class Stack:
    postgres: PostgresInstance
    pgbouncer: PgBouncerInstance
    deployment: Deployment
    """Its env reaches the database through PgBouncer; its fetch() goes to PostgreSQL directly."""
    servers: list[Server]

    def server_connections(self) -> int:
        """Connections PostgreSQL serves to the service's database: PgBouncer's server connections."""
        rows = self.deployment.fetch(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = 'global_chat' AND pid <> pg_backend_pid()"
        )
        return int(rows[0]["n"])


def global_chat_exits(env: dict[str, str], workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`global-chat ARGS`, whatever its exit code."""
    return subprocess.run(
        [str(BIN / "global-chat"), *args], env=env, cwd=workdir, capture_output=True, text=True, timeout=CLI_TIMEOUT
    )


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pgbouncer")


@pytest.fixture(scope="module")
def stack(workdir: Path) -> Iterator[Stack]:
    with (
        PostgresInstance(settings={"max_connections": str(POSTGRES_MAX_CONNECTIONS)}) as postgres,
        PgBouncerInstance(postgres.url(), pool_mode="transaction", pool_size=SERVER_CONNECTIONS) as pgbouncer,
    ):
        create_global_chat_database(postgres)
        deployment = Deployment(
            postgres.url("global_chat"), workdir, AUTH_MODE="keys", JWT_SECRET=JWT_SECRET, CHAT_CREATE_RATE_LIMIT="1000"
        )
        deployment.env.update(DATABASE_URL=pgbouncer.url("global_chat"), DB_POOLER="pgbouncer")

        # migrations through PgBouncer, two instances at once (their advisory lock is per transaction)
        migrations = [
            subprocess.Popen(
                [str(BIN / "global-chat"), "migrate"],
                env=deployment.env,
                cwd=workdir,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        outcomes = [(m.wait(timeout=CLI_TIMEOUT), m.communicate()[1]) for m in migrations]
        assert [code for code, _ in outcomes] == [0, 0], outcomes
        assert deployment.fetch("SELECT version_num FROM alembic_version")[0]["version_num"] == head_revision()

        with running_servers(workdir) as servers:
            started = servers.start(deployment.env, count=2, workers=2, name="pooled")
            yield Stack(postgres, pgbouncer, deployment, started)


def org_uuid(org: str) -> uuid.UUID:
    parsed = parse_id(ORGANIZATION, org)
    assert parsed is not None
    return parsed


def test_concurrent_first_calls_through_pgbouncer_create_one_session(stack: Stack) -> None:
    deployment = stack.deployment
    org = deployment.create_org("Pooled")  # the admin commands go through PgBouncer too
    user = uuid.uuid4()
    headers = {"Authorization": deployment.api_key(org, user)}
    targets = [stack.servers[i % 2].chat_url for i in range(200)]

    async def burst() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
        async with httpx.AsyncClient(limits=limits, timeout=60) as client:
            return list(await asyncio.gather(*(client.post(url, headers=headers, json={}) for url in targets)))

    responses = asyncio.run(burst())

    logs = "\n".join(server.log_tail() for server in stack.servers)
    statuses = Counter(response.status_code for response in responses)
    assert statuses == {200: 200}, f"{statuses}: {[r.text for r in responses if r.status_code != 200][:3]}\n{logs}"
    assert len({response.text for response in responses}) == 1
    rows = deployment.fetch("SELECT id FROM sessions WHERE organization_id = $1", org_uuid(org))
    assert len(rows) == 1
    assert stack.server_connections() <= SERVER_CONNECTIONS  # PostgreSQL never saw the workers' 80


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    headers: dict[str, str]
    allowed: frozenset[int]
    body: Any = None
    raw: bytes | None = None


def test_a_mixed_burst_of_every_operation_through_pgbouncer_never_fails(stack: Stack) -> None:
    deployment = stack.deployment
    org = deployment.create_org("Mixed")
    users = [uuid.uuid4() for _ in range(24)]
    auth = [{"Authorization": f"Bearer {deployment.token(org, user)}"} for user in users]

    async def send(client: httpx.AsyncClient, call: Call) -> httpx.Response:
        content = call.raw if call.raw is not None else (None if call.body is None else json.dumps(call.body))
        headers = {**call.headers, "Content-Type": "application/json"} if content is not None else call.headers
        return await client.request(call.method, call.url, headers=headers, content=content)

    async def run(calls: list[Call]) -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=len(calls), max_keepalive_connections=len(calls))
        async with httpx.AsyncClient(limits=limits, timeout=60) as client:
            return list(await asyncio.gather(*(send(client, call) for call in calls)))

    first = asyncio.run(
        run([Call("POST", stack.servers[i % 2].chat_url, a, frozenset({200}), {}) for i, a in enumerate(auth)])
    )
    assert [r.status_code for r in first] == [200] * len(users), [r.text for r in first if r.status_code != 200]

    calls: list[Call] = []
    for i, (headers, created) in enumerate(zip(auth, first, strict=True)):
        base = stack.servers[i % 2].base_url
        other = stack.servers[(i + 1) % 2].base_url
        session = f"{base}/v1/sessions/{created.json()['id']}"
        deleted = i % 3 == 0  # a third of the sessions are deleted during the burst: the rest may find them gone
        maybe_gone = frozenset({200, 404}) if deleted else frozenset({200})
        maybe_gone_204 = frozenset({204, 404}) if deleted else frozenset({204})
        calls += [
            Call("POST", f"{other}/v1/sessions/chat", headers, frozenset({200}), {"locale": "uk-UA"}),
            Call("GET", session, headers, maybe_gone),
            Call("PATCH", session, headers, maybe_gone, {"title": f"Chat {i}", "locale": "de-DE", "tags": ["x"]}),
            Call("PUT", f"{session}/pin", headers, maybe_gone_204),
            Call("DELETE", f"{session}/pin", headers, maybe_gone_204),
            Call("GET", f"{base}/v1/sessions/session_{uuid.uuid4().hex}", headers, frozenset({404})),
            Call("POST", f"{base}/v1/sessions/chat", headers, frozenset({400}), {"locale": "not a locale"}),
            Call("POST", f"{base}/v1/sessions/chat", headers, frozenset({400}), raw=b"{not json"),
            Call("POST", f"{base}/v1/sessions/chat", {}, frozenset({401}), {}),
        ]
        if deleted:
            calls.append(Call("DELETE", session, headers, frozenset({204, 404})))
    calls += [Call("GET", f"{server.base_url}/readyz", {}, frozenset({200})) for server in stack.servers]
    calls += [Call("GET", f"{server.base_url}/metrics", {}, frozenset({200})) for server in stack.servers]

    responses = asyncio.run(run(calls))

    logs = "\n".join(server.log_tail() for server in stack.servers)
    unexpected = [
        f"{call.method} {call.url} -> {response.status_code} {response.text[:200]}"
        for call, response in zip(calls, responses, strict=True)
        if response.status_code not in call.allowed
    ]
    assert not unexpected, "\n".join(unexpected[:5]) + "\n" + logs
    assert not [r for r in responses if r.status_code >= 500]
    again = asyncio.run(run([Call("POST", stack.servers[0].chat_url, a, frozenset({200}), {}) for a in auth]))
    assert [r.status_code for r in again] == [200] * len(users)  # a deleted singleton is created afresh
    assert stack.server_connections() <= SERVER_CONNECTIONS


def pool_gauges(server: Server) -> dict[str, float]:
    text = httpx.get(f"{server.base_url}/metrics", timeout=10).text
    return {
        sample.name.removeprefix("global_chat_db_pool_"): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name.startswith("global_chat_db_pool_")
    }


def budget_lines(server: Server) -> list[dict[str, Any]]:
    lines = []
    for line in server.log_path.read_text(errors="replace").splitlines():
        if '"database connection budget"' in line:
            lines.append(json.loads(line))
    return lines


def test_each_worker_logs_its_connection_budget_and_metrics_add_up_the_instance(stack: Stack) -> None:
    for server in stack.servers:
        deadline = time.monotonic() + WAIT  # the second worker may still be starting when the first is ready
        while (len(budget_lines(server)) < 2 or pool_gauges(server)["max_connections"] < 2 * WORKER_POOL) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.2)

        lines = budget_lines(server)
        assert len(lines) == 2, server.log_tail()
        assert len({line["pid"] for line in lines}) == 2  # one line per worker process
        for line in lines:
            assert (line["database"], line["pooler"], line["max_connections"]) == (
                "postgresql",
                "pgbouncer",
                WORKER_POOL,
            )
        gauges = pool_gauges(server)
        assert gauges["max_connections"] == 2 * WORKER_POOL  # both workers' pools, added up
        assert gauges["size"] == 2 * DEFAULTS.db_pool_size
        assert gauges["checked_out"] <= gauges["open"] <= gauges["max_connections"]


@pytest.mark.parametrize("command", [["migrate"], ["serve", "--port", "0"]])
def test_an_undeclared_pgbouncer_stops_start_up_with_the_remedy(
    stack: Stack, workdir: Path, command: list[str]
) -> None:
    env = {**stack.deployment.env, "DB_POOLER": "none"}

    result = global_chat_exits(env, workdir, *command)

    assert result.returncode == 2, result.stderr
    assert "set DB_POOLER=pgbouncer" in result.stderr
    assert "Traceback" not in result.stderr
