"""Pins what web/http_protocol.py relies on in uvicorn's httptools protocol, by the behaviour it gives: the
protocol fed bytes through a transport that records what it is sent, no network. None of these names is a
documented extension point of uvicorn (its documented one is the `http` option: an import string, which
`global-chat serve` uses); docs/architecture.md lists them. tests/hostile/test_server_bounds.py checks the
same bounds on a real server over sockets.

Relied on: the protocol class uvicorn loads from the `http` option; its constructor and per-connection state
(`app`, `loop`, `connections`, `cycle`, `server_state`, `flow`); the parser callbacks `data_received`,
`on_headers_complete` and `on_message_complete`; `send_400_response(msg)` for what the parser refuses; the
cycle's `response_complete` and `keep_alive`; and one underscore method, `_unsupported_upgrade_warning`."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from uvicorn.config import Config
from uvicorn.server import ServerState

from global_chat.web.http_protocol import HTTP_PROTOCOL, BoundedHttpToolsProtocol, HttpLimits
from scripts.bench.protocol import DiscardingTransport
from tests.support.lock import assert_installed_as_locked

pytestmark = pytest.mark.anyio
REQUEST = b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"
LIMITS = HttpLimits(max_header_bytes=1024, header_timeout=0.2, body_timeout=0.2, max_connections=4, retry_after=1)


class RecordingTransport(DiscardingTransport):
    """The benchmark's transport (scripts/bench/protocol.py), keeping what it is sent."""

    def __init__(self) -> None:
        super().__init__()
        self.sent = b""

    def write(self, data: Any) -> None:
        self.sent += bytes(data)

    @property
    def closed(self) -> bool:
        return self.is_closing()


async def ok_app(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"{}"})


@pytest.fixture
def connections() -> Iterator[Any]:
    """Opens connections of our protocol (one ServerState: they count each other) and closes them after."""
    config = Config(app=ok_app, http=HTTP_PROTOCOL, log_level="warning", lifespan="off", ws="none")
    config.load()
    state = ServerState()
    opened: list[tuple[BoundedHttpToolsProtocol, RecordingTransport]] = []

    def connect(limits: HttpLimits = LIMITS) -> tuple[BoundedHttpToolsProtocol, RecordingTransport]:
        protocol = BoundedHttpToolsProtocol(config=config, server_state=state, app_state={}, limits=limits)
        transport = RecordingTransport()
        protocol.connection_made(transport)
        opened.append((protocol, transport))
        return protocol, transport

    yield connect
    for protocol, _ in opened:
        protocol.connection_lost(None)


def answer(transport: RecordingTransport) -> tuple[int, dict[str, Any]]:
    head, _, body = transport.sent.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), json.loads(body) if body.startswith(b"{") else {}


def test_serve_loads_our_protocol_from_the_http_option() -> None:
    config = Config(app=ok_app, http=HTTP_PROTOCOL, lifespan="off")
    config.load()

    assert config.http_protocol_class is BoundedHttpToolsProtocol


async def test_a_request_is_served_by_the_app(connections: Any) -> None:
    protocol, transport = connections()

    protocol.data_received(REQUEST)
    await asyncio.sleep(0.01)

    assert transport.sent.startswith(b"HTTP/1.1 200") and not transport.closed


async def test_what_the_parser_refuses_is_our_400(connections: Any) -> None:
    protocol, transport = connections()

    protocol.data_received(b"GET / HTTP/1.1\r\nContent-Length: nope\r\n\r\n")

    status, body = answer(transport)
    assert (status, body["code"]) == (400, "invalid_request")
    assert transport.closed


async def test_a_head_past_the_bound_is_a_431_before_the_parser_buffers_it(connections: Any) -> None:
    protocol, transport = connections()

    protocol.data_received(b"GET / HTTP/1.1\r\nX-Big: " + b"x" * 4096 + b"\r\n\r\n")

    assert answer(transport)[0] == 431 and transport.closed


async def test_a_head_that_never_completes_is_a_408(connections: Any) -> None:
    protocol, transport = connections()

    protocol.data_received(b"GET / HTTP/1.1\r\nHost:")
    await asyncio.sleep(LIMITS.header_timeout * 3)

    assert answer(transport)[0] == 408 and transport.closed


async def test_a_connection_past_the_cap_is_a_503(connections: Any) -> None:
    for _ in range(LIMITS.max_connections):
        connections()
    protocol, transport = connections()

    protocol.data_received(REQUEST)
    await asyncio.sleep(0.01)

    assert answer(transport)[0] == 503


async def test_an_upgrade_request_is_plain_http_and_logs_nothing(
    connections: Any, caplog: pytest.LogCaptureFixture
) -> None:
    protocol, transport = connections()

    with caplog.at_level(logging.DEBUG, logger="uvicorn.error"):
        protocol.data_received(b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
        await asyncio.sleep(0.01)

    assert transport.sent.startswith(b"HTTP/1.1 200")
    assert [record.getMessage() for record in caplog.records if record.name.startswith("uvicorn")] == []


def test_uvicorn_is_the_version_these_behaviours_were_checked_on() -> None:
    assert_installed_as_locked("uvicorn")
    assert_installed_as_locked("httptools")
