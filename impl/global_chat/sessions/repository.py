"""All SQL about sessions, harnesses and creation budgets."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from global_chat.storage.database import Database, upsert_statement
from global_chat.storage.tables import Organization, Principal, RateLimitWindow
from global_chat.storage.tables import Session as SessionRow

SESSIONS = SessionRow.__table__
# Built once: the hot path's only query, as plain rows (no ORM objects), with the organization's
# current Platform Chat harness alongside so that a needed repair is seen in the same round trip.
FIND_GLOBAL_CHAT = (
    select(SESSIONS, Organization.platform_chat_harness_id.label("current_harness_id"))
    .join(Organization, Organization.id == SESSIONS.c.organization_id)
    .where(SESSIONS.c.organization_id == bindparam("organization_id"))
    .where(SESSIONS.c.global_chat_user_id == bindparam("user_id"))
)


class SessionReader:
    """Reads outside any transaction: one statement, one round trip."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def find_global_chat(self, organization_id: uuid.UUID, user_id: uuid.UUID) -> Row[Any] | None:
        """The session row (with `current_harness_id`), or None."""
        return await self._database.read_one(FIND_GLOBAL_CHAT, {"organization_id": organization_id, "user_id": user_id})


class SessionRepository:
    def __init__(self, db: AsyncSession) -> None:
        self._db = db

    async def find_global_chat(
        self, organization_id: uuid.UUID, user_id: uuid.UUID
    ) -> tuple[SessionRow, uuid.UUID | None] | None:
        """The user's global chat session and the organization's current Platform Chat harness, in one query."""
        row = (
            await self._db.execute(
                select(SessionRow, Organization.platform_chat_harness_id)
                .join(Organization, Organization.id == SessionRow.organization_id)
                .where(SessionRow.organization_id == organization_id, SessionRow.global_chat_user_id == user_id)
            )
        ).first()
        return None if row is None else (row[0], row[1])

    async def platform_chat_of(self, organization_id: uuid.UUID) -> Row[Any] | None:
        """The organization's row (`platform_chat_harness_id`), or None when it does not exist."""
        result = await self._db.execute(
            select(Organization.platform_chat_harness_id).where(Organization.id == organization_id)
        )
        return result.first()

    async def insert_global_chat(self, values: dict[str, Any]) -> bool:
        """Insert unless the (organization, user) singleton exists; True when this call inserted it."""
        statement = (
            upsert_statement(self._db, SessionRow)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["organization_id", "global_chat_user_id"])
            .returning(SessionRow.id)
        )
        return (await self._db.execute(statement)).first() is not None

    async def find_owned(
        self, session_id: uuid.UUID, organization_id: uuid.UUID, user_id: uuid.UUID
    ) -> SessionRow | None:
        """The session if it is in the organization and owned by the user's principal."""
        session: SessionRow | None = await self._db.scalar(
            select(SessionRow)
            .join(Principal, Principal.id == SessionRow.owner_principal_id)
            .where(
                SessionRow.id == session_id,
                SessionRow.organization_id == organization_id,
                Principal.kind == "user",
                Principal.subject_id == user_id,
            )
        )
        return session

    async def update(self, session: SessionRow, values: dict[str, Any]) -> None:
        for name, value in values.items():
            setattr(session, name, value)
        await self._db.flush()

    async def delete(self, session: SessionRow) -> None:
        await self._db.delete(session)
        await self._db.flush()

    async def rebind_harness(self, session: SessionRow, harness_id: uuid.UUID, now: datetime) -> None:
        await self.update(session, {"harness_id": harness_id, "updated_at": now})

    async def charge_budget(self, organization_id: uuid.UUID, bucket: str, window_start: int) -> int:
        """Count one more use of the organization's budget in this window; the new count (atomic)."""
        statement = upsert_statement(self._db, RateLimitWindow).values(
            organization_id=organization_id, bucket=bucket, window_start=window_start, count=1
        )
        statement = statement.on_conflict_do_update(
            index_elements=["organization_id", "bucket", "window_start"],
            set_={"count": RateLimitWindow.count + 1},
        ).returning(RateLimitWindow.count)
        return int((await self._db.execute(statement)).scalar_one())
