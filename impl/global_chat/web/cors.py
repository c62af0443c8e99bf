"""CORS for the web UI's origins (UI_ORIGINS), with credentials: Starlette's CORSMiddleware, outermost in
the stack, so that preflights are answered before anything asks for credentials and every answer the
UI reads, errors included, carries the CORS headers.

One change to Starlette's behaviour: a preflight it does not approve (another origin, a method or a header
not allowed) is not answered with its plain-text 400 but passed on, so the app answers it like any other
OPTIONS request (405 or 404, the contract's error body); without Access-Control-Allow-Origin on a 2xx, the
browser refuses the actual request all the same.
"""

from __future__ import annotations

from collections.abc import Collection

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

ALLOWED_METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")
ALLOWED_HEADERS = ("Authorization", "Content-Type", "X-Org-Id", "X-Request-Id")
EXPOSED_HEADERS = ("X-Request-Id", "Retry-After", "WWW-Authenticate", "Allow", "RateLimit", "RateLimit-Policy")
PREFLIGHT_MAX_AGE = 600


class UiCorsMiddleware(CORSMiddleware):
    def __init__(self, app: ASGIApp, *, origins: Collection[str]) -> None:
        super().__init__(
            app,
            allow_origins=tuple(origins),
            allow_methods=ALLOWED_METHODS,
            allow_headers=ALLOWED_HEADERS,
            allow_credentials=True,
            expose_headers=EXPOSED_HEADERS,
            max_age=PREFLIGHT_MAX_AGE,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
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
