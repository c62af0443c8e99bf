"""self_url / view_url / ui_link and the state-aware allowed_actions of a session.

Built from the configured base URLs, never from the request's Host header, and offering only
operations that this service really serves (the contract's operations, as generated).
"""

from __future__ import annotations

from collections.abc import Collection

from global_chat_generated.models import AllowedAction

# (rel, method, operationId, path under the session's URL, request schema, hint) of every follow-up a
# session may offer; `pin` or `unpin` by its state.
_ACTIONS = (
    ("self", "GET", "get_session", "", None, "Read this session."),
    ("update", "PATCH", "update_session", "", "#/components/schemas/UpdateSessionRequest",
     "Change the title, locale or tags."),
    ("delete", "DELETE", "delete_session", "", None,
     "Delete this session; the next get-or-create call makes a new one."),
)  # fmt: skip
_PIN = ("pin", "PUT", "pin_session", "/pin", None, "Pin this session.")
_UNPIN = ("unpin", "DELETE", "unpin_session", "/pin", None, "Unpin this session.")


class SessionLinks:
    def __init__(self, *, api_base_url: str, ui_base_url: str, served_operations: Collection[str]) -> None:
        self._api = api_base_url
        self._ui = ui_base_url
        served = frozenset(served_operations)
        # Which of them this service serves is known at start-up: filtered once, per pin state.
        self._actions = {
            pinned: [action for action in (*_ACTIONS, _UNPIN if pinned else _PIN) if action[2] in served]
            for pinned in (False, True)
        }

    def self_url(self, session_id: str) -> str:
        return f"{self._api}/v1/sessions/{session_id}"

    def view_url(self, session_id: str) -> str:
        return f"{self._ui}/chat/{session_id}"

    def allowed_actions(self, self_url: str, *, is_pinned: bool) -> list[AllowedAction]:
        """The follow-ups of the session at `self_url` (its self_url()) that this service serves."""
        return [
            AllowedAction(rel=rel, method=method, operation_id=op, href=self_url + path, schema_ref=schema, hint=hint)
            for rel, method, op, path, schema, hint in self._actions[is_pinned]
        ]
