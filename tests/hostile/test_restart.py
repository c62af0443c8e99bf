"""PostgreSQL restarts under load: requests keep coming while the test's own instance shuts down (fast: 57P01
to every session; immediate: a crash, then recovery, "the database system is starting up", 57P03) and
starts again. Every answer is a 2xx or a 503 with Retry-After, never a 500, and the same app recovers."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from global_chat.settings import Settings
from global_chat.storage.migrate import upgrade
from scripts.postgres_instance import PostgresInstance
from tests.fixtures.app import client_of, in_process

pytestmark = pytest.mark.timeout(180)

MAX_REQUESTS_PER_RESTART = 3000  # bounds the loop whatever the machine's speed
RECOVERY_ATTEMPTS = 100


async def requests_through_restarts(settings: Settings, instance: PostgresInstance) -> Counter[int]:
    statuses: Counter[int] = Counter()
    async with in_process(settings) as app, client_of(app) as client:
        session = (await client.post("/v1/sessions/chat")).json()
        url = f"/v1/sessions/{session['id']}"
        calls = [
            ("POST", "/v1/sessions/chat", None),
            ("GET", url, None),
            ("PATCH", url, {"title": "x"}),
            ("PUT", url + "/pin", None),
        ]
        for mode in ("fast", "immediate"):
            restart = asyncio.create_task(asyncio.to_thread(instance.restart, mode))
            sent = 0
            while not restart.done() and sent < MAX_REQUESTS_PER_RESTART:
                method, path, body = calls[sent % len(calls)]
                response = await client.request(method, path, json=body)
                statuses[response.status_code] += 1
                if response.status_code == 503:
                    assert int(response.headers["retry-after"]) >= 1
                    await asyncio.sleep(0.005)  # a client honouring Retry-After would wait far longer
                sent += 1
            await restart
            for _ in range(RECOVERY_ATTEMPTS):  # pooled connections of the old server fail once each
                recovered = await client.post("/v1/sessions/chat")
                statuses[recovered.status_code] += 1
                if recovered.status_code == 200:
                    break
            assert recovered.status_code == 200, dict(statuses)
    return statuses


def test_a_postgres_restart_under_load_never_answers_500(private_postgres: PostgresInstance) -> None:
    settings = Settings(
        _env_file=None,
        database_url=private_postgres.url("global_chat"),
        db_statement_timeout_ms=1000,
        response_validation=True,
        chat_create_rate_limit=0,
    )
    upgrade(settings)

    statuses = asyncio.run(requests_through_restarts(settings, private_postgres))

    assert set(statuses) <= {200, 204, 503}, dict(statuses)
    assert statuses[503] > 0, f"no request met the outage: {dict(statuses)}"
