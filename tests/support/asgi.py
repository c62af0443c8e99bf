"""Calling an ASGI app directly in a test: the messages it sends for one request that has no body."""

from __future__ import annotations

from typing import Any

from starlette.types import Message


async def messages_sent(app: Any, scope: dict[str, Any]) -> list[Message]:
    """What `app` sends for `scope`; its receive answers http.disconnect (no body to read)."""
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent
