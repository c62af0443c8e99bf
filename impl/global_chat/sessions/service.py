"""Sessions: the global chat singleton (get it, or create it exactly once per organization and user)
and the lifecycle operations on a caller's own sessions."""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row

from global_chat import ids
from global_chat.accounts.repository import AccountRepository
from global_chat.errors import NotFound, RateLimited, ServiceUnavailable, Unauthorized
from global_chat.identity import Identity
from global_chat.sessions.repository import SessionReader, SessionRepository
from global_chat.storage.tables import Session as SessionRow

GLOBAL_CHAT_TAG = "global-chat"
PLATFORM_CHAT_TITLE = "Platform Chat"
CREATE_BUDGET = "global-chat-create"
WINDOW_SECONDS = 60


def utc_now() -> datetime:
    return datetime.now(UTC)


def global_chat_tags(user_id: uuid.UUID) -> list[str]:
    return [GLOBAL_CHAT_TAG, f"user:{user_id}"]


@dataclass(frozen=True, slots=True)
class ChatOutcome:
    session: SessionRow
    created: bool
    """True when this call created the session."""
    race_lost: bool = False
    """True when a concurrent call created it between our look-up and our insert."""


class GlobalChatService:
    def __init__(self, *, create_rate_limit: int, clock: Callable[[], datetime] = utc_now) -> None:
        self._create_rate_limit = create_rate_limit
        self._clock = clock

    async def find_existing(self, reader: SessionReader, identity: Identity) -> Row[Any] | None:
        """The hot path: the caller's session if it exists and needs no repair (one read, no transaction)."""
        row = await reader.find_global_chat(identity.organization_id, identity.user_id)
        if row is None or (row.current_harness_id is not None and row.harness_id != row.current_harness_id):
            return None
        return row

    async def get_or_create(
        self, sessions: SessionRepository, accounts: AccountRepository, identity: Identity, locale: str | None
    ) -> ChatOutcome:
        """Return the caller's global chat session; `locale` seeds it only when it is created here."""
        found = await sessions.find_global_chat(identity.organization_id, identity.user_id)
        if found is not None:  # the hot path: one query
            session, current_harness = found
            await self._repair(sessions, session, current_harness)
            return ChatOutcome(session, created=False)

        organization = await sessions.platform_chat_of(identity.organization_id)
        if organization is None:
            raise Unauthorized("Invalid credentials: the organization does not exist.")
        harness_id = organization.platform_chat_harness_id
        if harness_id is None:
            # Every organization is created with its Platform Chat harness; a missing one is an
            # operator's problem, not the caller's.
            raise ServiceUnavailable(retry_after=60)
        now = self._clock()
        principal_id = await accounts.ensure_user_principal(identity.user_id, now, ids.new_uuid())
        session_id = ids.new_uuid()
        values = {
            "id": session_id,
            "organization_id": identity.organization_id,
            "workspace_id": session_id,  # the default 1:1 workspace mirrors the session id
            "harness_id": harness_id,
            "owner_principal_id": principal_id,
            "global_chat_user_id": identity.user_id,
            "title": PLATFORM_CHAT_TITLE,
            "locale": locale,
            "status": "started",
            "tags": global_chat_tags(identity.user_id),
            "is_pinned": False,
            "created_at": now,
            "updated_at": now,
        }
        if await sessions.insert_global_chat(values):
            # Only a creation is charged; when the budget is spent the request's transaction rolls
            # the insert back with it. What was inserted is what is returned: no second read.
            await self._charge_creation(sessions, identity, now)
            return ChatOutcome(SessionRow(**values), created=True)
        # A concurrent call created it between our look-up and our insert: return theirs.
        found = await sessions.find_global_chat(identity.organization_id, identity.user_id)
        if found is None:  # pragma: no cover - we or a concurrent call just wrote it
            raise RuntimeError("global chat session vanished inside its own transaction")
        session, current_harness = found
        await self._repair(sessions, session, current_harness)
        return ChatOutcome(session, created=False, race_lost=True)

    async def _repair(self, repo: SessionRepository, session: SessionRow, current_harness: uuid.UUID | None) -> None:
        """Re-bind a session whose harness is no longer the organization's Platform Chat harness."""
        if current_harness is not None and session.harness_id != current_harness:
            await repo.rebind_harness(session, current_harness, self._clock())

    async def _charge_creation(self, repo: SessionRepository, identity: Identity, now: datetime) -> None:
        if self._create_rate_limit <= 0:
            return
        epoch = now.timestamp()
        window_start = int(epoch // WINDOW_SECONDS) * WINDOW_SECONDS
        used = await repo.charge_budget(identity.organization_id, CREATE_BUDGET, window_start)
        if used > self._create_rate_limit:
            raise RateLimited(retry_after=max(1, math.ceil(window_start + WINDOW_SECONDS - epoch)))


@dataclass(frozen=True, slots=True)
class SessionChanges:
    """What an update changes; None leaves a field as it is (`clear_locale` sets the locale to null)."""

    title: str | None = None
    locale: str | None = None
    clear_locale: bool = False
    tags: Sequence[str] | None = None


class SessionService:
    """Operations on one of the caller's own sessions; any other session is NotFound, existing or not."""

    def __init__(self, clock: Callable[[], datetime] = utc_now) -> None:
        self._clock = clock

    async def get(self, repo: SessionRepository, identity: Identity, session_id: str) -> SessionRow:
        key = ids.parse_id(ids.SESSION, session_id)
        session = None if key is None else await repo.find_owned(key, identity.organization_id, identity.user_id)
        if session is None:
            raise NotFound("Session not found.")
        return session

    async def update(
        self, repo: SessionRepository, identity: Identity, session_id: str, changes: SessionChanges
    ) -> SessionRow:
        session = await self.get(repo, identity, session_id)
        values: dict[str, object] = {}
        if changes.title is not None:
            values["title"] = changes.title
        if changes.clear_locale:
            values["locale"] = None
        elif changes.locale is not None:
            values["locale"] = changes.locale
        if changes.tags is not None:
            tags = list(dict.fromkeys(changes.tags))
            if session.global_chat_user_id is not None:
                # The singleton's markers cannot be edited away.
                markers = global_chat_tags(session.global_chat_user_id)
                tags = markers + [tag for tag in tags if tag not in markers]
            values["tags"] = tags
        if values:
            values["updated_at"] = self._clock()
            await repo.update(session, values)
        return session

    async def delete(self, repo: SessionRepository, identity: Identity, session_id: str) -> None:
        session = await self.get(repo, identity, session_id)
        await repo.delete(session)

    async def set_pinned(self, repo: SessionRepository, identity: Identity, session_id: str, pinned: bool) -> None:
        session = await self.get(repo, identity, session_id)
        if session.is_pinned != pinned:
            await repo.update(session, {"is_pinned": pinned, "updated_at": self._clock()})
