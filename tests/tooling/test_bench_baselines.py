"""The benchmark's baselines (scripts/bench: the raw Starlette floor, the FastAPI peer as shipped and with its
telemetry off) stay correct: on
the same database and credentials they answer the benchmark's requests with our status codes and the
same body shapes, so that `make bench` compares frameworks doing the same work."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack, contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine

from global_chat.settings import Settings
from global_chat.storage.tables import SESSIONS
from scripts.bench import fastapi_app, floor_app
from scripts.bench.common import BODY, CHAT_PATH
from tests.fixtures.accounts import Accounts
from tests.fixtures.app import in_process

pytestmark = pytest.mark.anyio
JSON = {"content-type": "application/json"}
SERVERS = ("ours", "floor", "fastapi", "fastapi_otel_off")

Clients = dict[str, httpx.AsyncClient]


@pytest.fixture
async def clients(keys_settings: Settings) -> AsyncIterator[Clients]:
    """The three servers of the benchmark, in process, on one database."""
    floor = floor_app.create_app(keys_settings)
    peer = fastapi_app.create_app(keys_settings)
    quiet_peer = fastapi_app.create_app_without_telemetry(keys_settings)
    async with AsyncExitStack() as stack:
        ours = await stack.enter_async_context(in_process(keys_settings))
        apps: dict[str, Any] = {"ours": ours, "floor": floor, "fastapi": peer, "fastapi_otel_off": quiet_peer}
        yield {
            name: await stack.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
            )
            for name, app in apps.items()
        }
    for baseline in (floor, peer, quiet_peer):
        await baseline.state.core.close()


async def post_all(clients: Clients, **kwargs: Any) -> dict[str, httpx.Response]:
    return {name: await clients[name].post(CHAT_PATH, **kwargs) for name in SERVERS}


def shape(response: httpx.Response) -> dict[str, Any]:
    """What must not differ between the servers: status, media type and the body's keys (and actions)."""
    body = response.json()
    return {
        "status": response.status_code,
        "content_type": response.headers["content-type"],
        "keys": sorted(body),
        "actions": [action["rel"] for action in body.get("allowed_actions", [])] if "error" in body else None,
        "challenge": "www-authenticate" in response.headers,
    }


def assert_same_shape(responses: dict[str, httpx.Response], status: int) -> None:
    shapes = {name: shape(response) for name, response in responses.items()}
    assert shapes["ours"]["status"] == status, responses["ours"].text
    for name in SERVERS[1:]:
        assert shapes[name] == shapes["ours"], (name, responses[name].text, responses["ours"].text)


@contextmanager
def statements() -> Iterator[list[str]]:
    """Every statement any engine sends while the block runs, transaction boundaries included."""
    seen: list[str] = []
    listeners: dict[str, Callable[..., None]] = {
        "before_cursor_execute": lambda conn, cursor, statement, *args: seen.append(statement),
        "begin": lambda conn: seen.append("BEGIN"),
        "commit": lambda conn: seen.append("COMMIT"),
        "rollback": lambda conn: seen.append("ROLLBACK"),
    }
    for name, listener in listeners.items():
        event.listen(Engine, name, listener)
    try:
        yield seen
    finally:
        for name, listener in listeners.items():
            event.remove(Engine, name, listener)


async def count_sessions(accounts: Accounts) -> int:
    async with accounts.database.transaction() as tx:
        return int((await tx.execute(select(func.count()).select_from(SESSIONS))).scalar_one())


async def test_hot_path_answers_the_same_session_with_the_same_json(clients: Clients, accounts: Accounts) -> None:
    caller = await accounts.caller()
    first = await clients["ours"].post(CHAT_PATH, content=BODY, headers={**JSON, **caller.key_headers()})
    assert first.status_code == 200, first.text

    responses = await post_all(clients, content=BODY, headers={**JSON, **caller.key_headers()})

    assert_same_shape(responses, 200)
    # The same stored session, serialized by the same presenter: byte-for-byte the same document.
    assert {name: r.json() for name, r in responses.items()} == {name: first.json() for name in SERVERS}


async def test_hot_path_with_a_bearer_token(clients: Clients, accounts: Accounts) -> None:
    caller = await accounts.caller()
    await clients["ours"].post(CHAT_PATH, headers=caller.bearer_headers())

    responses = await post_all(clients, headers=caller.bearer_headers())

    assert_same_shape(responses, 200)
    assert len({r.json()["id"] for r in responses.values()}) == 1


async def test_creation_path_creates_one_session_per_new_user(clients: Clients, accounts: Accounts) -> None:
    org = await accounts.organization()
    before = await count_sessions(accounts)
    responses = {}
    for name in SERVERS:
        user = uuid.uuid4()
        headers = {**JSON, "Authorization": f"Bearer {accounts.token(org, user)}"}
        responses[name] = await clients[name].post(CHAT_PATH, content=BODY, headers=headers)

    assert_same_shape(responses, 200)
    assert await count_sessions(accounts) == before + len(SERVERS)
    assert len({r.json()["id"] for r in responses.values()}) == len(SERVERS)
    assert {r.json()["locale"] for r in responses.values()} == {"uk-UA"}


async def test_the_storage_work_is_the_same(clients: Clients, accounts: Accounts) -> None:
    """The baselines mirror our handler (scripts/bench/common.py): the same statements, in the same order,
    for the hot path (API key and bearer token) and for a creation."""
    org = await accounts.organization()
    caller = await accounts.caller(org)
    await clients["ours"].post(CHAT_PATH, headers=caller.key_headers())
    sent: dict[str, dict[str, list[str]]] = {}
    for name in SERVERS:
        requests = {
            "hot, API key": {**JSON, **caller.key_headers()},
            "hot, bearer": {**JSON, **caller.bearer_headers()},
            "creation": {**JSON, "Authorization": f"Bearer {accounts.token(org, uuid.uuid4())}"},
        }
        for label, headers in requests.items():
            with statements() as seen:
                response = await clients[name].post(CHAT_PATH, content=BODY, headers=headers)
            assert response.status_code == 200, (name, label, response.text)
            sent.setdefault(label, {})[name] = seen

    for label, by_server in sent.items():
        assert by_server["ours"], label
        for name in SERVERS[1:]:
            assert by_server[name] == by_server["ours"], (label, name)


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        pytest.param({}, 200, id="no body"),
        pytest.param({"content": b"null", "headers": JSON}, 200, id="json null"),
        pytest.param({"json": {}}, 200, id="empty object"),
        pytest.param({"json": {"locale": None}}, 200, id="null locale"),
        pytest.param({"json": {"locale": "not a locale"}}, 400, id="invalid locale"),
        pytest.param({"json": {"locale": 5}}, 400, id="locale not a string"),
        pytest.param({"json": ["uk-UA"]}, 400, id="array body"),
        pytest.param({"content": b"{", "headers": JSON}, 400, id="malformed json"),
        pytest.param({"content": b'{"locale": "\xff"}', "headers": JSON}, 400, id="not utf-8"),
        pytest.param({"content": b"locale=uk", "headers": {"content-type": "text/plain"}}, 415, id="not json"),
    ],
)
async def test_bodies_are_judged_alike(
    clients: Clients, accounts: Accounts, kwargs: dict[str, Any], status: int
) -> None:
    caller = await accounts.caller()
    kwargs = {**kwargs, "headers": {**kwargs.get("headers", {}), **caller.key_headers()}}

    assert_same_shape(await post_all(clients, **kwargs), status)


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(None, id="missing"),
        pytest.param("evr_pat_" + "x" * 43, id="unknown key"),
        pytest.param("Bearer not-a-jwt", id="bad token"),
    ],
)
async def test_credentials_are_checked_alike(clients: Clients, authorization: str | None) -> None:
    headers = {**JSON, **({"Authorization": authorization} if authorization else {})}

    responses = await post_all(clients, content=BODY, headers=headers)

    assert_same_shape(responses, 401)
    assert {r.json()["error"] for r in responses.values()} == {responses["ours"].json()["error"]}


def test_the_quiet_peer_has_fastapis_telemetry_off_and_the_other_its_defaults(keys_settings: Settings) -> None:
    """What the two FastAPI rows differ by: FastAPI's own TelemetryConfig switches, nothing else."""
    shipped = fastapi_app.create_app(keys_settings)
    quiet = fastapi_app.create_app_without_telemetry(keys_settings)

    def switches(app: Any) -> dict[str, bool]:
        config = app._telemetry
        return {name: config[name] for name in ("tracing", "metrics", "logs", "operation_spans")}

    assert set(switches(shipped).values()) == {True}
    assert set(switches(quiet).values()) == {False}
    assert not quiet._native_telemetry.enabled()


def test_vs_fastapi_is_taken_against_the_faster_peer() -> None:
    from scripts.bench.report import ratios

    def row(server: str, rps: float, p99: float) -> dict[str, Any]:
        return {"server": server, "scenario": "hot", "backend": "sqlite", "rps_median": rps, "p99_ms": p99}

    rows = [row("ours", 1200, 8.0), row("fastapi", 1000, 10.0), row("fastapi_otel_off", 1100, 12.0)]
    per_backend, worst = ratios(rows, ["sqlite"])

    assert per_backend["sqlite"]["hot_vs_fastapi"] == round(1200 / 1100, 3)  # the faster by req/s
    assert per_backend["sqlite"]["p99_vs_fastapi"] == round(8.0 / 10.0, 3)  # the faster by latency
    assert worst["hot_vs_fastapi"] == round(1200 / 1100, 3)
