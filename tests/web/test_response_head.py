"""The outermost layer (web/response_head.py): for a request without Origin, its one wrapper writes the same
head, line for line, as the three layers in a row (cache policy, CORS, observability) that it still uses for
every other request; and it counts what they counted. The behaviour of each concern end to end is
tests/web/test_cache_policy.py's, test_cors.py's, test_observability.py's and test_ops.py's."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.types import Message, Receive, Scope, Send

from global_chat.metrics import Metrics
from global_chat.web.response_head import ResponseHeadMiddleware
from global_chat_generated.operations import OPERATIONS
from tests.support.asgi import messages_sent

pytestmark = pytest.mark.anyio
UI = "https://ui.example"
Lines = list[tuple[bytes, bytes]]


class Answers:
    """A toy app: one answer with the status and header lines the test chooses, or an exception."""

    def __init__(self, status: int, headers: Lines, fails: bool = False) -> None:
        self.status, self.headers, self.fails = status, headers, fails

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.fails:
            raise RuntimeError("boom")
        await send({"type": "http.response.start", "status": self.status, "headers": list(self.headers)})
        await send({"type": "http.response.body", "body": b""})


def samples_of(metrics: Metrics) -> list[Any]:
    return [sample for metric in metrics.requests.collect() for sample in metric.samples]


def layer(app: Any) -> ResponseHeadMiddleware:
    return ResponseHeadMiddleware(app, metrics=Metrics(), origins=[UI], operations=OPERATIONS)


async def answer(app: Any, method: str, headers: Lines) -> list[Message]:
    return await messages_sent(app, {"type": "http", "method": method, "path": "/v1/x", "headers": headers})


ANSWERS = [
    pytest.param(200, [(b"content-type", b"application/json")], id="200"),
    pytest.param(304, [(b"etag", b'"x"')], id="304"),
    pytest.param(404, [(b"content-type", b"application/json"), (b"vary", b"Accept")], id="404 with its own Vary"),
    pytest.param(
        200, [(b"cache-control", b"public, max-age=3600"), (b"vary", b"Origin")], id="public, as the catalog says"
    ),
    pytest.param(200, [(b"vary", b"*")], id="vary *"),
]


@pytest.mark.parametrize("method", ["GET", "POST", "HEAD"])
@pytest.mark.parametrize(("status", "headers"), ANSWERS)
async def test_without_origin_one_wrapper_writes_the_head_the_three_layers_wrote(
    method: str, status: int, headers: Lines
) -> None:
    app = Answers(status, headers)
    request = [(b"x-request-id", b"trace-1"), (b"authorization", b"k")]
    head = layer(app)

    one = await answer(head.without_origin, method, request)
    in_a_row = await answer(head.in_a_row, method, request)
    through_the_layer = await answer(head, method, request)

    assert one == in_a_row == through_the_layer
    assert (b"x-request-id", b"trace-1") in one[0]["headers"]
    assert [name for name, _ in one[0]["headers"]].count(b"cache-control") == 1


async def test_a_request_with_origin_goes_through_the_three_layers_in_a_row() -> None:
    app = Answers(200, [(b"content-type", b"application/json")])
    request = [(b"origin", UI.encode()), (b"x-request-id", b"trace-1")]
    head = layer(app)

    assert await answer(head, "POST", request) == await answer(head.in_a_row, "POST", request)
    (start, _) = await answer(head, "POST", request)
    names = [name for name, _ in start["headers"]]
    assert b"access-control-allow-origin" in names and names.count(b"vary") == 1


async def test_a_preflight_is_answered_by_cors_neither_counted_nor_given_an_id() -> None:
    metrics = Metrics()
    head = ResponseHeadMiddleware(Answers(500, []), metrics=metrics, origins=[UI], operations=OPERATIONS)
    preflight = [(b"origin", UI.encode()), (b"access-control-request-method", b"POST")]

    (start, _) = await answer(head, "OPTIONS", preflight)

    assert start["status"] == 200
    assert b"x-request-id" not in [name for name, _ in start["headers"]]
    assert (b"cache-control", b"no-store") in start["headers"]
    assert samples_of(metrics) == []


@pytest.mark.parametrize("origin", [False, True])
async def test_an_app_that_fails_is_counted_a_500_and_the_exception_goes_on(origin: bool) -> None:
    metrics = Metrics()
    head = ResponseHeadMiddleware(Answers(200, [], fails=True), metrics=metrics, origins=[UI], operations=OPERATIONS)

    with pytest.raises(RuntimeError):
        await answer(head, "POST", [(b"origin", UI.encode())] if origin else [])

    (total,) = [sample for sample in samples_of(metrics) if sample.name.endswith("_total")]
    assert total.labels == {"operation": "unmatched", "status": "500"} and total.value == 1
