"""The `sessions` operations of the contract: the generated interface, implemented by thin handlers
(request context, typed parameters and body models in, the service called, typed results out: the
body and the response headers the contract declares, ETag and RateLimit here; Cache-Control and Vary
are the same for every answer and set by web/cache_policy.py)."""

from __future__ import annotations

from global_chat.conditional import if_none_match_passes
from global_chat.context import RequestContext
from global_chat.ratelimit import POLICY_HEADER, STATE_HEADER, ratelimit_headers
from global_chat.sessions.etag import session_etag
from global_chat.sessions.links import SessionLinks
from global_chat.sessions.model import SessionChanges, StoredSession
from global_chat.sessions.presenter import present_session
from global_chat.sessions.service import GlobalChatService, SessionService
from global_chat_generated.api.sessions import (
    DeleteSession204,
    GetOrCreateChatSession200,
    GetOrCreateChatSessionResult,
    GetSession200,
    GetSession304,
    GetSessionResult,
    PinSession204,
    SessionsApi,
    UnpinSession204,
    UpdateSession200,
)
from global_chat_generated.models import GetOrCreateChatSessionRequest, UpdateSessionRequest, WithUrlsSession


class SessionsHandlers(SessionsApi[RequestContext]):
    def __init__(self, *, global_chat: GlobalChatService, sessions: SessionService, links: SessionLinks) -> None:
        self._global_chat = global_chat
        self._sessions = sessions
        self._links = links

    def _present(self, session: StoredSession, context: RequestContext) -> WithUrlsSession:
        return present_session(session, context.identity, self._links, context.operation_id)

    async def get_or_create_chat_session(
        self, context: RequestContext, body: GetOrCreateChatSessionRequest | None
    ) -> GetOrCreateChatSessionResult:
        outcome = await self._global_chat.get_or_create(context.identity, body.locale if body is not None else None)
        budgets = ratelimit_headers(outcome.quotas)  # only a creation spends budget: none otherwise
        return GetOrCreateChatSession200(
            body=self._present(outcome.session, context),
            etag=str(session_etag(outcome.session)),
            ratelimit_policy=budgets.get(POLICY_HEADER),
            ratelimit=budgets.get(STATE_HEADER),
        )

    async def get_session(
        self, context: RequestContext, session_id: str, if_none_match: str | None = None
    ) -> GetSessionResult:
        session = await self._sessions.get(context.identity, session_id)
        etag = session_etag(session)
        if not if_none_match_passes(if_none_match, etag):
            return GetSession304(etag=str(etag))
        return GetSession200(body=self._present(session, context), etag=str(etag))

    async def update_session(
        self, context: RequestContext, session_id: str, body: UpdateSessionRequest, if_match: str | None = None
    ) -> UpdateSession200:
        changes = SessionChanges(
            title=body.title,
            locale=body.locale,
            clear_locale="locale" in body.model_fields_set and body.locale is None,
            tags=tuple(tag.root for tag in body.tags) if body.tags is not None else None,
        )
        session = await self._sessions.update(context.identity, session_id, changes, if_match=if_match)
        return UpdateSession200(body=self._present(session, context), etag=str(session_etag(session)))

    async def delete_session(
        self, context: RequestContext, session_id: str, if_match: str | None = None
    ) -> DeleteSession204:
        await self._sessions.delete(context.identity, session_id, if_match=if_match)
        return DeleteSession204()

    async def pin_session(self, context: RequestContext, session_id: str, if_match: str | None = None) -> PinSession204:
        session = await self._sessions.set_pinned(context.identity, session_id, pinned=True, if_match=if_match)
        return PinSession204(etag=str(session_etag(session)))

    async def unpin_session(
        self, context: RequestContext, session_id: str, if_match: str | None = None
    ) -> UnpinSession204:
        session = await self._sessions.set_pinned(context.identity, session_id, pinned=False, if_match=if_match)
        return UnpinSession204(etag=str(session_etag(session)))
