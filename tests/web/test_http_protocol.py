"""Pins what web/http_protocol.py (and logs.py) rely on in uvicorn's httptools protocol: when an upgrade
changes one of these, this module fails, naming it. The behaviour itself is tested on a real server in
tests/hostile/test_server_bounds.py."""

from __future__ import annotations

import inspect
from typing import Any

from uvicorn.config import HTTP_PROTOCOLS, Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle
from uvicorn.server import ServerState

from global_chat.web.http_protocol import HTTP_PROTOCOL, BoundedHttpToolsProtocol


def source(function: Any) -> str:
    return inspect.getsource(function)


def test_the_protocol_is_the_one_uvicorn_serves_by_default_and_is_loaded_by_import_string() -> None:
    assert issubclass(BoundedHttpToolsProtocol, HttpToolsProtocol)
    assert HTTP_PROTOCOLS["httptools"].endswith(":HttpToolsProtocol")
    assert "import_from_string(HTTP_PROTOCOLS.get(self.http, self.http))" in source(Config.load)
    assert HTTP_PROTOCOL == "global_chat.web.http_protocol:BoundedHttpToolsProtocol"


def test_the_constructor_and_the_per_connection_state() -> None:
    assert list(inspect.signature(HttpToolsProtocol.__init__).parameters) == [
        "self", "config", "server_state", "app_state", "_loop"
    ]  # fmt: skip
    init = source(HttpToolsProtocol.__init__)
    for attribute in ("self.app = ", "self.loop = ", "self.connections = ", "self.cycle: ", "self.server_state = "):
        assert attribute in init, attribute
    assert "default_headers" in source(ServerState.__init__)


def test_the_callbacks_overridden_and_what_they_do_upstream() -> None:
    for name in ("connection_made", "connection_lost", "data_received", "on_headers_complete", "on_message_complete"):
        assert name in vars(HttpToolsProtocol), name
    # the parser's refusals are answered by send_400_response(msg), which we override
    assert "self.send_400_response(msg)" in source(HttpToolsProtocol.data_received)
    assert list(inspect.signature(HttpToolsProtocol.send_400_response).parameters) == ["self", "msg"]
    # with limit_concurrency unset, a request runs `self.app` (our over-capacity answer swaps it)
    assert "app = self.app" in source(HttpToolsProtocol.on_headers_complete)
    assert "self.flow = FlowControl(transport)" in source(HttpToolsProtocol.connection_made)
    assert "self.connections.add(self)" in source(HttpToolsProtocol.connection_made)


def test_the_warning_an_upgrade_request_costs_is_one_method() -> None:
    """The one underscore name overridden: uvicorn's warnings for an Upgrade header it cannot serve."""
    assert "self._unsupported_upgrade_warning()" in source(HttpToolsProtocol.data_received)
    assert "No supported WebSocket library" in source(HttpToolsProtocol._unsupported_upgrade_warning)


def test_the_cycle_state_read_before_answering() -> None:
    init = source(RequestResponseCycle.__init__)
    assert "self.response_complete = False" in init
    assert "self.keep_alive = keep_alive" in init


def test_uvicorn_writes_its_access_line_only_when_its_logger_has_a_handler() -> None:
    """logs.py leaves `uvicorn.access` without one, so ours is the only access line."""
    assert "self.access_log = self.access_logger.hasHandlers()" in source(HttpToolsProtocol.__init__)
