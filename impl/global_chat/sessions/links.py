"""self_url / view_url / ui_link and the state-aware allowed_actions of a session.

Built from the configured base URLs, never from the request's Host header, and offering only
operations that this service really serves (the contract's operations, as generated).
"""

from __future__ import annotations

from collections.abc import Collection

from global_chat import ids
from global_chat.sessions.model import StoredSession
from global_chat_generated.models import AllowedAction


class SessionLinks:
    def __init__(self, *, api_base_url: str, ui_base_url: str, served_operations: Collection[str]) -> None:
        self._api = api_base_url
        self._ui = ui_base_url
        self._served = frozenset(served_operations)

    def self_url(self, session_id: str) -> str:
        return f"{self._api}/v1/sessions/{session_id}"

    def view_url(self, session_id: str) -> str:
        return f"{self._ui}/chat/{session_id}"

    def allowed_actions(self, session: StoredSession) -> list[AllowedAction]:
        href = self.self_url(ids.format_id(ids.SESSION, session.id))
        candidates = [
            ("self", "GET", "get_session", href, None, "Read this session."),
            ("update", "PATCH", "update_session", href, "#/components/schemas/UpdateSessionRequest",
             "Change the title, locale or tags."),
            ("delete", "DELETE", "delete_session", href, None,
             "Delete this session; the next get-or-create call makes a new one."),
            ("unpin", "DELETE", "unpin_session", f"{href}/pin", None, "Unpin this session.")
            if session.is_pinned
            else ("pin", "PUT", "pin_session", f"{href}/pin", None, "Pin this session."),
        ]  # fmt: skip
        return [
            AllowedAction(rel=rel, method=method, operation_id=op, href=url, schema_ref=schema, hint=hint)
            for rel, method, op, url, schema, hint in candidates
            if op in self._served
        ]
