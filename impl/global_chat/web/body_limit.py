"""Request bodies larger than MAX_BODY_BYTES get a 413: at once when Content-Length says so, else
as soon as the bytes actually received pass the limit (a chunked client, or one that sends no length).

A request whose head declares one Content-Length within the limit, and no Transfer-Encoding, over
HTTP/1.x, gets its `receive` unwrapped: no count per message, no closure per request (the hot path's
case: every SDK and browser sends the length of a small JSON body). The HTTP/1.1 framing already bounds
it (RFC 9112 6.3): the server reads exactly Content-Length bytes as the body, so the app cannot be given
more than was declared, and the declaration was checked here. If the length is a lie:

- shorter than what the client sends: the server hands the app the declared bytes only; the rest is
  read as the next request on the connection (a request line the parser refuses is its 400, and the
  connection is closed: tests/hostile/test_server_bounds.py);
- longer: the body never completes, and the server's body timeout closes the connection
  (web/http_protocol.py); nothing past the declared length is ever read as this body.

The servers this service runs on hold to that: uvicorn's httptools parser (ours, web/http_protocol.py)
and h11 both frame a body by its Content-Length and refuse conflicting lengths with a 400 before the app
is called (httptools also a length beside Transfer-Encoding; h11 lets Transfer-Encoding frame it). The
wrapper stays for everything the length does not bound: chunked bodies, no Content-Length, a head with
two lengths, a non-numeric one or a Transfer-Encoding beside it (as another kind of caller might hand
the app), and any HTTP version but 1.0 and 1.1. In process, the MCP tool calls (web/mcp.py, through
httpx's ASGITransport) declare the length of the body they hold, itself part of an /mcp request that
passed this limit.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from global_chat.errors import PayloadTooLarge

FRAMED_BY_LENGTH = frozenset({"1.1", "1.0"})
"""The HTTP versions whose framing bounds a body by its Content-Length (RFC 9112 6.3)."""


class BodyLimitMiddleware:
    """Sits inside Connexion's ExceptionMiddleware, so its PayloadTooLarge is rendered like any error."""

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = b""  # the one Content-Length, when the head has exactly one and nothing else frames it
        lengths = 0
        for name, value in scope["headers"]:
            if name == b"content-length":
                if value.isdigit() and int(value) > self.limit:
                    raise PayloadTooLarge(self.limit)
                lengths += 1
                declared = value
            elif name == b"transfer-encoding":
                lengths += 2
        if lengths == 1 and declared.isdigit() and scope.get("http_version") in FRAMED_BY_LENGTH:
            await self.app(scope, receive, send)  # within the limit, and the framing holds the body to it
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise PayloadTooLarge(self.limit)
            return message

        await self.app(scope, limited_receive, send)
