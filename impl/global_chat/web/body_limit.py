"""Request bodies larger than MAX_BODY_BYTES get a 413: at once when Content-Length says so, else
as soon as the bytes actually received pass the limit (a chunked or lying client)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from global_chat.errors import PayloadTooLarge


class BodyLimitMiddleware:
    """Sits inside Connexion's ExceptionMiddleware, so its PayloadTooLarge is rendered like any error."""

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                raise PayloadTooLarge(self.limit)
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise PayloadTooLarge(self.limit)
            return message

        await self.app(scope, limited_receive, send)
