"""The account repository's statements on both stores."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from global_chat import ids
from global_chat.accounts.model import StoredApiKey
from global_chat.accounts.repository import AccountRepository
from global_chat.storage.database import Database

pytestmark = [pytest.mark.anyio, pytest.mark.pgbouncer_backend]  # backends: tests/fixtures/app.py
NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


async def test_an_organization_comes_with_its_platform_chat_harness(database: Database) -> None:
    org, harness = ids.new_uuid(), ids.new_uuid()
    async with database.transaction() as tx:
        repo = AccountRepository(tx)
        await repo.create_organization(org, "Acme", harness, NOW)
        found = await repo.organization(org)
        missing = await repo.organization(uuid.uuid4())

    assert found is not None and (found.id, found.platform_chat_harness_id) == (org, harness)
    assert missing is None


async def test_a_user_has_one_principal_however_often_it_is_ensured(database: Database) -> None:
    user = uuid.uuid4()
    async with database.transaction() as tx:
        first = await AccountRepository(tx).ensure_user_principal(user, NOW, ids.new_uuid())
    async with database.transaction() as tx:
        again = await AccountRepository(tx).ensure_user_principal(user, NOW, ids.new_uuid())

    assert first == again


async def test_api_keys_are_found_by_hash_by_id_and_by_literal_prefix(database: Database) -> None:
    org, user = ids.new_uuid(), uuid.uuid4()
    key = StoredApiKey(
        id=ids.new_uuid(),
        organization_id=org,
        user_id=user,
        prefix="evr_pat_a%b_cdef",
        secret_hash="f" * 64,
        created_at=NOW,
        expires_at=None,
        revoked_at=None,
    )
    async with database.transaction() as tx:
        repo = AccountRepository(tx)
        await repo.create_organization(org, "Acme", ids.new_uuid(), NOW)
        await repo.ensure_user_principal(user, NOW, ids.new_uuid())
        await repo.add_api_key(key)
    async with database.outside_transaction() as connection:
        by_hash = await AccountRepository(connection).api_key_by_hash("f" * 64)
    async with database.transaction() as tx:
        repo = AccountRepository(tx)
        by_id = await repo.api_keys_matching(key.id, "")
        by_prefix = await repo.api_keys_matching(None, "evr_pat_a%b")
        wildcard = await repo.api_keys_matching(None, "evr_pat_a_")  # `_` and `%` are literal, not patterns
        await repo.revoke_api_key(key.id, NOW)
        revoked = await repo.api_key_by_hash("f" * 64)

    assert by_hash == key and by_id == [key] and by_prefix == [key]
    assert wildcard == []
    assert revoked is not None and revoked.revoked_at == NOW and not revoked.usable_at(NOW)
