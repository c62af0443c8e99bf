"""Only creations are charged against the per-minute budgets, the organization's and each user's; reuse
never is; and the budgets' table keeps only the last two minutes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from sqlalchemy import func, select

from global_chat.accounts.service import AccountService
from global_chat.identity import Identity
from global_chat.metrics import Metrics
from global_chat.sessions.service import WINDOW_SECONDS, GlobalChatService
from global_chat.settings import Settings
from global_chat.storage.database import Database
from global_chat.storage.tables import RATE_LIMIT_WINDOWS
from tests.fixtures.accounts import JWT_SECRET, Accounts
from tests.fixtures.app import client_of, in_process
from tests.fixtures.clock import FakeClock
from tests.fixtures.contract import ContractSchemas

pytestmark = [pytest.mark.anyio, pytest.mark.pgbouncer_backend]  # backends: tests/fixtures/app.py
CHAT = "/v1/sessions/chat"
BUDGET = 3
PER_USER = pytest.mark.parametrize(
    "budgets", [{"chat_create_rate_limit": 10, "chat_create_rate_limit_per_user": 2}], ids=["10-per-org-2-per-user"]
)
"""The test's `limited_client` has budgets for the organization (10 a minute) and for each user (2)."""


@pytest.fixture
def budgets() -> dict[str, int]:
    """The creation budgets of `limited_client`'s app (settings); a test may say others by parametrizing this."""
    return {"chat_create_rate_limit": BUDGET}


@pytest.fixture
async def limited_client(
    keys_settings: Settings, make_settings: Callable[..., Settings], clock: FakeClock, budgets: dict[str, int]
) -> AsyncIterator[httpx.AsyncClient]:
    """The budget's window is the test clock's: no run straddles a minute boundary by chance."""
    settings = make_settings(auth_mode="keys", jwt_secret=JWT_SECRET, **budgets)
    async with in_process(settings, clock) as app, client_of(app) as client:
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


@PER_USER
async def test_one_user_deleting_and_recreating_cannot_spend_the_organizations_budget(
    limited_client: httpx.AsyncClient, accounts: Accounts, our_schemas: ContractSchemas
) -> None:
    org = await accounts.organization()
    churner, colleague = await accounts.caller(org), await accounts.caller(org)
    statuses = []
    for _ in range(10):  # as many as the organization's budget
        created = await limited_client.post(CHAT, headers=churner.bearer_headers())
        statuses.append(created.status_code)
        if created.status_code == 200:
            await limited_client.delete(f"/v1/sessions/{created.json()['id']}", headers=churner.bearer_headers())

    colleagues_first_call = await limited_client.post(CHAT, headers=colleague.bearer_headers())

    assert statuses == [200, 200] + [429] * 8  # the user's own budget: 2 a minute
    assert colleagues_first_call.status_code == 200  # the organization's budget is not spent


async def test_the_budget_table_holds_about_two_minutes_whatever_the_traffic(
    database: Database, clock: FakeClock
) -> None:
    service = GlobalChatService(
        database, create_rate_limit=100, create_rate_limit_per_user=5, metrics=Metrics(), clock=clock
    )
    accounts = AccountService(database)
    orgs = [await accounts.create_organization(f"Org {n}") for n in range(3)]
    sizes = []
    for _minute in range(30):
        for org in orgs:
            for _ in range(2):  # two new users per organization and minute
                await service.get_or_create(Identity(org, uuid.uuid4()), None)
        sizes.append(await count_windows(database))
        clock.advance(WINDOW_SECONDS)

    # a row per organization and per user of this minute and the last one; never the whole history
    per_minute = len(orgs) * (1 + 2)
    assert max(sizes) <= 2 * per_minute, sizes
    assert sizes[-1] == 2 * per_minute


async def count_windows(database: Database) -> int:
    async with database.outside_transaction() as connection:
        return int((await connection.execute(select(func.count()).select_from(RATE_LIMIT_WINDOWS))).scalar_one())


@PER_USER
async def test_the_ratelimit_fields_of_a_refusal_match_its_retry_after(
    limited_client: httpx.AsyncClient, accounts: Accounts, our_schemas: ContractSchemas
) -> None:
    """The 429 names both budgets, the exhausted one (the user's) first with nothing left and `t` equal
    to Retry-After; a problem+json client gets the same fields and a Problem Details body."""
    org = await accounts.organization()
    churner = await accounts.caller(org)
    for _ in range(2):
        created = await limited_client.post(CHAT, headers=churner.bearer_headers())
        await limited_client.delete(f"/v1/sessions/{created.json()['id']}", headers=churner.bearer_headers())

    refused = await limited_client.post(CHAT, headers=churner.bearer_headers() | {"Accept": "application/problem+json"})

    assert refused.status_code == 429
    retry_after = int(refused.headers["retry-after"])
    assert refused.headers["ratelimit-policy"] == '"user";q=2;w=60, "organization";q=10;w=60'
    assert refused.headers["ratelimit"] == f'"user";r=0;t={retry_after}, "organization";r=8;t={retry_after}'
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert our_schemas.errors("ProblemDetails", problem) == []
    assert (problem["status"], problem["code"], problem["retry_after_seconds"]) == (429, "rate_limited", retry_after)


async def test_the_budgets_left_fall_by_one_per_creation(database: Database, clock: FakeClock) -> None:
    service = GlobalChatService(
        database, create_rate_limit=3, create_rate_limit_per_user=5, metrics=Metrics(), clock=clock
    )
    org = await AccountService(database).create_organization("Acme")

    users = [Identity(org, uuid.uuid4()) for _ in range(3)]
    remaining = []
    for user in users:
        outcome = await service.get_or_create(user, None)
        remaining.append([(q.policy, q.remaining, q.quota, q.reset_seconds) for q in outcome.quotas])
    reused = await service.get_or_create(users[0], None)

    assert remaining == [
        [("organization", 2, 3, 15), ("user", 4, 5, 15)],
        [("organization", 1, 3, 15), ("user", 4, 5, 15)],
        [("organization", 0, 3, 15), ("user", 4, 5, 15)],
    ]
    assert reused.quotas == ()  # nothing spent, nothing to report


@PER_USER
async def test_each_creation_says_what_is_left_and_the_429_agrees(
    limited_client: httpx.AsyncClient, accounts: Accounts
) -> None:
    org = await accounts.organization()
    churner = await accounts.caller(org)
    states = []
    for _ in range(2):
        created = await limited_client.post(CHAT, headers=churner.bearer_headers())
        states.append((created.headers["ratelimit-policy"], created.headers["ratelimit"]))
        reused = await limited_client.post(CHAT, headers=churner.bearer_headers())
        assert "ratelimit" not in reused.headers  # nothing spent, nothing said
        await limited_client.delete(f"/v1/sessions/{created.json()['id']}", headers=churner.bearer_headers())
    refused = await limited_client.post(CHAT, headers=churner.bearer_headers())

    t = refused.headers["retry-after"]
    assert [policy for policy, _ in states] == ['"user";q=2;w=60, "organization";q=10;w=60'] * 2
    assert [state for _, state in states] == [
        f'"user";r=1;t={t}, "organization";r=9;t={t}',
        f'"user";r=0;t={t}, "organization";r=8;t={t}',
    ]
    assert refused.headers["ratelimit"] == f'"user";r=0;t={t}, "organization";r=8;t={t}'
