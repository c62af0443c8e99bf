"""All SQL about sessions and creation budgets (Core statements; values out, never ORM rows)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select, update

from global_chat.accounts.model import Organization
from global_chat.sessions.model import GlobalChat, SessionChanges, StoredSession
from global_chat.storage.database import Executor
from global_chat.storage.statements import PerDialect, field_names, record
from global_chat.storage.tables import ORGANIZATIONS, PRINCIPALS, SESSIONS
from global_chat.storage.tables import RATE_LIMIT_WINDOWS as WINDOWS

# Built once: the hot path's only statement, with the organization's current Platform Chat harness
# alongside so that a needed re-binding is seen in the same round trip.
FIND_GLOBAL_CHAT = (
    select(SESSIONS, ORGANIZATIONS.c.platform_chat_harness_id)
    .join(ORGANIZATIONS, ORGANIZATIONS.c.id == SESSIONS.c.organization_id)
    .where(SESSIONS.c.organization_id == bindparam("organization_id"))
    .where(SESSIONS.c.global_chat_user_id == bindparam("user_id"))
)
# The creation's first look, in its transaction: the organization (its current Platform Chat harness)
# and the user's global chat session in it if there is one, in one statement rather than two.
FIND_ORGANIZATION_CHAT = (
    select(ORGANIZATIONS.c.platform_chat_harness_id, SESSIONS)
    .select_from(
        ORGANIZATIONS.outerjoin(
            SESSIONS,
            (SESSIONS.c.organization_id == ORGANIZATIONS.c.id)
            & (SESSIONS.c.global_chat_user_id == bindparam("user_id")),
        )
    )
    .where(ORGANIZATIONS.c.id == bindparam("organization_id"))
)
# The principals of a user: sessions are owned through them.
USER_PRINCIPALS = select(PRINCIPALS.c.id).where(
    PRINCIPALS.c.kind == "user", PRINCIPALS.c.subject_id == bindparam("user_id")
)
OWNED = (
    (SESSIONS.c.id == bindparam("session_id"))
    & (SESSIONS.c.organization_id == bindparam("organization_id"))
    & SESSIONS.c.owner_principal_id.in_(USER_PRINCIPALS.scalar_subquery())
)
# Built once too (a statement built per call costs its cache key again, ~16 us): the lifecycle's look-ups.
FIND_OWNED = select(SESSIONS).where(OWNED)
FIND_OWNED_LOCKED = FIND_OWNED.with_for_update(of=SESSIONS)
DELETE_OWNED = delete(SESSIONS).where(OWNED).returning(SESSIONS.c.id)
# The writes too, executed with their values (storage/statements.py, PerDialect): the singleton's insert,
# which a concurrent creation may have won (then nothing is inserted and nothing returned) ...
INSERT_GLOBAL_CHAT = PerDialect(
    lambda insert: (
        insert(SESSIONS)
        .on_conflict_do_nothing(index_elements=["organization_id", "global_chat_user_id"])
        .returning(SESSIONS.c.id)
    )
)
# ... a change of a session: SET the columns its values name (one compiled form per set of columns) ...
UPDATE_SESSION = update(SESSIONS).where(SESSIONS.c.id == bindparam("session_id")).returning(SESSIONS)
# ... the charge of budgets: executed with one row of values per budget, it is sent as one multi-row
# INSERT (SQLAlchemy's "insertmanyvalues": a statement given its rows in .values() is never cached) ...
CHARGE_BUDGETS = PerDialect(
    lambda insert: (
        insert(WINDOWS)
        .on_conflict_do_update(
            index_elements=["organization_id", "bucket", "window_start"], set_={"count": WINDOWS.c.count + 1}
        )
        .returning(WINDOWS.c.bucket, WINDOWS.c.count)
    )
)
# ... and the clean-up of the budgets of past windows.
DELETE_BUDGET_WINDOWS = delete(WINDOWS).where(WINDOWS.c.window_start < bindparam("before"))


def _session(row: Any) -> StoredSession:
    return record(StoredSession, row, tags=tuple(row.tags))


class SessionRepository:
    def __init__(self, executor: Executor) -> None:
        self._db = executor

    async def find_global_chat(self, organization_id: uuid.UUID, user_id: uuid.UUID) -> GlobalChat | None:
        """The user's global chat session in the organization, and the organization's current harness."""
        row = (
            await self._db.execute(FIND_GLOBAL_CHAT, {"organization_id": organization_id, "user_id": user_id})
        ).first()
        return None if row is None else GlobalChat(_session(row), row.platform_chat_harness_id)

    async def find_organization_chat(
        self, organization_id: uuid.UUID, user_id: uuid.UUID
    ) -> GlobalChat | Organization | None:
        """The user's global chat session in the organization with the organization's current harness (as
        find_global_chat); the organization when the user has no such session; None when there is no
        such organization."""
        parameters = {"organization_id": organization_id, "user_id": user_id}
        row = (await self._db.execute(FIND_ORGANIZATION_CHAT, parameters)).first()
        if row is None:
            return None
        if row.id is None:  # no session joined
            return Organization(organization_id, row.platform_chat_harness_id)
        return GlobalChat(_session(row), row.platform_chat_harness_id)

    async def insert_global_chat(self, session: StoredSession) -> bool:
        """Insert unless the (organization, user) singleton exists; True when this call inserted it."""
        values = {name: getattr(session, name) for name in field_names(StoredSession)} | {"tags": list(session.tags)}
        return (await self._db.execute(INSERT_GLOBAL_CHAT(self._db.dialect), values)).first() is not None

    async def find_owned(
        self, session_id: uuid.UUID, organization_id: uuid.UUID, user_id: uuid.UUID, *, lock: bool = False
    ) -> StoredSession | None:
        """The session if it is in the organization and owned by the user (locked for this transaction
        when `lock`, so that a concurrent change or delete waits for it)."""
        parameters = {"session_id": session_id, "organization_id": organization_id, "user_id": user_id}
        row = (await self._db.execute(FIND_OWNED_LOCKED if lock else FIND_OWNED, parameters)).first()
        return None if row is None else _session(row)

    async def rebind(self, session_id: uuid.UUID, harness_id: uuid.UUID, now: datetime) -> StoredSession | None:
        """Bind the session to `harness_id`; the session as stored afterwards, or None when it is gone."""
        return await self._update(session_id, harness_id=harness_id, updated_at=now)

    async def change(self, session_id: uuid.UUID, changes: SessionChanges, now: datetime) -> StoredSession | None:
        """Apply `changes` (the fields it leaves None stay as they are); the session as stored afterwards, or
        None when it is gone."""
        values: dict[str, Any] = {"updated_at": now}
        if changes.title is not None:
            values["title"] = changes.title
        if changes.clear_locale or changes.locale is not None:
            values["locale"] = None if changes.clear_locale else changes.locale
        if changes.tags is not None:
            values["tags"] = list(changes.tags)
        return await self._update(session_id, **values)

    async def set_pinned(self, session_id: uuid.UUID, pinned: bool, now: datetime) -> StoredSession | None:
        """Pin or unpin the session; the session as stored afterwards, or None when it is gone."""
        return await self._update(session_id, is_pinned=pinned, updated_at=now)

    async def _update(self, session_id: uuid.UUID, **values: Any) -> StoredSession | None:
        row = (await self._db.execute(UPDATE_SESSION, {"session_id": session_id, **values})).first()
        return None if row is None else _session(row)

    async def delete_owned(self, session_id: uuid.UUID, organization_id: uuid.UUID, user_id: uuid.UUID) -> bool:
        """Delete the session if it is the user's in the organization; True when this call deleted it."""
        parameters = {"session_id": session_id, "organization_id": organization_id, "user_id": user_id}
        return (await self._db.execute(DELETE_OWNED, parameters)).first() is not None

    async def charge_budgets(self, organization_id: uuid.UUID, buckets: list[str], window_start: int) -> dict[str, int]:
        """Count one more use of each of the organization's `buckets` in this window, in one atomic
        statement (rows locked in the order given); each bucket's new count."""
        rows = [
            {"organization_id": organization_id, "bucket": bucket, "window_start": window_start, "count": 1}
            for bucket in buckets
        ]
        return {
            row.bucket: int(row._mapping["count"])
            for row in await self._db.execute(CHARGE_BUDGETS(self._db.dialect), rows)
        }

    async def delete_budget_windows(self, *, before: int) -> None:
        """Delete every budget window (of every organization) that started before `before`."""
        await self._db.execute(DELETE_BUDGET_WINDOWS, {"before": before})
