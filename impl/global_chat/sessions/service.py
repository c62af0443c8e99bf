"""The global chat singleton: get it, or create it exactly once per (organization, user)."""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from global_chat import ids
from global_chat.errors import RateLimited, ServiceUnavailable
from global_chat.identity import Identity
from global_chat.sessions.repository import SessionRepository
from global_chat.storage.tables import Session as SessionRow

GLOBAL_CHAT_TAG = "global-chat"
PLATFORM_CHAT_TITLE = "Platform Chat"
CREATE_BUDGET = "global-chat-create"
WINDOW_SECONDS = 60


def global_chat_tags(identity: Identity) -> list[str]:
    return [GLOBAL_CHAT_TAG, f"user:{identity.user_id}"]


@dataclass(frozen=True, slots=True)
class ChatOutcome:
    session: SessionRow
    created: bool
    """True when this call created the session."""
    race_lost: bool = False
    """True when a concurrent call created it between our look-up and our insert."""


def utc_now() -> datetime:
    return datetime.now(UTC)


class GlobalChatService:
    def __init__(self, *, create_rate_limit: int, clock: Callable[[], datetime] = utc_now) -> None:
        self._create_rate_limit = create_rate_limit
        self._clock = clock

    async def get_or_create(self, repo: SessionRepository, identity: Identity, locale: str | None) -> ChatOutcome:
        """Return the caller's global chat session; `locale` seeds it only when it is created here."""
        found = await repo.find_global_chat(identity.organization_id, identity.user_id)
        if found is not None:
            session, current_harness = found
            await self._repair(repo, session, current_harness)
            return ChatOutcome(session, created=False)

        harness_id = await repo.platform_chat_harness_id(identity.organization_id)
        if harness_id is None:
            # Every organization is created with its Platform Chat harness; missing one is an operator
            # problem, not the caller's.
            raise ServiceUnavailable(retry_after=60)
        now = self._clock()
        session_id = ids.new_uuid()
        inserted = await repo.insert_global_chat(
            {
                "id": session_id,
                "organization_id": identity.organization_id,
                "workspace_id": session_id,  # the default 1:1 workspace mirrors the session id
                "harness_id": harness_id,
                "owner_principal_id": identity.principal_id,
                "global_chat_user_id": identity.user_id,
                "title": PLATFORM_CHAT_TITLE,
                "locale": locale,
                "status": "started",
                "tags": global_chat_tags(identity),
                "is_pinned": False,
                "created_at": now,
                "updated_at": now,
            }
        )
        if inserted:
            # Only a creation is charged; if the budget is spent the transaction rolls the insert back.
            await self._charge_creation(repo, identity, now)
        found = await repo.find_global_chat(identity.organization_id, identity.user_id)
        if found is None:  # pragma: no cover - the row exists: we or a concurrent call just wrote it
            raise RuntimeError("global chat session vanished inside its own transaction")
        session, current_harness = found
        if not inserted:
            await self._repair(repo, session, current_harness)
        return ChatOutcome(session, created=inserted, race_lost=not inserted)

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
