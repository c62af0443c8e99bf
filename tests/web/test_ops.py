"""Operator endpoints, metrics, request ids and logs."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.exc import DBAPIError, OperationalError

from global_chat.app import log_connection_budget
from global_chat.sessions.service import GlobalChatService
from global_chat.settings import DatabaseBackend, Settings
from global_chat.storage.database import Database
from tests.fixtures.accounts import Accounts
from tests.fixtures.contract import ContractSchemas

pytestmark = [pytest.mark.anyio, pytest.mark.pgbouncer_backend]  # backends: tests/fixtures/app.py
CHAT = "/v1/sessions/chat"
JSON_TYPE = "application/json"


async def test_healthz_says_alive(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")

    assert (response.status_code, response.json()) == (200, {"status": "alive"})


async def test_readyz_checks_the_database_and_migrations(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")

    assert (response.status_code, response.json()) == (200, {"status": "ready"})


async def test_readyz_is_503_when_migrations_are_behind(client: httpx.AsyncClient, database: object) -> None:
    from sqlalchemy import text

    from global_chat.storage.database import Database

    assert isinstance(database, Database)
    async with database.transaction() as tx:
        await tx.execute(text("UPDATE alembic_version SET version_num = '0001'"))

    response = await client.get("/readyz")

    assert response.status_code == 503
    assert "migrations not current" in response.json()["error"]
    assert int(response.headers["retry-after"]) >= 1


async def test_metrics_count_requests_creations_and_rejections(client: httpx.AsyncClient) -> None:
    await client.post(CHAT)
    await client.post(CHAT)
    await client.post(CHAT, json={"locale": 5})

    text = (await client.get("/metrics")).text

    assert 'global_chat_http_requests_total{operation="get_or_create_chat_session",status="200"} 2.0' in text
    assert 'global_chat_http_requests_total{operation="get_or_create_chat_session",status="400"} 1.0' in text
    assert "global_chat_sessions_created_total 1.0" in text
    assert 'global_chat_http_request_duration_seconds_bucket{le="+Inf",operation="get_or_create_chat_session"' in text
    for name in ("singleton_races_resolved", "rate_limit_rejections", "database_errors"):
        assert f"global_chat_{name}_total" in text


def pool_gauges(exposition: str) -> dict[str, float]:
    return {
        sample.name.removeprefix("global_chat_db_pool_"): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
        if sample.name.startswith("global_chat_db_pool_")
    }


async def test_metrics_show_the_database_pools(client: httpx.AsyncClient, settings: Settings) -> None:
    await client.post(CHAT)

    gauges = pool_gauges((await client.get("/metrics")).text)

    # SQLite: the engine's pool and the reader's
    pools = 2 if settings.database_backend is DatabaseBackend.SQLITE else 1
    assert gauges["max_connections"] == pools * (settings.db_pool_size + settings.db_max_overflow)
    assert gauges["size"] == pools * settings.db_pool_size
    assert gauges["open"] >= 1  # the request's connection, back in the pool
    assert (gauges["checked_out"], gauges["overflow"]) == (0, 0)


async def test_start_up_logs_the_most_connections_the_process_may_open(
    settings: Settings, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="global_chat.database"):
        log_connection_budget(database)

    (record,) = [r for r in caplog.records if r.name == "global_chat.database"]
    event = record.msg
    assert isinstance(event, dict)
    pools = 2 if settings.database_backend is DatabaseBackend.SQLITE else 1
    assert event["event"] == "database connection budget"
    assert event["max_connections"] == pools * (settings.db_pool_size + settings.db_max_overflow)
    assert event["pooler"] == settings.db_pooler.value


class CollidingStatement(Exception):
    """What asyncpg raises when a pooler hands it a server connection with another client's statement."""

    sqlstate = "42P05"


@pytest.mark.parametrize(
    ("failure", "logged"),
    [
        (
            DBAPIError("SELECT 1", None, CollidingStatement('prepared statement "__asyncpg_stmt_1__" already exists')),
            "set DB_POOLER=pgbouncer",
        ),
        # the driver's statement timeout (the one behind a pooler), as storage/engine.py raises it
        (OperationalError("SELECT 1", None, TimeoutError()), "database unavailable"),
    ],
    ids=["undeclared pooler", "statement timeout"],
)
async def test_database_trouble_is_a_503_whose_reason_is_in_the_log_only(
    client: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    failure: Exception,
    logged: str,
) -> None:
    async def failing(*args: object, **kwargs: object) -> None:
        raise failure

    monkeypatch.setattr(GlobalChatService, "get_or_create", failing)

    with caplog.at_level(logging.WARNING):
        response = await client.post(CHAT)

    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) >= 1
    assert response.json()["error"] == "Service temporarily unavailable; retry later."
    assert logged in caplog.text
    assert "global_chat_database_errors_total 1.0" in (await client.get("/metrics")).text


@pytest.mark.parametrize("error", [RuntimeError, TimeoutError], ids=["a bug", "a timeout outside the driver"])
async def test_a_500_carries_a_request_id_and_nothing_else(
    client: httpx.AsyncClient,
    our_schemas: ContractSchemas,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    error: type[Exception],
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise error("secret internal detail")

    monkeypatch.setattr(GlobalChatService, "get_or_create", broken)

    with caplog.at_level(logging.ERROR):
        response = await client.post(CHAT, headers={"X-Request-Id": "req-500"})

    assert response.status_code == 500
    assert response.json() == {"error": "Internal server error.", "code": "internal_error", "request_id": "req-500"}
    assert our_schemas.errors("ErrorResponse", response.json()) == []
    assert "secret internal detail" in caplog.text  # the details go to the log only


async def test_credentials_never_reach_the_log(
    keys_client: httpx.AsyncClient, accounts: Accounts, caplog: pytest.LogCaptureFixture
) -> None:
    caller = await accounts.caller()

    with caplog.at_level(logging.DEBUG):
        await keys_client.post(CHAT, headers=caller.key_headers())
        await keys_client.post(CHAT, headers=caller.bearer_headers())
        await keys_client.post(CHAT, headers={"Authorization": caller.api_key + "x"})
        await keys_client.post(CHAT, headers={"Cookie": f"access_token={caller.token}", "Content-Type": JSON_TYPE})
        await keys_client.post(
            CHAT, headers={"Cookie": f"access_token={caller.api_key}", "Origin": "https://x.example"}
        )

    assert caplog.records  # the requests were logged
    assert caller.api_key not in caplog.text
    assert caller.token not in caplog.text


async def test_access_log_lines_are_json_with_the_request_id(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="global_chat.access"):
        await client.post(CHAT, headers={"X-Request-Id": "trace-7"})

    records = [r for r in caplog.records if r.name == "global_chat.access"]
    assert records
    formatter = logging.getLogger().handlers[0].formatter  # the one configure_logging installed
    assert formatter is not None
    line = json.loads(formatter.format(records[-1]))
    assert line["event"] == "request"
    assert line["request_id"] == "trace-7"
    assert (line["status"], line["operation"]) == (200, "get_or_create_chat_session")
