"""All SQL about organizations, users, principals and API keys."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from global_chat.storage.database import Database, upsert_statement
from global_chat.storage.tables import ApiKey, Harness, Organization, Principal, User

PLATFORM_CHAT_SLUG = "platform-chat"
PLATFORM_CHAT_NAME = "Platform Chat"


FIND_API_KEY = select(ApiKey.__table__).where(ApiKey.__table__.c.secret_hash == bindparam("secret_hash"))


class ApiKeyReader:
    """The credentials check's one read, outside any transaction (see Database.read_one)."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def api_key_by_hash(self, secret_hash: str) -> Row[Any] | None:
        return await self._database.read_one(FIND_API_KEY, {"secret_hash": secret_hash})


class AccountRepository:
    def __init__(self, db: AsyncSession) -> None:
        self._db = db

    async def create_organization(self, org_id: uuid.UUID, name: str, harness_id: uuid.UUID, now: datetime) -> None:
        """The organization with its own built-in Platform Chat harness."""
        self._db.add(Organization(id=org_id, name=name, platform_chat_harness_id=harness_id, created_at=now))
        await self._db.flush()
        self._db.add(
            Harness(
                id=harness_id,
                organization_id=org_id,
                name=PLATFORM_CHAT_NAME,
                slug=PLATFORM_CHAT_SLUG,
                is_builtin=True,
                created_at=now,
            )
        )
        await self._db.flush()

    async def organization_exists(self, org_id: uuid.UUID) -> bool:
        return await self._db.scalar(select(Organization.id).where(Organization.id == org_id)) is not None

    async def ensure_user_principal(self, user_id: uuid.UUID, now: datetime, new_id: uuid.UUID) -> uuid.UUID:
        """The user's principal, creating the user and principal rows on first sight (race-safe)."""
        await self._db.execute(
            upsert_statement(self._db, User)
            .values(id=user_id, display_name=f"user {user_id}", created_at=now)
            .on_conflict_do_nothing(index_elements=["id"])
        )
        # DO UPDATE (a no-op) rather than DO NOTHING, so that RETURNING answers in both cases.
        statement = upsert_statement(self._db, Principal).values(
            id=new_id, kind="user", subject_id=user_id, created_at=now
        )
        statement = statement.on_conflict_do_update(
            index_elements=["kind", "subject_id"], set_={"kind": statement.excluded.kind}
        ).returning(Principal.id)
        principal_id: uuid.UUID = (await self._db.execute(statement)).scalar_one()
        return principal_id

    async def add_api_key(self, key: ApiKey) -> None:
        self._db.add(key)
        await self._db.flush()

    async def api_key_by_hash(self, secret_hash: str) -> ApiKey | None:
        key: ApiKey | None = await self._db.scalar(select(ApiKey).where(ApiKey.secret_hash == secret_hash))
        return key

    async def api_keys_matching(self, key_id: uuid.UUID | None, prefix: str) -> list[ApiKey]:
        statement = select(ApiKey)
        if key_id is not None:
            statement = statement.where(ApiKey.id == key_id)
        else:
            statement = statement.where(ApiKey.prefix.startswith(prefix, autoescape=True))
        return list((await self._db.scalars(statement)).all())

    async def revoke_api_key(self, key_id: uuid.UUID, now: datetime) -> None:
        await self._db.execute(
            update(ApiKey).where(ApiKey.id == key_id, ApiKey.revoked_at.is_(None)).values(revoked_at=now)
        )
