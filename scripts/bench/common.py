"""What the benchmark's two baseline servers share with ours: the very same credentials check,
get-or-create, storage and serialization (our real code, built the way create_app() builds it), so
that the only thing that differs between the three servers is the web framework around them.
"""

from __future__ import annotations

from dataclasses import dataclass

from global_chat.errors import CHAT_OPERATION, Action, BadRequest, DomainError, render
from global_chat.identity import Identity
from global_chat.logs import configure_logging
from global_chat.sessions.handlers import global_chat_json
from global_chat.settings import Settings
from global_chat.web.container import Container, build_container
from global_chat.web.security import Authenticator
from global_chat_generated import server
from scripts.bench.wire import BODY, CHAT_PATH

__all__ = ["BODY", "CHAT_PATH", "Core", "UnsupportedMediaType", "bad_request", "build_core", "error_parts"]

JSON = "application/json"
RETRY_HINT = "Fix the request to match the contract, then send it again."


class UnsupportedMediaType(DomainError):
    status = 415
    message = "Unsupported media type; send application/json."


def bad_request(detail: str) -> BadRequest:
    """A 400 shaped like ours: the message and a `retry` action."""
    return BadRequest(
        f"Invalid request: {detail}", actions=[Action("retry", hint=RETRY_HINT, operation_id=CHAT_OPERATION)]
    )


def is_json_media_type(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() == JSON


@dataclass(frozen=True, slots=True)
class Core:
    settings: Settings
    container: Container
    authenticator: Authenticator

    async def authenticate(self, authorization: str | None) -> Identity:
        return await self.authenticator.authenticate(authorization)

    async def get_or_create_chat_session(self, identity: Identity, locale: str | None) -> bytes:
        """Our handler's own get-or-create below the web framework (handlers.global_chat_json): the
        baselines do the same work as ours by construction, however it changes (tests/bench checks that
        the three servers send the database the same statements)."""
        return await global_chat_json(self.container, identity, locale)

    async def close(self) -> None:
        await self.container.database.dispose()


def build_core(settings: Settings | None = None) -> Core:
    """The same dependencies create_app() builds, from the same settings (the environment by default)."""
    settings = settings or Settings()
    configure_logging(settings.log_level)
    container = build_container(settings, list(server.OPERATIONS))
    authenticator = Authenticator(settings, container.database, container.accounts)
    return Core(settings, container, authenticator)


def error_parts(error: DomainError) -> tuple[int, bytes, dict[str, str]]:
    """The contract's ErrorResponse for `error`, through our one renderer."""
    status, body, headers = render(error)
    return status, body, dict(headers)
