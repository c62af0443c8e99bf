"""Account administration (organizations, API keys) and API key resolution."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from global_chat import ids
from global_chat.accounts.credentials import DISPLAY_PREFIX_LENGTH, display_prefix, hash_api_key, new_api_key
from global_chat.accounts.repository import AccountRepository
from global_chat.identity import Identity
from global_chat.sessions.service import utc_now
from global_chat.storage.tables import ApiKey

API_KEY_ID = "key"
MIN_REVOKE_PREFIX = 12


class ApiKeyLookup(Protocol):
    async def api_key_by_hash(self, secret_hash: str) -> Any: ...


class AdminError(Exception):
    """An administrative command that cannot be carried out, with a message for the operator."""


class AccountService:
    def __init__(self, clock: Callable[[], datetime] = utc_now) -> None:
        self._clock = clock

    async def create_organization(self, repo: AccountRepository, name: str) -> uuid.UUID:
        org_id = ids.new_uuid()
        await repo.create_organization(org_id, name, ids.new_uuid(), self._clock())
        return org_id

    async def create_api_key(
        self, repo: AccountRepository, org_id: uuid.UUID, user_id: uuid.UUID, expires_in: timedelta | None
    ) -> str:
        if not await repo.organization_exists(org_id):
            raise AdminError(f"no organization {ids.format_id(ids.ORGANIZATION, org_id)}")
        now = self._clock()
        await repo.ensure_user_principal(user_id, now, ids.new_uuid())
        key = new_api_key()
        await repo.add_api_key(
            ApiKey(
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

    async def revoke_api_key(self, repo: AccountRepository, reference: str) -> str:
        """Revoke the one key named by its id (`key_<hex>`), its whole value or a prefix of it; its id."""
        key_id = ids.parse_id(API_KEY_ID, reference)
        if key_id is not None:
            matches = await repo.api_keys_matching(key_id, "")
        elif len(reference) > DISPLAY_PREFIX_LENGTH:  # the whole key
            found = await repo.api_key_by_hash(hash_api_key(reference))
            matches = [found] if found else []
        elif len(reference) >= MIN_REVOKE_PREFIX:
            matches = await repo.api_keys_matching(None, reference)
        else:
            raise AdminError(f"give the key id (key_...) or at least {MIN_REVOKE_PREFIX} characters of the key")
        if not matches:
            raise AdminError("no API key matches")
        if len(matches) > 1:
            raise AdminError(f"{len(matches)} API keys match that prefix; give more characters or the key id")
        await repo.revoke_api_key(matches[0].id, self._clock())
        return ids.format_id(API_KEY_ID, matches[0].id)

    async def identity_for_api_key(self, repo: ApiKeyLookup, key: str) -> tuple[Identity, datetime | None] | None:
        """The identity of a usable key and when it expires; None for unknown, revoked or expired keys."""
        found = await repo.api_key_by_hash(hash_api_key(key))
        if found is None or found.revoked_at is not None:
            return None
        if found.expires_at is not None and found.expires_at <= self._clock():
            return None
        return Identity(found.organization_id, found.user_id), found.expires_at
