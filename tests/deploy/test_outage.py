"""A database outage: the server answers 503 with Retry-After (never 500, never a hang) while its
PostgreSQL is down, is alive but not ready, and recovers by itself when the database comes back."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from scripts.postgres_instance import PostgresInstance as PrivatePostgres
from tests.support.deployment import Deployment, Servers

pytestmark = pytest.mark.timeout(120)

REQUEST_BUDGET = 10.0  # seconds any one answer may take while the database is down
RECOVERY_BUDGET = 20.0


def timed(method: str, url: str, **kwargs: object) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = httpx.request(method, url, timeout=REQUEST_BUDGET + 5, **kwargs)  # type: ignore[arg-type]
    return response, time.monotonic() - started


def test_database_outage_is_a_bounded_503_and_the_same_process_recovers(
    private_postgres: PrivatePostgres, servers: Servers, tmp_path: Path
) -> None:
    deployment = Deployment(
        private_postgres.url("global_chat"), tmp_path, AUTH_MODE="none", DB_STATEMENT_TIMEOUT_MS="2000"
    )
    deployment.cli("migrate")
    (server,) = servers.start(deployment.env, name="outage")

    before = httpx.post(server.chat_url, timeout=10)
    assert before.status_code == 200, before.text
    session_id = before.json()["id"]
    session_url = f"{server.base_url}/v1/sessions/{session_id}"

    private_postgres.stop("fast")
    calls = [
        ("POST", server.chat_url, {}),
        ("POST", server.chat_url, {"json": {"locale": "uk-UA"}}),
        ("GET", session_url, {}),
        ("PATCH", session_url, {"json": {"title": "Renamed"}}),
        ("PUT", f"{session_url}/pin", {}),
        ("POST", server.chat_url, {}),
    ]
    for method, url, kwargs in calls:
        response, took = timed(method, url, **kwargs)
        where = f"{method} {url} -> {response.status_code} {response.text}\n{server.log_tail()}"
        assert took < REQUEST_BUDGET, f"took {took:.1f} s: {where}"
        assert response.status_code == 503, where
        assert int(response.headers["Retry-After"]) >= 1, where
        assert "retry-later" in [action["rel"] for action in response.json().get("allowed_actions", [])], where
        assert response.json()["code"] == "service_unavailable", where
    readyz, took = timed("GET", f"{server.base_url}/readyz")
    assert (readyz.status_code, "retry-after" in readyz.headers) == (503, True), readyz.text
    assert took < REQUEST_BUDGET
    healthz, _ = timed("GET", f"{server.base_url}/healthz")
    assert healthz.status_code == 200

    private_postgres.start()
    deadline = time.monotonic() + RECOVERY_BUDGET
    statuses = []
    while True:
        response, took = timed("POST", server.chat_url)
        assert took < REQUEST_BUDGET
        statuses.append(response.status_code)
        if response.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert response.status_code == 200, f"{statuses}: {response.text}\n{server.log_tail()}"
    assert set(statuses) <= {200, 503}
    assert response.json()["id"] == session_id
    assert server.process.poll() is None  # the same process, never restarted
    assert httpx.get(f"{server.base_url}/readyz", timeout=10).status_code == 200
