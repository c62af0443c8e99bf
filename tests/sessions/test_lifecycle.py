"""Read, update, pin, unpin and delete the global chat session; then get-or-create makes a new one."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.fixtures.accounts import Accounts, Caller
from tests.fixtures.contract import ContractSchemas

pytestmark = [pytest.mark.anyio, pytest.mark.pgbouncer_backend]  # backends: tests/fixtures/app.py
CHAT = "/v1/sessions/chat"


@pytest.fixture
async def caller(accounts: Accounts) -> Caller:
    return await accounts.caller()


async def create(client: httpx.AsyncClient, caller: Caller) -> dict[str, Any]:
    response = await client.post(CHAT, json={"locale": "uk-UA"}, headers=caller.key_headers())
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


async def test_self_url_leads_to_the_session(keys_client: httpx.AsyncClient, caller: Caller) -> None:
    created = await create(keys_client, caller)
    path = created["self_url"].split("://", 1)[1].split("/", 1)[1]

    response = await keys_client.get(f"/{path}", headers=caller.key_headers())

    assert response.status_code == 200
    assert response.json() == created


async def test_allowed_actions_follow_the_pin_state(keys_client: httpx.AsyncClient, caller: Caller) -> None:
    created = await create(keys_client, caller)
    rels = {a["rel"]: a for a in created["allowed_actions"]}
    assert set(rels) == {"self", "update", "delete", "pin"}
    assert rels["update"]["schema_ref"] == "#/components/schemas/UpdateSessionRequest"

    pin = await keys_client.put(f"/v1/sessions/{created['id']}/pin", headers=caller.key_headers())
    pinned = (await keys_client.get(f"/v1/sessions/{created['id']}", headers=caller.key_headers())).json()

    assert pin.status_code == 204
    assert pinned["is_pinned"] is True
    assert {a["rel"] for a in pinned["allowed_actions"]} == {"self", "update", "delete", "unpin"}
    unpin = next(a for a in pinned["allowed_actions"] if a["rel"] == "unpin")
    assert (unpin["method"], unpin["href"]) == ("DELETE", f"{created['self_url']}/pin")

    unpinned = await keys_client.delete(f"/v1/sessions/{created['id']}/pin", headers=caller.key_headers())
    again = (await keys_client.get(f"/v1/sessions/{created['id']}", headers=caller.key_headers())).json()
    assert unpinned.status_code == 204
    assert again["is_pinned"] is False


async def test_pin_is_idempotent(keys_client: httpx.AsyncClient, caller: Caller) -> None:
    created = await create(keys_client, caller)
    for _ in range(2):
        assert (
            await keys_client.put(f"/v1/sessions/{created['id']}/pin", headers=caller.key_headers())
        ).status_code == 204


async def test_update_changes_title_locale_and_tags_but_keeps_the_markers(
    keys_client: httpx.AsyncClient, caller: Caller, our_schemas: ContractSchemas
) -> None:
    created = await create(keys_client, caller)

    response = await keys_client.patch(
        f"/v1/sessions/{created['id']}",
        json={"title": "Planning", "locale": "fr-ca", "tags": ["planning", "global-chat"]},
        headers=caller.key_headers(),
    )

    body = response.json()
    assert response.status_code == 200
    assert our_schemas.errors("WithUrls_Session", body) == []
    assert (body["title"], body["locale"]) == ("Planning", "fr-CA")
    assert body["tags"] == ["global-chat", f"user:{caller.user_id}", "planning"]
    # and the singleton is still the same session
    assert (await keys_client.post(CHAT, headers=caller.key_headers())).json()["id"] == created["id"]


async def test_update_with_null_locale_clears_it_and_absent_fields_stay(
    keys_client: httpx.AsyncClient, caller: Caller
) -> None:
    created = await create(keys_client, caller)

    body = (
        await keys_client.patch(f"/v1/sessions/{created['id']}", json={"locale": None}, headers=caller.key_headers())
    ).json()

    assert "locale" not in body
    assert body["title"] == created["title"]
    assert body["tags"] == created["tags"]


@pytest.mark.parametrize(
    "patch",
    [{"locale": "xx-!!"}, {"title": ""}, {"tags": [""]}, {"unknown": 1}, {"title": 5}],
    ids=["bad locale", "empty title", "empty tag", "unknown field", "wrong type"],
)
async def test_invalid_update_is_400_and_changes_nothing(
    keys_client: httpx.AsyncClient, caller: Caller, patch: dict[str, Any]
) -> None:
    created = await create(keys_client, caller)

    response = await keys_client.patch(f"/v1/sessions/{created['id']}", json=patch, headers=caller.key_headers())
    after = (await keys_client.get(f"/v1/sessions/{created['id']}", headers=caller.key_headers())).json()

    assert response.status_code == 400
    assert response.json()["allowed_actions"][0]["rel"] == "retry"
    assert after == created


async def test_delete_then_get_or_create_gives_a_new_session(keys_client: httpx.AsyncClient, caller: Caller) -> None:
    created = await create(keys_client, caller)

    deleted = await keys_client.delete(f"/v1/sessions/{created['id']}", headers=caller.key_headers())
    gone = await keys_client.get(f"/v1/sessions/{created['id']}", headers=caller.key_headers())
    fresh = await keys_client.post(CHAT, headers=caller.key_headers())

    assert deleted.status_code == 204
    assert gone.status_code == 404
    assert fresh.status_code == 200
    assert fresh.json()["id"] != created["id"]


@pytest.mark.parametrize("bad_id", ["session_123", "session_" + "G" * 32, "wsp_" + "0" * 32])
async def test_malformed_session_id_is_400(keys_client: httpx.AsyncClient, caller: Caller, bad_id: str) -> None:
    response = await keys_client.get(f"/v1/sessions/{bad_id}", headers=caller.key_headers())

    assert response.status_code == 400
