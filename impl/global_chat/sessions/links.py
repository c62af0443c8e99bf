"""self_url / view_url / ui_link and the state-aware allowed_actions of a session, from the contract.

Each response that returns a session declares its follow-ups as OpenAPI links (openapi/openapi.yaml,
components/links), in the order they are offered. A link with an `x-allowed-action` (its `rel` and
`hint`) is an allowed action: the operation it names gives the method, the path and the request
schema (`schema_ref`); its parameters say what fills the path (`$response.body#/id`: the session's id).
Hrefs are built from API_BASE_URL, never from the request's Host header, and only operations this
service serves are offered. The one rule that is not the contract's is which follow-ups a session's
state allows (OFFERED_WHEN: pin or unpin).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from global_chat_generated.models import AllowedAction
from global_chat_generated.records import Link, Operation

EXTENSION = "x-allowed-action"
SESSION_ID = "$response.body#/id"
"""The one runtime expression a session's links use: the session's id."""


def _always(is_pinned: bool) -> bool:
    return True


OFFERED_WHEN: Mapping[str, Callable[[bool], bool]] = {
    "pin": lambda is_pinned: not is_pinned,
    "unpin": lambda is_pinned: is_pinned,
}
"""rel -> whether a session in this pin state offers it (every other rel is always offered)."""


@dataclass(frozen=True, slots=True)
class _Action:
    rel: str
    method: str
    operation_id: str
    href: tuple[str, ...]
    """The href's text around the session id: joined by it."""
    schema_ref: str | None
    hint: str | None


class SessionLinks:
    def __init__(
        self, *, api_base_url: str, ui_base_url: str, base_path: str, operations: Mapping[str, Operation],
        served: Collection[str],
    ) -> None:  # fmt: skip
        self._ui = ui_base_url
        root = api_base_url + base_path
        actions = {
            operation_id: [_action(link, operations, root) for link in links if EXTENSION in link.extensions]
            for operation_id, links in _session_links(operations).items()
        }
        selves = [action for each in actions.values() for action in each if action.rel == "self"]
        if not selves:
            raise ValueError(f"no link of the contract is the session's self ({EXTENSION} rel: self)")
        self._self = selves[0].href
        # Which of them this service serves, and which a pin state offers, is known at start-up.
        self._actions = {
            (operation_id, pinned): [
                a for a in each if a.operation_id in served and OFFERED_WHEN.get(a.rel, _always)(pinned)
            ]
            for operation_id, each in actions.items()
            for pinned in (False, True)
        }

    def self_url(self, session_id: str) -> str:
        return session_id.join(self._self)

    def view_url(self, session_id: str) -> str:
        return f"{self._ui}/chat/{session_id}"

    def allowed_actions(self, operation_id: str, session_id: str, *, is_pinned: bool) -> list[AllowedAction]:
        """The follow-ups of the session `session_id` that `operation_id`'s answer offers."""
        return [
            AllowedAction(
                rel=a.rel, method=a.method, operation_id=a.operation_id, href=session_id.join(a.href),
                schema_ref=a.schema_ref, hint=a.hint,
            )
            for a in self._actions.get((operation_id, is_pinned), ())
        ]  # fmt: skip


def _session_links(operations: Mapping[str, Operation]) -> dict[str, tuple[Link, ...]]:
    """operationId -> the links of its success answer, for the operations whose answer has links."""
    found = {}
    for operation in operations.values():
        for response in operation.responses:
            if response.status.startswith("2") and response.links:
                found[operation.operation_id] = response.links
    return found


def _action(link: Link, operations: Mapping[str, Operation], root: str) -> _Action:
    target = operations[link.operation_id]
    for name in re.findall(r"\{([^}]*)\}", target.path):
        if link.parameters.get(name) != SESSION_ID:
            raise ValueError(f"link {link.name}: path parameter {name!r} is not {SESSION_ID}")
    details = link.extensions[EXTENSION]
    if not isinstance(details, Mapping) or not isinstance(details.get("rel"), str):
        raise ValueError(f"link {link.name}: {EXTENSION} must be an object with a rel")
    hint = details.get("hint")
    return _Action(
        rel=details["rel"],
        method=target.method,
        operation_id=target.operation_id,
        href=tuple(re.split(r"\{[^}]*\}", root + target.path)),
        schema_ref=target.body.schema_ref if target.body is not None else None,
        hint=hint if isinstance(hint, str) else None,
    )
