"""The contract drives the code: the generated interface is what the handlers implement, the type
checker notices when an implementation drifts from it, and the app refuses one that misses an
operation, naming it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from global_chat.context import RequestContext
from global_chat.discovery.handlers import DiscoveryHandlers
from global_chat.sessions.handlers import SessionsHandlers
from global_chat_generated import server
from global_chat_generated.api.discovery import DiscoveryApi
from global_chat_generated.api.sessions import SessionsApi
from global_chat_generated.server.runtime import OperationNotImplemented

ROOT = Path(__file__).resolve().parents[1]
IMPLEMENTATION = """
from global_chat.context import RequestContext
from global_chat_generated.api.sessions import (
    DeleteSession204,
    GetOrCreateChatSession200,
    GetSessionResult,
    PinSession204,
    SessionsApi,
    UnpinSession204,
    UpdateSession200,
)
from global_chat_generated.models import GetOrCreateChatSessionRequest, UpdateSessionRequest


class Handlers(SessionsApi[RequestContext]):
    async def get_or_create_chat_session(
        self, context: RequestContext, body: GetOrCreateChatSessionRequest | None
    ) -> GetOrCreateChatSession200:
        raise NotImplementedError

    async def get_session(
        self, context: RequestContext, session_id: {session_id_type}, if_none_match: str | None = None
    ) -> GetSessionResult:
        raise NotImplementedError

    async def update_session(
        self, context: RequestContext, session_id: str, body: UpdateSessionRequest, if_match: str | None = None
    ) -> {update_returns}:
        raise NotImplementedError

    async def delete_session(
        self, context: RequestContext, session_id: str, if_match: str | None = None
    ) -> DeleteSession204:
        raise NotImplementedError

    async def pin_session(self, context: RequestContext, session_id: str, if_match: str | None = None) -> PinSession204:
        raise NotImplementedError

    async def unpin_session(
        self, context: RequestContext, session_id: str, if_match: str | None = None
    ) -> UnpinSession204:
        raise NotImplementedError


Handlers()
"""


def mypy(source: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    module = tmp_path / "handlers_under_test.py"
    module.write_text(source)
    command = [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"), str(module)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=240)


def test_mypy_fails_when_an_implementation_drifts_from_the_contract(tmp_path: Path) -> None:
    faithful = mypy(IMPLEMENTATION.format(session_id_type="str", update_returns="UpdateSession200"), tmp_path)
    drifted = mypy(IMPLEMENTATION.format(session_id_type="int", update_returns="dict[str, str]"), tmp_path)

    assert faithful.returncode == 0, faithful.stdout
    assert drifted.returncode == 1, drifted.stdout
    supertype = 'supertype "global_chat_generated.api.sessions.SessionsApi"'
    assert f'Argument 2 of "get_session" is incompatible with {supertype}' in drifted.stdout
    assert 'Return type "Coroutine[Any, Any, dict[str, str]]" of "update_session" incompatible' in drifted.stdout


def test_an_implementation_missing_an_operation_cannot_be_built() -> None:
    methods = {name: getattr(SessionsHandlers, name) for name in SessionsApi.__abstractmethods__ - {"pin_session"}}
    partial = type("PartialHandlers", (SessionsApi,), methods)

    with pytest.raises(TypeError, match="pin_session"):
        partial()


def test_the_routes_refuse_an_implementation_without_every_operation_naming_it() -> None:
    class DuckTyped:
        """Not a subclass of the interface, and pin_session is not a coroutine."""

        def __getattr__(self, name: str) -> Any:
            async def operation(*args: object, **kwargs: object) -> None:
                return None

            return operation

        def pin_session(self, context: RequestContext, session_id: str) -> None:
            return None

    with pytest.raises(OperationNotImplemented, match=r"'pin_session' \(PUT /v1/sessions/\{session_id\}/pin\)"):
        server.bind(
            sessions=DuckTyped(),  # type: ignore[arg-type]
            discovery=DuckTyped(),  # type: ignore[arg-type]
            context=lambda scope, operation_id: None,
        )


def test_the_handlers_implement_every_operation_of_the_contract() -> None:
    assert not SessionsHandlers.__abstractmethods__
    assert not DiscoveryHandlers.__abstractmethods__
    assert set(server.OPERATIONS) == set(SessionsApi.__abstractmethods__) | set(DiscoveryApi.__abstractmethods__)
