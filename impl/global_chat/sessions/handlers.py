"""Thin handlers behind the generated Connexion stub: validated request in, contract response out."""

from __future__ import annotations

from starlette.responses import Response

from global_chat.accounts.repository import AccountRepository
from global_chat.identity import Identity
from global_chat.sessions.links import SessionView
from global_chat.sessions.locale import canonical_locale
from global_chat.sessions.presenter import session_json
from global_chat.sessions.repository import SessionReader, SessionRepository
from global_chat.sessions.service import SessionChanges
from global_chat.web.container import Container, current_container, current_identity
from global_chat_generated.models import GetOrCreateChatSessionRequest, UpdateSessionRequest

JSON = "application/json"


def _session_response(container: Container, session: SessionView, identity: Identity) -> Response:
    return Response(session_json(session, identity, container.links), 200, media_type=JSON)


async def get_or_create_chat_session(body: GetOrCreateChatSessionRequest | None) -> Response:
    container = current_container()
    payload = await global_chat_json(container, current_identity(), body.locale if body is not None else None)
    return Response(payload, 200, media_type=JSON)


async def global_chat_json(container: Container, identity: Identity, locale: str | None) -> bytes:
    """The whole of get-or-create below the web framework (the benchmark's baselines call it too)."""
    if locale is not None:
        locale = canonical_locale(locale)
    existing = await container.global_chat.find_existing(SessionReader(container.database), identity)
    if existing is not None:  # the hot path: one read, no transaction
        return session_json(existing, identity, container.links)
    async with container.database.transaction() as tx:
        outcome = await container.global_chat.get_or_create(
            SessionRepository(tx), AccountRepository(tx), identity, locale
        )
    container.metrics.chat_outcome(outcome.created, outcome.race_lost)
    return session_json(outcome.session, identity, container.links)


async def get_session(session_id: str) -> Response:
    container, identity = current_container(), current_identity()
    async with container.database.transaction() as tx:
        session = await container.sessions.get(SessionRepository(tx), identity, session_id)
    return _session_response(container, session, identity)


async def update_session(session_id: str, body: UpdateSessionRequest) -> Response:
    container, identity = current_container(), current_identity()
    clear_locale = "locale" in body.model_fields_set and body.locale is None
    changes = SessionChanges(
        title=body.title,
        locale=canonical_locale(body.locale) if body.locale is not None else None,
        clear_locale=clear_locale,
        tags=[tag.root for tag in body.tags] if body.tags is not None else None,
    )
    async with container.database.transaction() as tx:
        session = await container.sessions.update(SessionRepository(tx), identity, session_id, changes)
    return _session_response(container, session, identity)


async def delete_session(session_id: str) -> Response:
    container, identity = current_container(), current_identity()
    async with container.database.transaction() as tx:
        await container.sessions.delete(SessionRepository(tx), identity, session_id)
    return Response(status_code=204)


async def pin_session(session_id: str) -> Response:
    return await _set_pinned(session_id, pinned=True)


async def unpin_session(session_id: str) -> Response:
    return await _set_pinned(session_id, pinned=False)


async def _set_pinned(session_id: str, *, pinned: bool) -> Response:
    container, identity = current_container(), current_identity()
    async with container.database.transaction() as tx:
        await container.sessions.set_pinned(SessionRepository(tx), identity, session_id, pinned)
    return Response(status_code=204)
