"""What the benchmark's two baseline servers share with ours: the very same credentials check,
get-or-create service method, presenter and serialization (our real code, built by the same
build_services() as create_app()), so that the only thing that differs between the three servers
is the web framework around them.
"""

from __future__ import annotations

from dataclasses import dataclass

from global_chat.app import Services, build_services
from global_chat.errors import DomainError, InvalidRequest, UnsupportedMediaType, render
from global_chat.identity import Identity
from global_chat.logs import configure_logging
from global_chat.sessions.presenter import present_session
from global_chat.settings import Settings
from global_chat_generated.server.runtime import model_json
from scripts.bench.wire import BODY, CHAT_PATH

GET_OR_CREATE = "get_or_create_chat_session"
"""The operation the benchmark serves (its answer's allowed_actions are that operation's links)."""

__all__ = ["BODY", "CHAT_PATH", "Core", "InvalidRequest", "build_core", "error_parts", "require_json"]

JSON = "application/json"


def require_json(content_type: str | None) -> None:
    """The contract's 415 for a body whose Content-Type is not JSON (none at all is taken as JSON)."""
    if content_type is not None and content_type.split(";", 1)[0].strip().lower() != JSON:
        raise UnsupportedMediaType(f"Invalid Content-type ({content_type}), expected ['application/json']")


@dataclass(frozen=True, slots=True)
class Core:
    services: Services

    async def authenticate(self, authorization: str | None) -> Identity:
        return await self.services.authenticator.authenticate(authorization)

    async def get_or_create_chat_session(self, identity: Identity, locale: str | None) -> bytes:
        """Our handler's work below the web framework: the service method, the presenter, the generated
        serialization (tests/tooling/test_bench_baselines.py checks that the three servers send the same
        statements)."""
        outcome = await self.services.global_chat.get_or_create(identity, locale)
        return model_json(present_session(outcome.session, identity, self.services.links, GET_OR_CREATE))

    async def close(self) -> None:
        await self.services.database.dispose()


def build_core(settings: Settings | None = None) -> Core:
    """The same dependencies create_app() builds, from the same settings (the environment by default)."""
    settings = settings or Settings()
    configure_logging(settings.log_level)
    return Core(build_services(settings))


def error_parts(
    error: DomainError, operation_id: str = "get_or_create_chat_session"
) -> tuple[int, bytes, dict[str, str]]:
    """The contract's ErrorResponse for `error`, through our one renderer."""
    status, body, headers = render(error, operation_id=operation_id)
    return status, body, dict(headers)
