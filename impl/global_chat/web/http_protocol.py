"""The HTTP/1.1 connection: uvicorn's httptools protocol with the bounds it lacks, and the contract's
error body on what it answers itself.

uvicorn (0.54) bounds neither the size of a request head (httptools/llhttp accept headers of any size:
four 32 MiB headers took a worker from 118 to 332 MiB before any authentication) nor the time a client
may take to send one or its body (a client dribbling one byte a second holds its connection forever),
and caps connections only with a text/plain 503 (`limit_concurrency`). Its h11 protocol bounds the
head (`h11_max_incomplete_event_size`) but answers 400 and times nothing either, and is slower. So this
subclass adds, per connection, in the order bytes arrive:

- a cap on concurrent connections per worker: a connection past it is answered 503 (Retry-After) and closed;
- the head (request line and headers) larger than `max_header_bytes`: 431, counted on the bytes before the
  parser buffers them, so memory stays bounded whatever the client sends;
- the head not complete `header_timeout` seconds after the connection opened (or after the first byte of
  a later request on a kept-alive connection): 408 and close (closed silently when not a byte came);
- the body not complete `body_timeout` seconds after the head: the connection is closed (the app, if it
  is reading the body, sees the client disconnect); no answer, since the app may be answering already;
- uvicorn's own answer to a request its parser refuses (a bad method, Content-Length, Transfer-Encoding,
  a NUL in a header, ...) is the contract's ErrorResponse (400), not text/plain.

Idle kept-alive connections stay uvicorn's (`timeout_keep_alive`). With no WebSocket protocol (the API
has none), a request with an Upgrade header is served as plain HTTP without uvicorn's two warnings.
Every answer here carries an X-Request-Id like the app's and closes the connection. The uvicorn names
this relies on are pinned by tests/web/test_http_protocol.py.
"""

from __future__ import annotations

import asyncio
import functools
import http
from dataclasses import dataclass
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from global_chat.errors import DomainError, HeadersTooLarge, InvalidRequest, RequestTimeout, TooManyConnections, render
from global_chat.logs import get_logger
from global_chat.settings import Settings
from global_chat.web.request_id import HEADER as REQUEST_ID_HEADER
from global_chat.web.request_id import new_request_id

log = get_logger("global_chat.http")
HTTP_PROTOCOL = f"{__name__}:BoundedHttpToolsProtocol"
"""uvicorn's `http` option (an import string, so that every worker process builds it)."""


@dataclass(frozen=True, slots=True)
class HttpLimits:
    max_header_bytes: int
    header_timeout: float
    body_timeout: float
    max_connections: int
    retry_after: int
    """Retry-After (s) of the 503 past `max_connections`."""

    @classmethod
    def from_settings(cls, settings: Settings) -> HttpLimits:
        return cls(
            max_header_bytes=settings.http_max_header_bytes,
            header_timeout=settings.http_header_timeout,
            body_timeout=settings.http_body_timeout,
            max_connections=settings.http_max_connections,
            retry_after=1,
        )


@functools.cache
def settings_limits() -> HttpLimits:
    """This worker's limits, from the settings it reads at start-up like the app factory does
    (uvicorn builds both in each worker process, from their import strings)."""
    return HttpLimits.from_settings(Settings())


def error_parts(error: DomainError) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
    """`error` as the contract's ErrorResponse: status, body and the headers of an answer that closes the
    connection (the error's own, the body's, a new X-Request-Id like the app's, Connection: close)."""
    status, body, headers = render(error)
    raw_headers = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]
    raw_headers += [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (REQUEST_ID_HEADER.lower().encode(), new_request_id().encode()),
        (b"connection", b"close"),
    ]
    return status, body, raw_headers


def error_response(error: DomainError, default_headers: list[tuple[bytes, bytes]]) -> bytes:
    """A whole HTTP/1.1 response carrying `error` (error_parts), written by the protocol itself."""
    status, body, headers = error_parts(error)
    lines = [f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}".encode()]
    lines += [name + b": " + value for name, value in [*default_headers, *headers]]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the bounds above: `uvicorn.run(..., http=HTTP_PROTOCOL)`."""

    def __init__(self, *args: Any, limits: HttpLimits | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = limits or settings_limits()
        self._in_head = True  # the bytes arriving belong to a request head (until the parser completes it)
        self._in_body = False
        self._head_bytes = 0
        self._head_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None
        self._over_capacity = False

    # -- the connection ------------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # Decided once, when the connection opens: the connections already served keep being served.
        self._over_capacity = len(self.connections) > self.limits.max_connections
        # A connection that sends nothing, or its head too slowly, is closed like a slow head.
        self._head_timer = self.loop.call_later(self.limits.header_timeout, self._head_timed_out)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        self._cancel_body_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        while data:
            if not self._in_head:
                # Pipelined: a next head in these bytes is counted from its next read on (one read at most).
                super().data_received(data)
                break
            room = self.limits.max_header_bytes - self._head_bytes
            chunk, data = data[:room], data[room:]
            self._head_bytes += len(chunk)
            if chunk:
                super().data_received(chunk)
            if self.transport.is_closing():
                return
            if self._in_head and data:  # the head is still not complete and the bytes go past the bound
                self._refuse(HeadersTooLarge(self.limits.max_header_bytes))
                return
        if self.transport.is_closing():
            return
        if self._in_head and self._head_bytes and self._head_timer is None:
            self._head_timer = self.loop.call_later(self.limits.header_timeout, self._head_timed_out)
        if self._in_body and self._body_timer is None:
            self._body_timer = self.loop.call_later(self.limits.body_timeout, self._body_timed_out)

    # -- parser callbacks ------------------------------------------------------------------------------

    def on_headers_complete(self) -> None:
        self._in_head, self._in_body, self._head_bytes = False, True, 0
        self._cancel_head_timer()
        if self._over_capacity:
            self.app = self._over_capacity_app  # this connection's app: the answer, then close
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._in_head, self._in_body = True, False
        self._cancel_body_timer()
        super().on_message_complete()

    def _unsupported_upgrade_warning(self) -> None:
        """uvicorn logs two warnings for every request with an Upgrade header when it has no WebSocket
        protocol, one blaming a missing library: here there is none on purpose (`ws="none"`), and the
        request is served as plain HTTP. Nothing to log (and no log lines for a client to multiply)."""

    # -- answers ---------------------------------------------------------------------------------------

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to what its parser refuses (`msg` is uvicorn's own, not the client's)."""
        self._respond_and_close(InvalidRequest("the request is not valid HTTP/1.1"))

    async def _over_capacity_app(self, scope: Any, receive: Any, send: Any) -> None:
        log.warning("connection refused: too many connections", max_connections=self.limits.max_connections)
        status, body, headers = error_parts(TooManyConnections(self.limits.retry_after))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if not self._head_bytes:
            # Nothing sent at all (a pre-opened connection, say): closed without a word, as an idle
            # kept-alive one is, so that no client reads an answer to a request it has not sent yet.
            self.transport.close()
            return
        log.warning("request head timed out", timeout_s=self.limits.header_timeout, received_bytes=self._head_bytes)
        self._refuse(RequestTimeout())

    def _body_timed_out(self) -> None:
        self._body_timer = None
        log.warning("request body timed out; closing the connection", timeout_s=self.limits.body_timeout)
        if not self.transport.is_closing():
            self.transport.close()

    def _refuse(self, error: DomainError) -> None:
        """Answer `error` and close, unless a response of the app's is under way on this connection (a
        pipelined request's): then only close, after nothing more is read."""
        if self.cycle is not None and not self.cycle.response_complete:
            self.flow.pause_reading()
            self.cycle.keep_alive = False
            return
        if error.status != 408:
            log.warning("request refused", status=error.status, error=error.message)
        self._respond_and_close(error)

    def _respond_and_close(self, error: DomainError) -> None:
        if self.transport.is_closing():
            return
        self.transport.write(error_response(error, self.server_state.default_headers))
        self.transport.close()

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _cancel_body_timer(self) -> None:
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None
