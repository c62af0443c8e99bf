"""Stored sessions -> the contract's WithUrls_Session, through the generated model."""

from __future__ import annotations

from global_chat import ids
from global_chat.identity import Identity
from global_chat.sessions.links import SessionLinks
from global_chat.sessions.model import StoredSession
from global_chat_generated.models import PrincipalKind, PrincipalSummary, SessionStatus, WithUrlsSession


def present_session(session: StoredSession, owner: Identity, links: SessionLinks, operation_id: str) -> WithUrlsSession:
    """The session as `operation_id` answers it (its allowed_actions are the links of that answer)."""
    session_id = ids.format_id(ids.SESSION, session.id)
    principal = PrincipalSummary(
        id=ids.format_id(ids.PRINCIPAL, session.owner_principal_id),
        kind=PrincipalKind.user,
        subject_id=owner.user_id,
    )
    view_url, self_url = links.view_url(session_id), links.self_url(session_id)
    return WithUrlsSession(
        id=session_id,
        organization_id=ids.format_id(ids.ORGANIZATION, session.organization_id),
        workspace_id=ids.format_id(ids.WORKSPACE, session.workspace_id),
        harness_id=ids.format_id(ids.HARNESS, session.harness_id),
        owner_principal_id=principal.id,
        owner=principal,
        effective_owner=principal,
        resolved_owner_user_id=owner.user_id,
        title=session.title,
        locale=session.locale,
        status=SessionStatus(session.status),
        tags=list(session.tags),
        is_pinned=session.is_pinned,
        features=[],
        capabilities=[],
        tools=[],
        initial_files=[],
        active_schedule_count=0,
        parallel_tool_calls=None,  # no preference stored: the provider's default (left off the wire)
        created_at=session.created_at,
        updated_at=session.updated_at,
        self_url=self_url,
        view_url=view_url,
        ui_link=view_url,
        allowed_actions=links.allowed_actions(operation_id, session_id, is_pinned=session.is_pinned) or None,
    )
