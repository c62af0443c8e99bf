"""Only creations are charged against the organization's per-minute budget; reuse never is."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from global_chat.app import create_app
from global_chat.settings import Settings
from tests.fixtures.accounts import JWT_SECRET, Accounts
from tests.fixtures.clock import FakeClock
from tests.fixtures.contract import ContractSchemas

pytestmark = pytest.mark.anyio
CHAT = "/v1/sessions/chat"
BUDGET = 3


@pytest.fixture
async def limited_client(
    keys_settings: Settings, make_settings: Callable[..., Settings], clock: FakeClock
) -> AsyncIterator[httpx.AsyncClient]:
    """The budget's window is the test clock's: no run straddles a minute boundary by chance."""
    settings = make_settings(auth_mode="keys", jwt_secret=JWT_SECRET, chat_create_rate_limit=BUDGET)
    transport = httpx.ASGITransport(app=create_app(settings, clock=clock))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def test_creations_over_the_budget_get_429_with_retry_after(
    limited_client: httpx.AsyncClient, accounts: Accounts, our_schemas: ContractSchemas
) -> None:
    org = await accounts.organization()
    callers = [await accounts.caller(org) for _ in range(BUDGET + 1)]

    answers = [await limited_client.post(CHAT, headers=c.bearer_headers()) for c in callers]

    assert [a.status_code for a in answers] == [200] * BUDGET + [429]
    refused = answers[-1]
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    body = refused.json()
    assert our_schemas.errors("ErrorResponse", body) == []
    assert body["code"] == "rate_limited"
    assert body["allowed_actions"][0]["rel"] == "retry-later"
    assert body["retry_after_seconds"] == int(refused.headers["retry-after"])


async def test_existing_sessions_are_never_throttled(limited_client: httpx.AsyncClient, accounts: Accounts) -> None:
    org = await accounts.organization()
    callers = [await accounts.caller(org) for _ in range(BUDGET)]
    for caller in callers:
        assert (await limited_client.post(CHAT, headers=caller.bearer_headers())).status_code == 200

    again = [await limited_client.post(CHAT, headers=callers[0].bearer_headers()) for _ in range(10)]

    assert {a.status_code for a in again} == {200}


async def test_a_refused_creation_leaves_nothing_behind(limited_client: httpx.AsyncClient, accounts: Accounts) -> None:
    org = await accounts.organization()
    callers = [await accounts.caller(org) for _ in range(BUDGET + 1)]
    for caller in callers:
        await limited_client.post(CHAT, headers=caller.bearer_headers())

    late = callers[-1]
    lookup = await limited_client.post(CHAT, headers=late.bearer_headers())

    assert lookup.status_code == 429  # still no session for the refused user: it was rolled back


async def test_budgets_are_per_organization(limited_client: httpx.AsyncClient, accounts: Accounts) -> None:
    busy, quiet = await accounts.organization(), await accounts.organization()
    for _ in range(BUDGET):
        await limited_client.post(CHAT, headers=(await accounts.caller(busy)).bearer_headers())

    response = await limited_client.post(CHAT, headers=(await accounts.caller(quiet)).bearer_headers())

    assert response.status_code == 200
