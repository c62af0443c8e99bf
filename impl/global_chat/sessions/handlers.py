"""The `sessions` operations of the contract: the generated interface, implemented by thin handlers
(request context and body models in, the service called, response models out)."""

from __future__ import annotations

from global_chat.context import RequestContext
from global_chat.sessions.links import SessionLinks
from global_chat.sessions.model import SessionChanges
from global_chat.sessions.presenter import present_session
from global_chat.sessions.service import GlobalChatService, SessionService
from global_chat_generated.api.sessions import (
    DeleteSession204,
    GetOrCreateChatSession200,
    GetSession200,
    PinSession204,
    SessionsApi,
    UnpinSession204,
    UpdateSession200,
)
from global_chat_generated.models import GetOrCreateChatSessionRequest, UpdateSessionRequest


class SessionsHandlers(SessionsApi[RequestContext]):
    def __init__(self, *, global_chat: GlobalChatService, sessions: SessionService, links: SessionLinks) -> None:
        self._global_chat = global_chat
        self._sessions = sessions
        self._links = links

    async def get_or_create_chat_session(
        self, context: RequestContext, body: GetOrCreateChatSessionRequest | None
    ) -> GetOrCreateChatSession200:
        outcome = await self._global_chat.get_or_create(context.identity, body.locale if body is not None else None)
        return GetOrCreateChatSession200(
            body=present_session(outcome.session, context.identity, self._links, context.operation_id)
        )

    async def get_session(self, context: RequestContext, session_id: str) -> GetSession200:
        session = await self._sessions.get(context.identity, session_id)
        return GetSession200(body=present_session(session, context.identity, self._links, context.operation_id))

    async def update_session(
        self, context: RequestContext, session_id: str, body: UpdateSessionRequest
    ) -> UpdateSession200:
        changes = SessionChanges(
            title=body.title,
            locale=body.locale,
            clear_locale="locale" in body.model_fields_set and body.locale is None,
            tags=tuple(tag.root for tag in body.tags) if body.tags is not None else None,
        )
        session = await self._sessions.update(context.identity, session_id, changes)
        return UpdateSession200(body=present_session(session, context.identity, self._links, context.operation_id))

    async def delete_session(self, context: RequestContext, session_id: str) -> DeleteSession204:
        await self._sessions.delete(context.identity, session_id)
        return DeleteSession204()

    async def pin_session(self, context: RequestContext, session_id: str) -> PinSession204:
        await self._sessions.set_pinned(context.identity, session_id, pinned=True)
        return PinSession204()

    async def unpin_session(self, context: RequestContext, session_id: str) -> UnpinSession204:
        await self._sessions.set_pinned(context.identity, session_id, pinned=False)
        return UnpinSession204()
