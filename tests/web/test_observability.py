"""The request id and the request's observation, one layer (web/observability.py, web/request_id.py): what
the layer does with the request id, on a toy app; the end-to-end behaviour (the id in the answer, the
500 body and the access log) is tests/web/test_ops.py's and tests/web/test_errors.py's."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from starlette.types import Message, Receive, Scope, Send

from global_chat.metrics import Metrics
from global_chat.web import request_id
from global_chat.web.observability import ObservabilityMiddleware
from tests.support.asgi import messages_sent

pytestmark = pytest.mark.anyio
RAW = b"x-request-id"


class Answers:
    """A toy app: one 204 whose header list is its own (as a prebuilt response's is); notes the current id."""

    def __init__(self) -> None:
        self.headers: list[tuple[bytes, bytes]] = [(b"x-own", b"1")]
        self.seen: list[str | None] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.seen.append(request_id.current_request_id())
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 204, "headers": self.headers})
            await send({"type": "http.response.body", "body": b""})


async def answer(app: Any, headers: list[tuple[bytes, bytes]], scope_type: str = "http") -> list[Message]:
    return await messages_sent(app, {"type": scope_type, "method": "GET", "path": "/v1/x", "headers": headers})


def ids_of(message: Message) -> list[bytes]:
    return [value for name, value in message["headers"] if name == RAW]


async def test_a_safe_id_of_the_caller_is_kept_and_returned_last() -> None:
    app = Answers()
    (start, _body) = await answer(ObservabilityMiddleware(app, metrics=Metrics()), [(RAW, b"trace-1"), (RAW, b"x")])

    assert start["headers"] == [(b"x-own", b"1"), (RAW, b"trace-1")]  # the first line of the request's
    assert app.seen == ["trace-1"]


@pytest.mark.parametrize("given", [[], [(RAW, b"")]], ids=["none", "empty"])
async def test_without_an_id_a_new_one_is_made_quietly(
    given: list[tuple[bytes, bytes]], caplog: pytest.LogCaptureFixture
) -> None:
    app = Answers()
    with caplog.at_level(logging.WARNING):
        (start, _body) = await answer(ObservabilityMiddleware(app, metrics=Metrics()), given)

    (made,) = ids_of(start)
    assert len(made) == 32 and int(made, 16)  # a UUIDv7, hex
    assert app.seen == [made.decode()]
    assert not caplog.records


@pytest.mark.parametrize("unsafe", [b"a b", b"x" * 129, b"\x00\xff", b"<script>"])
async def test_an_unsafe_id_is_replaced_and_the_replacement_logged(
    unsafe: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    app = Answers()
    with caplog.at_level(logging.WARNING):
        (start, _body) = await answer(ObservabilityMiddleware(app, metrics=Metrics()), [(RAW, unsafe)])

    (made,) = ids_of(start)
    assert made != unsafe and request_id.is_safe(made.decode())
    assert [r.getMessage() for r in caplog.records] == [request_id.UNSAFE_MESSAGE % made.decode()]
    assert unsafe.decode("latin-1") not in caplog.text


async def test_the_answer_s_own_header_list_is_left_as_it_was() -> None:
    app = Answers()
    layer = ObservabilityMiddleware(app, metrics=Metrics())
    first, _ = await answer(layer, [(RAW, b"one")])
    second, _ = await answer(layer, [(RAW, b"two")])

    assert (ids_of(first), ids_of(second)) == ([b"one"], [b"two"])
    assert app.headers == [(b"x-own", b"1")]


async def test_a_websocket_gets_an_id_and_the_lifespan_goes_by_untouched() -> None:
    app = Answers()
    layer = ObservabilityMiddleware(app, metrics=Metrics())

    assert await answer(layer, [(RAW, b"ws-1")], scope_type="websocket") == []
    assert await answer(layer, [], scope_type="lifespan") == []
    assert app.seen[0] == "ws-1"
