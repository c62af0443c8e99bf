"""The request boundary, outermost of all: request id and log context, operator endpoints, the
contract's method table (405), the body limit (413), and per-operation metrics and access log."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping
from typing import Any

import uuid_utils
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from global_chat.errors import DomainError, error_body
from global_chat.logs import REQUEST_ID, get_logger
from global_chat.web import ops
from global_chat.web.container import SCOPE_KEY, Container

REQUEST_ID_SCOPE_KEY = "global_chat.request_id"
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
HTTP_METHODS = ("GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE")
UNMATCHED = "unmatched"

ACCESS_LOGGER = "global_chat.access"
access_log = get_logger(ACCESS_LOGGER)


class RouteTable:
    """The contract's operations by path and method, matched as OpenAPI says: a concrete path
    before a templated one (`/v1/sessions/chat` is not `/v1/sessions/{session_id}`)."""

    def __init__(self, paths: Mapping[str, Mapping[str, Any]]) -> None:
        self._concrete: dict[str, dict[str, str]] = {}
        self._templated: list[tuple[re.Pattern[str], dict[str, str]]] = []
        for path, item in paths.items():
            operations = {m: item[m.lower()]["operationId"] for m in HTTP_METHODS if m.lower() in item}
            if "{" in path:
                regex = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path))
                self._templated.append((re.compile(regex), operations))
            else:
                self._concrete[path] = operations

    def match(self, path: str) -> dict[str, str] | None:
        """method -> operationId of the path item `path` belongs to; None outside the contract."""
        operations = self._concrete.get(path)
        if operations is not None:
            return operations
        for regex, templated in self._templated:
            if regex.fullmatch(path):
                return templated
        return None


class MethodNotAllowed(DomainError):
    status = 405
    message = "Method not allowed on this resource."

    def __init__(self, allowed: frozenset[str]) -> None:
        super().__init__()
        self.allowed = allowed

    def headers(self) -> dict[str, str]:
        return {"Allow": ", ".join(sorted(self.allowed))}


class PayloadTooLarge(DomainError):
    status = 413

    def __init__(self, limit: int) -> None:
        super().__init__(f"Request body exceeds {limit} bytes.")


class RequestBoundary:
    def __init__(self, app: ASGIApp, *, container: Container, routes: RouteTable) -> None:
        self.app = app
        self.container = container
        self.routes = routes
        self.limit = container.settings.max_body_bytes
        self.log_requests = logging.getLogger(ACCESS_LOGGER).isEnabledFor(logging.INFO)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id, declared = _read_headers(scope)
        scope[SCOPE_KEY] = self.container
        scope[REQUEST_ID_SCOPE_KEY] = request_id
        REQUEST_ID.set(request_id)
        path, method = scope["path"], scope["method"]
        operations = self.routes.match(path)
        operation = operations.get(method, UNMATCHED) if operations is not None else UNMATCHED
        status = 500  # what the client gets if the app fails before it starts a response

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            if path in ops.PATHS and method == "GET":
                operation = path.strip("/")
                code, body, headers = await ops.answer(path, self.container)
                await _send(send_with_id, code, body, headers)
            elif operations is not None and method not in operations:
                await _send_error(send_with_id, MethodNotAllowed(frozenset(operations)))
            elif declared is not None and declared > self.limit:
                await _send_error(send_with_id, PayloadTooLarge(self.limit))
            else:
                await self.app(scope, self._limited(receive), send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            self.container.metrics.observe_request(operation, status, elapsed)
            if self.log_requests and operation not in ("healthz", "readyz", "metrics"):
                access_log.info(
                    "request",
                    method=method,
                    path=path,
                    operation=operation,
                    status=status,
                    duration_ms=round(elapsed * 1000, 2),
                )

    def _limited(self, receive: Receive) -> Receive:
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                # Raised inside the app, so the exception middleware renders it as the contract's 413.
                raise PayloadTooLarge(self.limit)
            return message

        return limited_receive


def _read_headers(scope: Scope) -> tuple[str, int | None]:
    """The request id (the caller's X-Request-Id if it is safe to echo, else a new one) and the
    declared Content-Length, in one pass over the headers."""
    request_id: str | None = None
    declared: int | None = None
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                declared = int(value)
            except ValueError:
                declared = None
        elif name == b"x-request-id":
            candidate = value.decode("latin-1")
            if _SAFE_REQUEST_ID.fullmatch(candidate):
                request_id = candidate
    return request_id or uuid_utils.uuid7().hex, declared


async def _send(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _send_error(send: Send, error: DomainError) -> None:
    headers = [(b"content-type", b"application/json")]
    headers += [(name.lower().encode(), value.encode()) for name, value in error.headers().items()]
    await _send(send, error.status, error_body(error.message), headers)
