"""Account administration (organizations, API keys) and the resolution of an API key to its identity."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from global_chat import ids
from global_chat.accounts.credentials import DISPLAY_PREFIX_LENGTH, display_prefix, hash_api_key, new_api_key
from global_chat.accounts.model import StoredApiKey
from global_chat.accounts.repository import AccountRepository
from global_chat.clock import Clock, utc_now
from global_chat.identity import Identity
from global_chat.storage.database import Database

API_KEY_ID = "key"
MIN_REVOKE_PREFIX = 12


class AdminError(Exception):
    """An administrative command that cannot be carried out, with a message for the operator."""


class AccountService:
    def __init__(self, database: Database, clock: Clock = utc_now) -> None:
        self._database = database
        self._clock = clock

    async def create_organization(self, name: str) -> uuid.UUID:
        org_id = ids.new_uuid()
        async with self._database.transaction() as tx:
            await AccountRepository(tx).create_organization(org_id, name, ids.new_uuid(), self._clock())
        return org_id

    async def create_api_key(self, org_id: uuid.UUID, user_id: uuid.UUID, expires_in: timedelta | None) -> str:
        """A new key for the user in the organization (the user is created on first sight); shown only here."""
        key = new_api_key()
        now = self._clock()
        async with self._database.transaction() as tx:
            repo = AccountRepository(tx)
            if await repo.organization(org_id) is None:
                raise AdminError(f"no organization {ids.format_id(ids.ORGANIZATION, org_id)}")
            await repo.ensure_user_principal(user_id, now, ids.new_uuid())
            await repo.add_api_key(
                StoredApiKey(
                    id=ids.new_uuid(),
                    organization_id=org_id,
                    user_id=user_id,
                    prefix=display_prefix(key),
                    secret_hash=hash_api_key(key),
                    created_at=now,
                    expires_at=now + expires_in if expires_in else None,
                    revoked_at=None,
                )
            )
        return key

    async def revoke_api_key(self, reference: str) -> str:
        """Revoke the one key named by its id (`key_<hex>`), its whole value or a prefix of it; its id."""
        key_id = ids.parse_id(API_KEY_ID, reference)
        if key_id is None and len(reference) < MIN_REVOKE_PREFIX:
            raise AdminError(f"give the key id (key_...) or at least {MIN_REVOKE_PREFIX} characters of the key")
        async with self._database.transaction() as tx:
            repo = AccountRepository(tx)
            if key_id is not None:
                matches = await repo.api_keys_matching(key_id, "")
            elif len(reference) > DISPLAY_PREFIX_LENGTH:  # the whole key
                found = await repo.api_key_by_hash(hash_api_key(reference))
                matches = [found] if found else []
            else:
                matches = await repo.api_keys_matching(None, reference)
            if not matches:
                raise AdminError("no API key matches")
            if len(matches) > 1:
                raise AdminError(f"{len(matches)} API keys match that prefix; give more characters or the key id")
            await repo.revoke_api_key(matches[0].id, self._clock())
        return ids.format_id(API_KEY_ID, matches[0].id)

    async def identity_for_api_key(self, key_hash: str) -> tuple[Identity, datetime | None] | None:
        """The identity of a usable key (by its hash) and when it expires; None for unknown, revoked or
        expired keys. One read outside any transaction."""
        async with self._database.outside_transaction() as connection:
            found = await AccountRepository(connection).api_key_by_hash(key_hash)
        if found is None or not found.usable_at(self._clock()):
            return None
        return Identity(found.organization_id, found.user_id), found.expires_at
