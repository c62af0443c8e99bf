"""All SQL about organizations, users, principals and API keys."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from global_chat.accounts.model import Organization, StoredApiKey
from global_chat.storage.database import Executor
from global_chat.storage.statements import Insert, PerDialect, record
from global_chat.storage.tables import API_KEYS, HARNESSES, ORGANIZATIONS, PRINCIPALS, USERS

PLATFORM_CHAT_SLUG = "platform-chat"
PLATFORM_CHAT_NAME = "Platform Chat"

FIND_ORGANIZATION = select(ORGANIZATIONS.c.id, ORGANIZATIONS.c.platform_chat_harness_id).where(
    ORGANIZATIONS.c.id == bindparam("organization_id")
)
FIND_API_KEY = select(API_KEYS).where(API_KEYS.c.secret_hash == bindparam("secret_hash"))
# A user's rows on first sight, built once and executed with their values (storage/statements.py): the user
# unless it exists, then its principal, whose DO UPDATE (a no-op) rather than DO NOTHING lets RETURNING
# answer whether the principal is new or not.
INSERT_USER = PerDialect(lambda insert: insert(USERS).on_conflict_do_nothing(index_elements=["id"]))


def _upsert_principal(insert: Insert) -> Any:
    statement = insert(PRINCIPALS)
    return statement.on_conflict_do_update(
        index_elements=["kind", "subject_id"], set_={"kind": statement.excluded.kind}
    ).returning(PRINCIPALS.c.id)


UPSERT_PRINCIPAL = PerDialect(_upsert_principal)


class AccountRepository:
    def __init__(self, executor: Executor) -> None:
        self._db = executor

    async def create_organization(self, org_id: uuid.UUID, name: str, harness_id: uuid.UUID, now: datetime) -> None:
        """The organization with its own built-in Platform Chat harness."""
        await self._db.execute(
            insert(ORGANIZATIONS).values(id=org_id, name=name, platform_chat_harness_id=harness_id, created_at=now)
        )
        await self._db.execute(
            insert(HARNESSES).values(
                id=harness_id,
                organization_id=org_id,
                name=PLATFORM_CHAT_NAME,
                slug=PLATFORM_CHAT_SLUG,
                is_builtin=True,
                created_at=now,
            )
        )

    async def organization(self, org_id: uuid.UUID) -> Organization | None:
        row = (await self._db.execute(FIND_ORGANIZATION, {"organization_id": org_id})).first()
        return None if row is None else Organization(row.id, row.platform_chat_harness_id)

    async def ensure_user_principal(self, user_id: uuid.UUID, now: datetime, new_id: uuid.UUID) -> uuid.UUID:
        """The user's principal, creating the user and principal rows on first sight (race-safe)."""
        dialect = self._db.dialect
        await self._db.execute(
            INSERT_USER(dialect), {"id": user_id, "display_name": f"user {user_id}", "created_at": now}
        )
        principal = {"id": new_id, "kind": "user", "subject_id": user_id, "created_at": now}
        principal_id: uuid.UUID = (await self._db.execute(UPSERT_PRINCIPAL(dialect), principal)).scalar_one()
        return principal_id

    async def add_api_key(self, key: StoredApiKey) -> None:
        await self._db.execute(insert(API_KEYS).values(**asdict(key)))

    async def api_key_by_hash(self, secret_hash: str) -> StoredApiKey | None:
        row = (await self._db.execute(FIND_API_KEY, {"secret_hash": secret_hash})).first()
        return None if row is None else record(StoredApiKey, row)

    async def api_keys_matching(self, key_id: uuid.UUID | None, prefix: str) -> list[StoredApiKey]:
        statement = select(API_KEYS)
        if key_id is not None:
            statement = statement.where(API_KEYS.c.id == key_id)
        else:
            statement = statement.where(API_KEYS.c.prefix.startswith(prefix, autoescape=True))
        return [record(StoredApiKey, row) for row in (await self._db.execute(statement)).all()]

    async def revoke_api_key(self, key_id: uuid.UUID, now: datetime) -> None:
        await self._db.execute(
            update(API_KEYS).where(API_KEYS.c.id == key_id, API_KEYS.c.revoked_at.is_(None)).values(revoked_at=now)
        )
