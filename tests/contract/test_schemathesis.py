"""The contract, checked in-process: Schemathesis against the ASGI app (every check, both data modes,
and the stateful walk along the contract's OpenAPI links). `make contract` runs the same against a
real server over TCP."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.schemas import OpenApiSchema

from global_chat.app import create_app
from global_chat.settings import Settings
from global_chat_generated.operations import OPERATIONS
from tests.fixtures.accounts import Accounts

MAX_EXAMPLES = 40
schema = schemathesis.pytest.from_fixture("contract_schema")


@pytest.fixture
def api_key(keys_settings: Settings) -> str:
    from global_chat.storage.database import Database

    async def make() -> str:
        database = Database(keys_settings)
        try:
            accounts = Accounts(database)
            return (await accounts.caller()).api_key
        finally:
            await database.dispose()

    return asyncio.run(make())


@pytest.fixture
def contract_schema(keys_settings: Settings, api_key: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenApiSchema]:
    # schemathesis.toml (the options of `make contract`) applies here too; it reads the key from the environment.
    monkeypatch.setenv("GLOBAL_CHAT_API_KEY", api_key)
    # Schemathesis runs the app's lifespan on an event loop of its own, as a server does: the app's shutdown
    # (which closes its database) runs when Schemathesis stops the lifespans it started.
    loaded = schemathesis.openapi.from_asgi("/v1/openapi.json", create_app(keys_settings))
    # The JUnit report belongs to `make contract`; writing it from pytest also needs allure (Schemathesis 4.32).
    loaded.config.reports.junit.enabled = False
    loaded.config.headers = {"Authorization": api_key}
    yield loaded
    shutdown_lifespans()


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_conforms(case: schemathesis.Case[Any], api_key: str) -> None:
    case.call_and_validate(headers={"Authorization": api_key})


GUARDED_WRITES = {
    f"{op.method} {op.path}" for op in OPERATIONS.values() if any(p.name == "If-Match" for p in op.parameters)
}
"""The operations that take If-Match (four): the contract's links pass them the ETag of the answer they follow."""


def test_stateful_walk_along_the_links(contract_schema: OpenApiSchema, api_key: str) -> None:
    """create -> read -> update -> pin -> delete -> create again, as the OpenAPI links allow, each write
    guarded by the ETag of the answer it follows (the links' If-Match)."""
    machine = contract_schema.as_state_machine()
    visited: set[str] = set()
    guarded: set[str] = set()

    class AuthenticatedMachine(machine):  # type: ignore[misc,valid-type]
        def get_call_kwargs(self, case: schemathesis.Case[Any]) -> dict[str, object]:
            visited.add(case.operation.label)
            return {"headers": {"Authorization": api_key}}

        def after_call(self, response: Any, case: schemathesis.Case[Any]) -> None:
            super().after_call(response, case)
            if_match = str(case.headers.get("If-Match", "")) if case.headers else ""
            # a strong tag that a write accepted can only be a current ETag: random ones never match
            if if_match.startswith('"') and 200 <= response.status_code < 300:
                guarded.add(case.operation.label)

    AuthenticatedMachine.run(
        settings=settings(
            max_examples=25, stateful_step_count=8, deadline=None, suppress_health_check=list(HealthCheck)
        )
    )

    # the walk really followed the links, not just the entry point
    assert {
        "POST /v1/sessions/chat",
        "GET /v1/sessions/{session_id}",
        "PATCH /v1/sessions/{session_id}",
        "DELETE /v1/sessions/{session_id}",
        "PUT /v1/sessions/{session_id}/pin",
    } <= visited
    # and the writes went through with a real ETag, not only their 412s
    assert guarded == GUARDED_WRITES
