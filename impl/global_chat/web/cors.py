"""CORS for the web UI's origins (UI_ORIGINS), with credentials: Starlette's CORSMiddleware, outermost in
the stack, so that preflights are answered before anything asks for credentials and every answer the
UI reads, errors included, carries the CORS headers.

What it allows comes from the contract's operations (the generated operations table): the methods they
use; the request headers they read (header parameters, the credentials' headers, Content-Type where
there is a body); the response headers they declare, exposed. Beside those, the headers of this
service's own layers: X-Org-Id (read by the credentials check, web/security.py) and X-Request-Id
(web/request_id.py) in requests, X-Request-Id and the 405's Allow in answers.

One change to Starlette's behaviour: a preflight it does not approve (another origin, a method or a header
not allowed) is not answered with its plain-text 400 but passed on, so the app answers it like any other
OPTIONS request (405 or 404, the contract's error body); without Access-Control-Allow-Origin on a 2xx, the
browser refuses the actual request all the same.

And one cut: a request without an Origin header (every SDK, script and server-side caller) passes through
untouched. CORS has nothing to tell it; the `Vary: Origin` Starlette would add to its answer is written on
every answer by web/cache_policy.py, the layer outside this one (tests/web/test_cors.py checks both).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from global_chat.web import request_id, security
from global_chat_generated.records import Operation

METHOD_ORDER = ("GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE")
"""OpenAPI's order of a path item's methods: the order they are listed in."""
OWN_REQUEST_HEADERS = (security.ORGANIZATION_HEADER, request_id.HEADER)
OWN_RESPONSE_HEADERS = (request_id.HEADER, "Allow")
PREFLIGHT_MAX_AGE = 600


def allowed_methods(operations: Iterable[Operation]) -> list[str]:
    used = {operation.method for operation in operations}
    return [method for method in METHOD_ORDER if method in used]


def allowed_request_headers(operations: Iterable[Operation]) -> list[str]:
    names: list[str] = []
    for operation in operations:
        names += [p.name for p in operation.parameters if p.location == "header"]
        names += [c.name for c in operation.credentials if c.location == "header"]
        names += ["Content-Type"] if operation.body is not None else []
    return _unique([*names, *OWN_REQUEST_HEADERS])


def exposed_response_headers(operations: Iterable[Operation]) -> list[str]:
    names = [name for operation in operations for response in operation.responses for name in response.headers]
    return _unique([*OWN_RESPONSE_HEADERS, *names])


def sends_origin(scope: Scope) -> bool:
    """Whether an HTTP request has an Origin header: the requests this layer has anything to say to. A loop,
    not any() over a generator: 0.4 us against 1.1 for eight header lines, on every request."""
    for name, _ in scope["headers"]:  # noqa: SIM110
        if name == b"origin":
            return True
    return False


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(name.lower(), name)
    return list(seen.values())


class UiCorsMiddleware(CORSMiddleware):
    def __init__(self, app: ASGIApp, *, origins: Collection[str], operations: Mapping[str, Operation]) -> None:
        super().__init__(
            app,
            allow_origins=tuple(origins),
            allow_methods=allowed_methods(operations.values()),
            allow_headers=allowed_request_headers(operations.values()),
            allow_credentials=True,
            expose_headers=exposed_response_headers(operations.values()),
            max_age=PREFLIGHT_MAX_AGE,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not sends_origin(scope):
            await self.app(scope, receive, send)  # not a browser's cross-origin request: nothing to add
            return
        if scope["type"] == "http" and scope["method"] == "OPTIONS":
            headers = Headers(scope=scope)
            if "origin" in headers and "access-control-request-method" in headers:
                response = self.preflight_response(request_headers=headers)
                if response.status_code == 200:
                    await response(scope, receive, send)
                else:
                    await self.simple_response(scope, receive, send, request_headers=headers)
                return
        await super().__call__(scope, receive, send)
