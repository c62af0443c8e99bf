"""AUTH_MODE=keys: API keys (bare and ApiKey), bearer JWTs, and every way to be refused."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, update

from global_chat.storage.tables import API_KEYS
from tests.fixtures.accounts import Accounts
from tests.fixtures.contract import ContractSchemas

pytestmark = [pytest.mark.anyio, pytest.mark.pgbouncer_backend]  # backends: tests/fixtures/app.py
CHAT = "/v1/sessions/chat"


async def test_bare_api_key_is_accepted(keys_client: httpx.AsyncClient, accounts: Accounts) -> None:
    caller = await accounts.caller()

    response = await keys_client.post(CHAT, headers={"Authorization": caller.api_key})

    assert response.status_code == 200
    assert response.json()["organization_id"] == caller.org


async def test_apikey_scheme_is_accepted(keys_client: httpx.AsyncClient, accounts: Accounts) -> None:
    caller = await accounts.caller()

    response = await keys_client.post(CHAT, headers={"Authorization": f"ApiKey {caller.api_key}"})

    assert response.status_code == 200


async def test_bearer_token_is_accepted_and_is_the_same_user(
    keys_client: httpx.AsyncClient, accounts: Accounts
) -> None:
    caller = await accounts.caller()

    by_key = await keys_client.post(CHAT, headers=caller.key_headers())
    by_token = await keys_client.post(CHAT, headers=caller.bearer_headers())

    assert by_token.status_code == 200
    assert by_token.json()["id"] == by_key.json()["id"]
    assert by_token.json()["tags"] == ["global-chat", f"user:{caller.user_id}"]


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("Basic dXNlcjpwYXNz", id="other scheme"),
        pytest.param("Bearer", id="bearer without token"),
        pytest.param("Bearer not.a.jwt", id="malformed jwt"),
        pytest.param("evr_pat_unknown-key-0000000000000000000000000", id="unknown key"),
        pytest.param("ApiKey evr_pat_unknown-key-0000000000000000000000000", id="unknown ApiKey"),
        pytest.param("ApiKey", id="ApiKey without key"),
    ],
)
async def test_bad_credentials_are_401_with_a_challenge(
    keys_client: httpx.AsyncClient, our_schemas: ContractSchemas, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}

    response = await keys_client.post(CHAT, headers=headers)

    assert response.status_code == 401
    assert "Bearer" in response.headers["www-authenticate"]
    assert response.headers["content-type"] == "application/json"
    assert our_schemas.errors("ErrorResponse", response.json()) == []


async def test_unknown_and_revoked_keys_get_the_same_answer(keys_client: httpx.AsyncClient, accounts: Accounts) -> None:
    caller = await accounts.caller()
    await accounts.revoke(caller.api_key)

    revoked = await keys_client.post(CHAT, headers=caller.key_headers())
    unknown = await keys_client.post(CHAT, headers={"Authorization": caller.api_key[:-4] + "zzzz"})

    assert revoked.status_code == unknown.status_code == 401
    assert revoked.json() == unknown.json()  # the message never says which keys exist


async def test_expired_key_is_refused(keys_client: httpx.AsyncClient, accounts: Accounts) -> None:
    org = await accounts.organization()
    key = await accounts.api_key(org, uuid.uuid4(), expires_in=timedelta(seconds=1))
    async with accounts.database.transaction() as tx:
        await tx.execute(update(API_KEYS).values(expires_at=API_KEYS.c.created_at))  # expire it now

    response = await keys_client.post(CHAT, headers={"Authorization": key})

    assert response.status_code == 401


async def test_expired_token_is_refused(keys_client: httpx.AsyncClient, accounts: Accounts) -> None:
    org = await accounts.organization()
    token = accounts.token(org, uuid.uuid4(), ttl=timedelta(seconds=-10))

    response = await keys_client.post(CHAT, headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401


async def test_token_signed_with_another_secret_is_refused(keys_client: httpx.AsyncClient, accounts: Accounts) -> None:
    org = await accounts.organization()
    token = accounts.token(org, uuid.uuid4(), secret="another-secret-" + "y" * 40)

    response = await keys_client.post(CHAT, headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401


async def test_token_for_an_unknown_organization_is_refused(keys_client: httpx.AsyncClient, accounts: Accounts) -> None:
    token = accounts.token(uuid.uuid4(), uuid.uuid4())

    response = await keys_client.post(CHAT, headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401


async def test_key_is_stored_only_as_a_hash(accounts: Accounts) -> None:
    caller = await accounts.caller()
    async with accounts.database.transaction() as tx:
        stored = (await tx.execute(select(API_KEYS))).all()

    assert len(stored) == 1
    assert caller.api_key not in {stored[0].secret_hash, stored[0].prefix}
    assert caller.api_key.startswith(stored[0].prefix)
