"""What some of Connexion's layers and ours cost per request, each alone with a bare ASGI app behind it.

    .venv/bin/python scripts/bench/stack_layers.py [--rounds 9] [--requests 20000]

CPU time (time.thread_time(), so other jobs on a shared machine count less), the layers and a bare
call in alternating rounds, medians; each figure is microseconds per request over the bare call. It
is how the arrangement of the stack was chosen (docs/performance.md, "The stack's arrangement"):
the generated DeclaredMethods for a concrete and a templated path, Connexion's Swagger UI layer
against ours (web/connexion_extensions.py) for a request that is not for the docs, Connexion's routing
layer against ours (a concrete path: ours finds it in one lookup; a templated one: both route it the
same way), Connexion's security layer against ours with a handler that accepts at once (their own
work only), our response-head layer for a request without Origin against the three layers in a row it
composes (cache policy, CORS, observability: what it still runs for a request with Origin), these two
behind an app that reads the body and answers.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any

warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

from connexion.middleware.abstract import ROUTING_CONTEXT  # noqa: E402
from connexion.middleware.routing import RoutingMiddleware  # noqa: E402
from connexion.middleware.security import SecurityMiddleware  # noqa: E402
from connexion.middleware.swagger_ui import SwaggerUIMiddleware  # noqa: E402
from connexion.options import SwaggerUIOptions  # noqa: E402
from connexion.resolver import Resolver  # noqa: E402
from connexion.security import AbstractSecurityHandler  # noqa: E402
from connexion.spec import Specification  # noqa: E402

from global_chat.app import load_contract  # noqa: E402
from global_chat.metrics import Metrics  # noqa: E402
from global_chat.web.connexion_extensions import (  # noqa: E402
    SPEC_PATH,
    UI_PATH,
    DocsOnlySwaggerUIMiddleware,
    NoRedirectRoutingMiddleware,
    OneDecisionSecurityMiddleware,
)
from global_chat.web.response_head import ResponseHeadMiddleware  # noqa: E402
from global_chat_generated.operations import BASE_PATH, OPERATIONS  # noqa: E402
from global_chat_generated.server.runtime import Binding, DeclaredMethods, path_routes  # noqa: E402

CHAT = "/v1/sessions/chat"
SESSION = "/v1/sessions/session_" + "0" * 32
from starlette.types import Receive, Scope, Send  # noqa: E402


async def bare(scope: Scope, receive: Receive, send: Send) -> None:
    return None


START = {"type": "http.response.start", "status": 200}
HEAD = [(b"content-type", b"application/json"), (b"etag", b'"x"'), (b"content-length", b"2")]


async def answering(scope: Scope, receive: Receive, send: Send) -> None:
    """Reads the body, then answers as the generated endpoints do: a head with its own lines, and a body."""
    await receive()
    await send({"type": "http.response.start", "status": 200, "headers": list(HEAD)})
    await send({"type": "http.response.body", "body": b"{}"})


BODY = {"type": "http.request", "body": b"{}", "more_body": False}


async def one_body(*_: Any) -> Any:
    return BODY


async def discard(message: Any) -> None:
    return None


HEADERS = [
    (b"host", b"127.0.0.1:8080"), (b"user-agent", b"python-httpx/0.28"), (b"accept", b"*/*"),
    (b"authorization", b"x"), (b"content-type", b"application/json"), (b"content-length", b"2"),
]  # fmt: skip


def http(method: str, path: str, **extra: Any) -> Callable[[], Scope]:
    return lambda: {"type": "http", "method": method, "path": path, "root_path": "", "query_string": b"",
                    "headers": [(b"authorization", b"x")], **extra}  # fmt: skip


def swagger_ui(cls: type[SwaggerUIMiddleware]) -> SwaggerUIMiddleware:
    layer = cls(bare)
    options = SwaggerUIOptions(swagger_ui_path=UI_PATH, spec_path=SPEC_PATH)
    layer.add_api(Specification.load(load_contract()), swagger_ui_options=options)
    return layer


class Accepting:
    """A verification function that accepts at once, for Connexion's request (its security layer) or from
    the scope (ours, web/connexion_extensions.py's ScopeCheck)."""

    async def __call__(self, request: Any) -> dict[str, str]:
        return {"sub": "caller"}

    async def from_scope(self, scope: Scope) -> dict[str, str]:
        return {"sub": "caller"}


ACCEPTING = Accepting()


class Accept(AbstractSecurityHandler):  # type: ignore[misc]
    def get_fn(self, security_scheme: Any, required_scopes: Any) -> Any:
        return ACCEPTING


def routing_layer(cls: type[RoutingMiddleware]) -> RoutingMiddleware:
    layer = cls(bare)
    layer.add_api(Specification.load(load_contract()), resolver=Resolver(function_resolver=lambda operation_id: bare))
    return layer


def security_layer(cls: type[SecurityMiddleware]) -> SecurityMiddleware:
    layer = cls(bare)
    resolver = Resolver(function_resolver=lambda operation_id: bare)
    layer.add_api(
        Specification.load(load_contract()), resolver=resolver, security_map={"apiKey": Accept, "bearer": Accept}
    )
    return layer


def answered(method: str, path: str) -> Callable[[], Scope]:
    return lambda: {"type": "http", "http_version": "1.1", "method": method, "path": path, "root_path": "",
                    "query_string": b"", "headers": list(HEADERS)}  # fmt: skip


def answering_layers() -> dict[str, tuple[Any, Callable[[], Scope]]]:
    head = ResponseHeadMiddleware(answering, metrics=Metrics(), origins=["https://ui.example"], operations=OPERATIONS)
    return {
        "cache policy, CORS, observability in a row, POST without Origin": (head.in_a_row, answered("POST", CHAT)),
        "ours (ResponseHeadMiddleware), POST without Origin": (head, answered("POST", CHAT)),
    }


def layers() -> dict[str, tuple[Any, Callable[[], Scope]]]:
    binding = Binding(operations=OPERATIONS, endpoints={}, routes=path_routes(OPERATIONS.values(), BASE_PATH))
    declared = DeclaredMethods(bare, binding=binding)
    routing = routing_layer(NoRedirectRoutingMiddleware)
    routed = {ROUTING_CONTEXT: {"api_base_path": "", "operation_id": "get_or_create_chat_session"}}
    return {
        "DeclaredMethods, POST /v1/sessions/chat": (declared, http("POST", CHAT)),
        "DeclaredMethods, GET /v1/sessions/{session_id}": (declared, http("GET", SESSION)),
        "Connexion's SwaggerUIMiddleware, POST /v1/sessions/chat": (
            swagger_ui(SwaggerUIMiddleware),
            http("POST", CHAT),
        ),
        "ours (DocsOnlySwaggerUIMiddleware), POST /v1/sessions/chat": (
            swagger_ui(DocsOnlySwaggerUIMiddleware),
            http("POST", CHAT),
        ),
        "Connexion's RoutingMiddleware, POST /v1/sessions/chat": (routing_layer(RoutingMiddleware), http("POST", CHAT)),
        "ours (NoRedirectRoutingMiddleware), POST /v1/sessions/chat": (routing, http("POST", CHAT)),
        "Connexion's RoutingMiddleware, GET /v1/sessions/{session_id}": (
            routing_layer(RoutingMiddleware),
            http("GET", SESSION),
        ),
        "ours (NoRedirectRoutingMiddleware), GET /v1/sessions/{session_id}": (routing, http("GET", SESSION)),
        "Connexion's SecurityMiddleware, a handler that accepts": (
            security_layer(SecurityMiddleware),
            http("POST", CHAT, extensions=routed),
        ),
        "ours (OneDecisionSecurityMiddleware), a handler that accepts": (
            security_layer(OneDecisionSecurityMiddleware),
            http("POST", CHAT, extensions=routed),
        ),
    }


async def per_request(app: Any, make_scope: Callable[[], Scope], requests: int) -> float:
    started = time.thread_time()
    for _ in range(requests):
        await app(make_scope(), one_body, discard)
    return (time.thread_time() - started) / requests * 1e6


async def main(rounds: int, requests: int) -> None:
    measured = [(bare, layers()), (answering, answering_layers())]
    for app, each in measured:
        for name, (layer, make_scope) in each.items():
            alone, behind = [], []
            for _ in range(rounds):
                alone.append(await per_request(app, make_scope, requests))
                behind.append(await per_request(layer, make_scope, requests))
            print(f"{statistics.median(behind) - statistics.median(alone):6.2f} us  {name}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--requests", type=int, default=20000)
    args = parser.parse_args()
    asyncio.run(main(args.rounds, args.requests))
