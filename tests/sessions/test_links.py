"""allowed_actions come from the contract's links (openapi/openapi.yaml, components/links: x-allowed-action):
the actions, their order and their data are the contract's, and every operation they name is served."""

from __future__ import annotations

from typing import Any

import pytest

from global_chat.discovery.catalog import build_catalog
from global_chat.discovery.handlers import DiscoveryHandlers
from global_chat.sessions.handlers import SessionsHandlers
from global_chat.sessions.links import SessionLinks
from global_chat.web.context import request_context
from global_chat_generated import server
from global_chat_generated.operations import BASE_PATH, OPERATIONS

API = "https://api.example.test"
SESSION = "session_0193b2c4e5f67a8b9c0d1e2f3a4b5c6d"
HREF = f"{API}/v1/sessions/{SESSION}"


def links() -> SessionLinks:
    return SessionLinks(
        api_base_url=API, ui_base_url="https://app.example.test", base_path=BASE_PATH, operations=OPERATIONS,
        served=OPERATIONS,
    )  # fmt: skip


def actions(operation_id: str, *, is_pinned: bool) -> list[dict[str, Any]]:
    found = links().allowed_actions(operation_id, SESSION, is_pinned=is_pinned)
    return [action.model_dump(exclude_none=True) for action in found]


def test_the_actions_of_a_session_follow_the_contracts_links_in_order() -> None:
    assert actions("get_or_create_chat_session", is_pinned=False) == [
        {"rel": "self", "method": "GET", "operation_id": "get_session", "href": HREF, "hint": "Read this session."},
        {"rel": "update", "method": "PATCH", "operation_id": "update_session", "href": HREF,
         "schema_ref": "#/components/schemas/UpdateSessionRequest", "hint": "Change the title, locale or tags."},
        {"rel": "delete", "method": "DELETE", "operation_id": "delete_session", "href": HREF,
         "hint": "Delete this session; the next get-or-create call makes a new one."},
        {"rel": "pin", "method": "PUT", "operation_id": "pin_session", "href": f"{HREF}/pin",
         "hint": "Pin this session."},
    ]  # fmt: skip
    pinned = actions("get_or_create_chat_session", is_pinned=True)
    assert [a["rel"] for a in pinned] == ["self", "update", "delete", "unpin"]
    assert pinned[-1] == {
        "rel": "unpin", "method": "DELETE", "operation_id": "unpin_session", "href": f"{HREF}/pin",
        "hint": "Unpin this session.",
    }  # fmt: skip
    assert links().self_url(SESSION) == HREF


@pytest.mark.parametrize("is_pinned", [False, True])
def test_every_operation_an_answer_can_offer_is_one_the_service_serves(is_pinned: bool) -> None:
    handlers = SessionsHandlers(global_chat=None, sessions=None, links=links())  # type: ignore[arg-type]
    discovery = DiscoveryHandlers(build_catalog("https://api.example.test"))
    served = set(server.bind(sessions=handlers, discovery=discovery, context=request_context).endpoints)
    offered = {a["operation_id"] for op in OPERATIONS for a in actions(op, is_pinned=is_pinned)}

    assert offered and offered <= served


def test_a_link_the_service_does_not_serve_is_not_offered() -> None:
    partial = SessionLinks(
        api_base_url=API, ui_base_url="", base_path="", operations=OPERATIONS, served={"get_session"}
    )
    offered = partial.allowed_actions("get_session", SESSION, is_pinned=False)
    assert [a.operation_id for a in offered] == ["get_session"]
