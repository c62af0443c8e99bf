"""Thin handlers behind the generated Connexion stub: validated request in, contract response out."""

from __future__ import annotations

from starlette.responses import Response

from global_chat.sessions.locale import canonical_locale
from global_chat.sessions.presenter import session_json
from global_chat.sessions.repository import SessionRepository
from global_chat.web.container import current_container, current_identity
from global_chat_generated.models import GetOrCreateChatSessionRequest

JSON = "application/json"


async def get_or_create_chat_session(body: GetOrCreateChatSessionRequest | None) -> Response:
    container = current_container()
    identity = current_identity()
    locale = body.locale if body is not None else None
    if locale is not None:
        locale = canonical_locale(locale)
    async with container.database.transaction() as tx:
        outcome = await container.sessions.get_or_create(SessionRepository(tx), identity, locale)
    return Response(session_json(outcome.session, identity, container.links), 200, media_type=JSON)
