"""POST /v1/sessions/chat: the global chat singleton, end to end through the app on SQLite."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import func, insert, select, update

from global_chat.identity import ANONYMOUS
from global_chat.storage.database import Database
from global_chat.storage.tables import HARNESSES, ORGANIZATIONS, SESSIONS
from tests.fixtures.app import API_BASE_URL, UI_BASE_URL
from tests.fixtures.contract import ContractSchemas

pytestmark = [pytest.mark.anyio, pytest.mark.pgbouncer_backend]  # backends: tests/fixtures/app.py
CHAT = "/v1/sessions/chat"


async def count_sessions(database: Database) -> int:
    async with database.transaction() as tx:
        return int((await tx.execute(select(func.count()).select_from(SESSIONS))).scalar_one())


async def test_first_call_creates_the_global_chat_session(client: httpx.AsyncClient) -> None:
    response = await client.post(CHAT, json={"locale": "uk-UA"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    hex_id = body["id"].removeprefix("session_")
    assert re.fullmatch(r"[0-9a-f]{32}", hex_id)
    assert uuid.UUID(hex=hex_id).version == 7
    assert body["workspace_id"] == f"wsp_{hex_id}"
    assert body["title"] == "Platform Chat"
    assert body["status"] == "started"
    assert body["locale"] == "uk-UA"
    assert body["tags"] == ["global-chat", f"user:{ANONYMOUS.user_id}"]
    assert body["organization_id"] == "org_00000000000000000000000000000001"
    assert body["owner"] == {
        "id": body["owner_principal_id"],
        "kind": "user",
        "subject_id": str(ANONYMOUS.user_id),
    }


async def test_second_call_returns_the_same_session_unchanged(client: httpx.AsyncClient) -> None:
    first = (await client.post(CHAT, json={"locale": "uk-UA"})).json()
    second = await client.post(CHAT, json={"locale": "fr-FR"})

    assert second.status_code == 200
    assert second.json() == first  # the locale only seeds a session being created


@pytest.mark.parametrize(
    "request_kwargs",
    [
        pytest.param({}, id="no body"),
        pytest.param({"content": b"null", "headers": {"content-type": "application/json"}}, id="json null"),
        pytest.param({"json": {}}, id="empty object"),
        pytest.param({"json": {"locale": None}}, id="null locale"),
    ],
)
async def test_body_is_optional(client: httpx.AsyncClient, request_kwargs: dict[str, object]) -> None:
    response = await client.post(CHAT, **request_kwargs)  # type: ignore[arg-type]

    assert response.status_code == 200
    assert "locale" not in response.json()


@pytest.mark.parametrize(("given", "stored"), [("uk-ua", "uk-UA"), ("EN", "en"), ("zh-hant-tw", "zh-Hant-TW")])
async def test_locale_is_canonicalized(client: httpx.AsyncClient, given: str, stored: str) -> None:
    response = await client.post(CHAT, json={"locale": given})

    assert response.json()["locale"] == stored


@pytest.mark.parametrize("locale", ["", "xx-!!", "abcdefghi", "en--US", "a"])
async def test_invalid_locale_is_a_400_with_a_retry_action(
    client: httpx.AsyncClient, database: Database, our_schemas: ContractSchemas, locale: str
) -> None:
    response = await client.post(CHAT, json={"locale": locale})

    assert response.status_code == 400
    body = response.json()
    assert our_schemas.errors("ErrorResponse", body) == []
    assert body["allowed_actions"][0]["rel"] == "retry"
    assert body["allowed_actions"][0]["hint"]
    assert await count_sessions(database) == 0  # nothing is created on bad input


async def test_concurrent_first_calls_create_exactly_one_session(client: httpx.AsyncClient, database: Database) -> None:
    responses = await asyncio.gather(*(client.post(CHAT, json={"locale": "uk-UA"}) for _ in range(60)))

    assert [r.status_code for r in responses] == [200] * 60
    assert len({r.content for r in responses}) == 1  # 60 identical answers
    assert await count_sessions(database) == 1


async def test_body_is_valid_under_our_contract_and_the_upstream_slice(
    client: httpx.AsyncClient, our_schemas: ContractSchemas, upstream_schemas: ContractSchemas
) -> None:
    body = (await client.post(CHAT, json={"locale": "uk-UA"})).json()

    assert our_schemas.errors("WithUrls_Session", body) == []
    assert upstream_schemas.errors("WithUrls_Session", body) == []


async def test_links_come_from_settings_not_from_the_host_header(client: httpx.AsyncClient) -> None:
    body = (await client.post(CHAT, headers={"Host": "evil.example"})).json()

    assert body["self_url"] == f"{API_BASE_URL}/v1/sessions/{body['id']}"
    assert body["view_url"] == f"{UI_BASE_URL}/chat/{body['id']}"
    assert body["ui_link"] == body["view_url"]


async def test_allowed_actions_offer_only_served_operations(client: httpx.AsyncClient) -> None:
    from global_chat_generated.server import OPERATIONS

    body = (await client.post(CHAT)).json()

    assert {a["operation_id"] for a in body.get("allowed_actions", [])} <= set(OPERATIONS)


async def test_session_bound_to_an_old_harness_is_rebound(client: httpx.AsyncClient, database: Database) -> None:
    old = (await client.post(CHAT)).json()
    new_harness = uuid.uuid4()
    async with database.transaction() as tx:
        await tx.execute(
            insert(HARNESSES).values(
                id=new_harness,
                organization_id=ANONYMOUS.organization_id,
                name="Platform Chat",
                slug="platform-chat",
                is_builtin=True,
                created_at=datetime.now(UTC),
            )
        )
        await tx.execute(
            update(ORGANIZATIONS)
            .where(ORGANIZATIONS.c.id == ANONYMOUS.organization_id)
            .values(platform_chat_harness_id=new_harness)
        )

    repaired = (await client.post(CHAT)).json()

    assert repaired["id"] == old["id"]
    assert repaired["harness_id"] == f"harness_{new_harness.hex}"
    assert old["harness_id"] != repaired["harness_id"]
