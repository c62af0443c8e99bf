"""Sessions: the global chat singleton (get it, or create it exactly once per organization and user)
and the lifecycle operations on a caller's own sessions. Each method owns its unit of work."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from global_chat import ids
from global_chat.accounts.repository import AccountRepository
from global_chat.clock import Clock, utc_now
from global_chat.conditional import if_match_passes
from global_chat.errors import (
    NotFound,
    PreconditionFailed,
    RateLimited,
    ServiceUnavailable,
    SingletonContended,
    Unauthorized,
)
from global_chat.identity import Identity
from global_chat.metrics import Metrics
from global_chat.ratelimit import QuotaState
from global_chat.sessions.etag import session_etag
from global_chat.sessions.locale import canonical_locale
from global_chat.sessions.model import GlobalChat, SessionChanges, StoredSession, global_chat_tags
from global_chat.sessions.repository import SessionRepository
from global_chat.storage.database import Database

PLATFORM_CHAT_TITLE = "Platform Chat"
CREATE_BUDGET = "global-chat-create"
ORGANIZATION_POLICY = "organization"
USER_POLICY = "user"
"""The names of the two creation budgets in the RateLimit fields."""
WINDOW_SECONDS = 60
SESSION_NOT_FOUND = "Session not found."
VANISHED_RETRIES = 1


@dataclass(frozen=True, slots=True)
class ChatOutcome:
    session: StoredSession
    created: bool
    """True when this call created the session."""
    race_lost: bool = False
    """True when a concurrent call created it between our look-up and our insert."""
    quotas: tuple[QuotaState, ...] = ()
    """The creation budgets this call spent (a creation only), as they stand after it."""


class GlobalChatService:
    def __init__(
        self,
        database: Database,
        *,
        create_rate_limit: int,
        create_rate_limit_per_user: int = 0,
        metrics: Metrics,
        clock: Clock = utc_now,
    ) -> None:
        self._database = database
        self._create_rate_limit = create_rate_limit
        self._create_rate_limit_per_user = create_rate_limit_per_user
        self._metrics = metrics
        self._clock = clock

    async def get_or_create(self, identity: Identity, locale: str | None) -> ChatOutcome:
        """The caller's global chat session; `locale` (BCP 47) seeds it only when it is created here.

        The hot path, a session that exists and needs no re-binding, is one read outside any
        transaction; everything else is one transaction.
        """
        if locale is not None:
            locale = canonical_locale(locale)
        async with self._database.outside_transaction() as connection:
            found = await SessionRepository(connection).find_global_chat(identity.organization_id, identity.user_id)
        if found is not None and not found.needs_rebinding:
            return ChatOutcome(found.session, created=False)
        # The session this transaction finds can be deleted by a concurrent call before we return it
        # (PostgreSQL's READ COMMITTED: each statement sees the latest commits). The caller still
        # gets a session: the whole get-or-create runs again, once, in a new transaction.
        for _attempt in range(VANISHED_RETRIES + 1):
            async with self._database.transaction() as tx:
                outcome = await self._get_or_create(SessionRepository(tx), AccountRepository(tx), identity, locale)
            if outcome is not None:
                self._metrics.chat_outcome(outcome.created, outcome.race_lost)
                return outcome
        # Deleted again under a second attempt: someone deletes it as fast as it is made. Say so.
        raise SingletonContended(retry_after=1)

    async def _get_or_create(
        self, sessions: SessionRepository, accounts: AccountRepository, identity: Identity, locale: str | None
    ) -> ChatOutcome | None:
        """The outcome, or None when the session this transaction found was deleted under it."""
        # One statement for the session (created since the caller's look-up outside this transaction?)
        # and, when there is none, the organization it is to be created in.
        found = await sessions.find_organization_chat(identity.organization_id, identity.user_id)
        if isinstance(found, GlobalChat):
            rebound = await self._rebound(sessions, found)
            return None if rebound is None else ChatOutcome(rebound, created=False)
        organization = found
        if organization is None:
            raise Unauthorized
        if organization.platform_chat_harness_id is None:
            # Every organization is created with its Platform Chat harness; a missing one is an
            # operator's problem, not the caller's.
            raise ServiceUnavailable(retry_after=60)
        now = self._clock()
        session_id = ids.new_uuid()
        session = StoredSession(
            id=session_id,
            organization_id=identity.organization_id,
            workspace_id=session_id,  # the default 1:1 workspace mirrors the session id
            harness_id=organization.platform_chat_harness_id,
            owner_principal_id=await accounts.ensure_user_principal(identity.user_id, now, ids.new_uuid()),
            global_chat_user_id=identity.user_id,
            title=PLATFORM_CHAT_TITLE,
            locale=locale,
            status="started",
            tags=global_chat_tags(identity.user_id),
            is_pinned=False,
            created_at=now,
            updated_at=now,
        )
        if await sessions.insert_global_chat(session):
            # Only a creation is charged; when the budget is spent the transaction rolls the insert
            # back with it. What was inserted is what is returned: no second read.
            quotas = await self._charge_creation(sessions, identity, now)
            return ChatOutcome(session, created=True, quotas=quotas)
        # A concurrent call created it between our look-up and our insert: return theirs (unless a
        # third call has deleted it since).
        found = await sessions.find_global_chat(identity.organization_id, identity.user_id)
        if found is None:
            return None
        rebound = await self._rebound(sessions, found)
        return None if rebound is None else ChatOutcome(rebound, created=False, race_lost=True)

    async def _rebound(self, sessions: SessionRepository, found: GlobalChat) -> StoredSession | None:
        """The session, re-bound first when its harness is no longer the organization's Platform Chat
        harness; None when it was deleted since it was read."""
        harness_id = found.platform_chat_harness_id
        if harness_id is None or not found.needs_rebinding:
            return found.session
        return await sessions.rebind(found.session.id, harness_id, self._clock())

    async def _charge_creation(
        self, sessions: SessionRepository, identity: Identity, now: datetime
    ) -> tuple[QuotaState, ...]:
        """Charge the creation to the organization's budget and to the user's own (so that one user who
        deletes and re-creates cannot spend the whole organization's); RateLimited when either is spent.
        The budgets as they stand afterwards (for the RateLimit fields); on a refusal, as they stand once
        the refused charge is rolled back.

        The first charge of a window also deletes the windows that ended before the previous one, so
        the table holds about two minutes of budgets, whatever the number of organizations and users.
        """
        limits = {
            CREATE_BUDGET: self._create_rate_limit,
            user_budget(identity.user_id): self._create_rate_limit_per_user,
        }
        limits = {bucket: limit for bucket, limit in limits.items() if limit > 0}
        if not limits:
            return ()
        epoch = now.timestamp()
        window_start = int(epoch // WINDOW_SECONDS) * WINDOW_SECONDS
        used = await sessions.charge_budgets(identity.organization_id, list(limits), window_start)
        if used[next(iter(limits))] == 1:
            # Kept: the previous window too, for a process whose clock is a little behind ours.
            await sessions.delete_budget_windows(before=window_start - WINDOW_SECONDS)
        reset = max(1, math.ceil(window_start + WINDOW_SECONDS - epoch))
        refused = any(used[bucket] > limit for bucket, limit in limits.items())
        # a refusal rolls its own charge back: what is left is what was left before it
        spent = {bucket: used[bucket] - 1 if refused else used[bucket] for bucket in limits}
        quotas = tuple(
            QuotaState(
                policy=USER_POLICY if bucket != CREATE_BUDGET else ORGANIZATION_POLICY,
                quota=limit,
                window_seconds=WINDOW_SECONDS,
                remaining=max(0, limit - spent[bucket]),
                reset_seconds=reset,
            )
            for bucket, limit in limits.items()
        )
        if refused:
            raise RateLimited(retry_after=reset, quotas=quotas)
        return quotas


def user_budget(user_id: uuid.UUID) -> str:
    """The bucket of one user's creations, beside the organization's (`CREATE_BUDGET`) in its rows."""
    return f"{CREATE_BUDGET}:user:{user_id.hex}"


class SessionService:
    """Operations on one of the caller's own sessions; any other session is NotFound, existing or not."""

    def __init__(self, database: Database, clock: Clock = utc_now) -> None:
        self._database = database
        self._clock = clock

    async def get(self, identity: Identity, session_id: str) -> StoredSession:
        key = _session_key(session_id)
        async with self._database.outside_transaction() as connection:
            session = await SessionRepository(connection).find_owned(key, identity.organization_id, identity.user_id)
        if session is None:
            raise NotFound(SESSION_NOT_FOUND)
        return session

    async def update(
        self, identity: Identity, session_id: str, changes: SessionChanges, *, if_match: str | None = None
    ) -> StoredSession:
        """Apply `changes`; with `if_match` (an If-Match field value), only when it names the session's
        current entity tag, checked on the row locked by this same transaction (PreconditionFailed
        otherwise, and nothing changes)."""
        key = _session_key(session_id)
        locale = canonical_locale(changes.locale) if changes.locale is not None else None
        async with self._database.transaction() as tx:
            repo = SessionRepository(tx)
            session = await self._owned(repo, identity, key, if_match)
            tags = changes.tags
            if tags is not None:
                tags = tuple(dict.fromkeys(tags))
                if session.global_chat_user_id is not None:
                    # The singleton's markers cannot be edited away.
                    markers = global_chat_tags(session.global_chat_user_id)
                    tags = markers + tuple(tag for tag in tags if tag not in markers)
            changes = replace(changes, locale=locale, tags=tags)
            if changes.is_empty:
                return session
            return _still_there(await repo.change(key, changes, self._clock()))

    async def delete(self, identity: Identity, session_id: str, *, if_match: str | None = None) -> None:
        """Delete the session; with `if_match`, only when it names its current entity tag (see update)."""
        key = _session_key(session_id)
        async with self._database.transaction() as tx:
            repo = SessionRepository(tx)
            if if_match is not None:
                await self._owned(repo, identity, key, if_match)
            deleted = await repo.delete_owned(key, identity.organization_id, identity.user_id)
        if not deleted:
            raise NotFound(SESSION_NOT_FOUND)

    async def set_pinned(
        self, identity: Identity, session_id: str, pinned: bool, *, if_match: str | None = None
    ) -> StoredSession:
        """Pin or unpin the session (with `if_match`, see update); the session as it is afterwards."""
        key = _session_key(session_id)
        async with self._database.transaction() as tx:
            repo = SessionRepository(tx)
            session = await self._owned(repo, identity, key, if_match)
            if session.is_pinned == pinned:
                return session
            return _still_there(await repo.set_pinned(key, pinned, self._clock()))

    @staticmethod
    async def _owned(
        repo: SessionRepository, identity: Identity, key: uuid.UUID, if_match: str | None = None
    ) -> StoredSession:
        """The caller's session, locked until the transaction ends (a concurrent change or delete waits
        for it); PreconditionFailed when `if_match` does not name its current entity tag. Checked on the
        locked row, so no other write can land between this check and the transaction's own."""
        session = await repo.find_owned(key, identity.organization_id, identity.user_id, lock=True)
        if session is None:
            raise NotFound(SESSION_NOT_FOUND)
        if if_match is not None:
            current = session_etag(session)
            if not if_match_passes(if_match, current):
                raise PreconditionFailed(str(current))
        return session


def _still_there(updated: StoredSession | None) -> StoredSession:
    """The session a change returned; NotFound when it was deleted since it was read (a backend without
    row locks)."""
    if updated is None:
        raise NotFound(SESSION_NOT_FOUND)
    return updated


def _session_key(session_id: str) -> uuid.UUID:
    """The UUID of a wire session id; NotFound for one that is not `session_<32 hex>` (the contract
    already refuses those with a 400; this guards callers that did not come through it)."""
    key = ids.parse_id(ids.SESSION, session_id)
    if key is None:
        raise NotFound(SESSION_NOT_FOUND)
    return key
