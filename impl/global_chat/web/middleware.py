"""The request boundary, outermost of all: request id, the container in the scope, the body limit."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from global_chat import ids
from global_chat.errors import DomainError, error_body
from global_chat.web.container import SCOPE_KEY, Container

REQUEST_ID_SCOPE_KEY = "global_chat.request_id"
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


HTTP_METHODS = ("GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE")


class MethodTable:
    """Which methods the contract declares on each path, matched as OpenAPI says: a concrete path
    before a templated one (`/v1/sessions/chat` is not `/v1/sessions/{session_id}`)."""

    def __init__(self, paths: Mapping[str, Mapping[str, Any]]) -> None:
        self._concrete: dict[str, frozenset[str]] = {}
        self._templated: list[tuple[re.Pattern[str], frozenset[str]]] = []
        for path, item in paths.items():
            methods = frozenset(m for m in HTTP_METHODS if m.lower() in item)
            if "{" in path:
                regex = re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(path))
                self._templated.append((re.compile(regex), methods))
            else:
                self._concrete[path] = methods

    def allowed(self, path: str) -> frozenset[str] | None:
        """The methods of the path item `path` belongs to; None for paths outside the contract."""
        methods = self._concrete.get(path)
        if methods is not None:
            return methods
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
    def __init__(self, app: ASGIApp, *, container: Container, methods: MethodTable) -> None:
        self.app = app
        self.container = container
        self.methods = methods
        self.limit = container.settings.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope[SCOPE_KEY] = self.container
        request_id = _request_id(scope)
        scope[REQUEST_ID_SCOPE_KEY] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        allowed = self.methods.allowed(scope["path"])
        if allowed is not None and scope["method"] not in allowed:
            await _send_error(send_with_id, MethodNotAllowed(allowed))
            return

        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            await _send_error(send_with_id, PayloadTooLarge(self.limit))
            return

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                # Raised inside the app, so the exception middleware renders it as the contract's 413.
                raise PayloadTooLarge(self.limit)
            return message

        await self.app(scope, limited_receive, send_with_id)


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            candidate: str = value.decode("latin-1")
            if _SAFE_REQUEST_ID.fullmatch(candidate):
                return candidate
    return ids.new_uuid().hex


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _send_error(send: Send, error: DomainError) -> None:
    body = error_body(error.message)
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(name.lower().encode(), value.encode()) for name, value in error.headers().items()]
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
