"""The body limit (web/body_limit.py) on its own: a declared length over the limit refused before the app, and
the bytes received counted whatever the head says. The whole app's answers (the 413 in the contract's shape)
are in tests/web/test_errors.py; what a real server does with a lying Content-Length is in
tests/hostile/test_server_bounds.py."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.types import Message, Receive, Scope, Send

from global_chat.errors import PayloadTooLarge
from global_chat.web.body_limit import BodyLimitMiddleware

pytestmark = pytest.mark.anyio
LIMIT = 100


class Reader:
    """An app that reads the whole body with the `receive` it was given, and keeps that `receive`."""

    def __init__(self) -> None:
        self.receive: Receive | None = None
        self.body = b""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.receive = receive
        while True:
            message = await receive()
            self.body += message.get("body", b"")
            if not message.get("more_body", False):
                return


def http(headers: list[tuple[bytes, bytes]], http_version: str = "1.1") -> dict[str, Any]:
    return {"type": "http", "http_version": http_version, "method": "POST", "path": "/", "headers": headers}


def body_of(*chunks: bytes) -> Receive:
    last = len(chunks) - 1
    messages = [{"type": "http.request", "body": chunk, "more_body": n < last} for n, chunk in enumerate(chunks)]

    async def receive() -> Message:
        return messages.pop(0)

    return receive


async def no_send(message: Message) -> None:
    raise AssertionError("the layer answers nothing itself")


async def test_a_declared_length_over_the_limit_is_refused_before_the_app() -> None:
    inner = Reader()

    with pytest.raises(PayloadTooLarge):
        await BodyLimitMiddleware(inner, limit=LIMIT)(http([(b"content-length", b"101")]), body_of(b""), no_send)
    assert inner.receive is None


@pytest.mark.parametrize(
    ("headers", "http_version"),
    [
        pytest.param([(b"transfer-encoding", b"chunked")], "1.1", id="chunked"),
        pytest.param([], "1.1", id="no length"),
        pytest.param([(b"content-length", b"2"), (b"transfer-encoding", b"chunked")], "1.1", id="length and chunked"),
        pytest.param([(b"content-length", b"2"), (b"content-length", b"2")], "1.1", id="two lengths"),
        pytest.param([(b"content-length", b"+2")], "1.1", id="not digits"),
        pytest.param([(b"content-length", b"2")], "2", id="http/2"),
        pytest.param([(b"content-length", b"2")], "1.1", id="a length within the limit, and a lie"),
    ],
)
async def test_the_bytes_received_are_counted_and_refused_past_the_limit(
    headers: list[tuple[bytes, bytes]], http_version: str
) -> None:
    inner = Reader()
    receive = body_of(b"x" * 60, b"x" * 60)

    with pytest.raises(PayloadTooLarge):
        await BodyLimitMiddleware(inner, limit=LIMIT)(http(headers, http_version), receive, no_send)
    assert inner.body == b"x" * 60  # the first chunk, within the limit; the second is refused


async def test_a_counted_body_within_the_limit_is_passed_on_whole() -> None:
    inner = Reader()

    await BodyLimitMiddleware(inner, limit=LIMIT)(
        http([(b"transfer-encoding", b"chunked")]), body_of(b"x" * 50, b"x" * 50), no_send
    )

    assert inner.body == b"x" * 100


async def test_other_scopes_pass_through() -> None:
    inner = Reader()
    receive = body_of(b"")

    await BodyLimitMiddleware(inner, limit=LIMIT)({"type": "websocket", "headers": []}, receive, no_send)

    assert inner.receive is receive
