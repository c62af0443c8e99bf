"""Each HTTP request's id (web/request_id.py) and its observation, the metrics and the access log line:
operation, status, duration (never headers, never the query string). The operation is the one Connexion's
routing matched (its routing context).

One layer and one `send` wrapper for both jobs: the wrapper notes the status and adds the X-Request-Id
line to the answer's head; the id itself, and what it may be, is web/request_id.py's business. The same
wrapper may apply one more head policy, given as a pure function of the request's method, the status and
the header lines (web/response_head.py gives it the cache policy's), so that an answer's head is rewritten
once and not by one wrapper per concern."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from connexion.middleware.routing import ROUTING_CONTEXT
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from global_chat.logs import get_logger
from global_chat.metrics import Metrics
from global_chat.web import request_id
from global_chat.web.mcp import MCP_PATH
from global_chat.web.probes import PROBES

ACCESS_LOGGER = "global_chat.access"
UNMATCHED = "unmatched"
OUTSIDE_CONTRACT = {**PROBES, MCP_PATH: "mcp"}
"""path -> the name its requests are counted under, for the routes that are not the contract's operations:
an MCP exchange is counted as `mcp`, and each tool call once more as the operation it runs (docs/mcp.md)."""
access_log = get_logger(ACCESS_LOGGER)

HeaderLines = list[tuple[bytes, bytes]]
HeadPolicy = Callable[[str, int, HeaderLines], HeaderLines]
"""(request method, status, the answer's header lines) -> the lines to send: e.g. cache_policy.with_policy."""


class ObservabilityMiddleware:
    def __init__(self, app: ASGIApp, *, metrics: Metrics, head_policy: HeadPolicy | None = None) -> None:
        self.app = app
        self.metrics = metrics
        self.head_policy = head_policy  # applied to the head, X-Request-Id line included, after it is added
        self.log_requests = logging.getLogger(ACCESS_LOGGER).isEnabledFor(logging.INFO)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "websocket":
                request_id.begin(scope)  # not served, but what is logged of it carries an id too
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        id_line = request_id.response_header(request_id.begin(scope))
        # Connexion's routing records the matched operation in scope["extensions"], on a copy of the
        # scope: one `extensions` dict, made here, is shared by the copies, so it is seen here after.
        extensions = scope.setdefault("extensions", {})
        status = 500  # what the client gets if the app fails before it starts a response
        head_policy = self.head_policy

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                # a new list, last: the sender's own list (a response's headers) is left as it was
                headers = [*message.get("headers", ()), id_line]
                message["headers"] = headers if head_policy is None else head_policy(scope["method"], status, headers)
            await send(message)

        try:
            await self.app(scope, receive, send_observed)
        finally:
            elapsed = time.perf_counter() - started
            path = scope["path"]
            operation = (
                extensions.get(ROUTING_CONTEXT, {}).get("operation_id") or OUTSIDE_CONTRACT.get(path) or UNMATCHED
            )
            self.metrics.observe_request(operation, status, elapsed)
            if self.log_requests and path not in PROBES:
                access_log.info(
                    "request",
                    method=scope["method"],
                    path=path,
                    operation=operation,
                    status=status,
                    duration_ms=round(elapsed * 1000, 2),
                )
