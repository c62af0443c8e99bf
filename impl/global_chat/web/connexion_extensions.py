"""Every place where this service plugs into Connexion beyond its plain configuration, in one module:
tests/web/test_connexion_extensions.py pins each upstream class, attribute and signature used here,
so a Connexion upgrade that changes them fails there, loudly, and nowhere else.

All of them are Connexion's own extension points: a custom middleware stack (its documented
`middlewares` argument), two of its middlewares subclassed; no underscore name of Connexion's is
used. What they buy, measured with `make bench`:

- No request-validation layer: the generated endpoints read and convert the parameters themselves
  (global_chat_generated.server.runtime, with short messages naming the parameter) and hand the body
  to web/bodies.py, which checks it against the operation's schema compiled once, so the body is read
  once and parsed once, and no routed middleware runs for it. Connexion's RequestValidationOperation
  would recompute, on every request, the operation's body schema, its media types, a URI parser and
  a parameter validator, and interpret the schema with `jsonschema`.
- The Swagger UI layer is consulted only for the docs' own paths.

And one for safety: the routing layer never answers with a redirect built from the Host header.
"""

from __future__ import annotations

from typing import Any

from connexion.middleware import ConnexionMiddleware
from connexion.middleware.context import ContextMiddleware
from connexion.middleware.request_validation import RequestValidationMiddleware
from connexion.middleware.response_validation import ResponseValidationMiddleware
from connexion.middleware.routing import RoutingMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from starlette.routing import Mount, Router
from starlette.types import ASGIApp, Receive, Scope, Send

UI_PATH = "/v1/ui"
SPEC_PATH = "/v1/openapi.json"


# --- routing: no redirect built from the Host header --------------------------------------------


class NoRedirectRoutingMiddleware(RoutingMiddleware):  # type: ignore[misc]
    """Connexion's routing, without Starlette's trailing-slash redirects: its Routers answer a path that
    differs from a route by a trailing slash with a 307 whose Location is built from the request's Host
    header (`POST /v1/sessions/chat/` with `Host: evil.example` -> `http://evil.example/...`), which a
    cache in front would keep and serve to others. The contract has no trailing slashes: such a path is
    unknown, and falls through to the 404 of the app's own router (the contract's error)."""

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app)
        self.router.redirect_slashes = False

    def add_api(self, specification: Any, base_path: str | None = None, arguments: Any = None, **kwargs: Any) -> None:
        super().add_api(specification, base_path=base_path, arguments=arguments, **kwargs)
        for route in self.router.routes:  # each API is mounted as a Router of its own
            if isinstance(route, Mount) and isinstance(route.app, Router):
                route.app.redirect_slashes = False


# --- the Swagger UI, and the stack ------------------------------------------------------------


class DocsOnlySwaggerUIMiddleware(SwaggerUIMiddleware):  # type: ignore[misc]
    """Connexion's Swagger UI middleware matches every request against its routes before passing it
    on; only the docs' own paths can match, so every other request goes straight to the next layer."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and not (path.startswith(UI_PATH) or path == SPEC_PATH):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def connexion_middlewares(*, validate_responses: bool) -> list[Any]:
    """Connexion's default stack, without request validation (the generated endpoints and web/bodies.py
    do it), routing without trailing-slash redirects, the Swagger UI layer consulted only for the docs'
    paths, no response-validation layer when responses are not validated, and no ContextMiddleware:
    handlers get an explicit context, not context variables."""
    chosen = []
    skipped = {RequestValidationMiddleware, ContextMiddleware}
    if not validate_responses:
        skipped.add(ResponseValidationMiddleware)
    for middleware in ConnexionMiddleware.default_middlewares:
        if middleware in skipped:
            continue
        if middleware is RoutingMiddleware:
            chosen.append(NoRedirectRoutingMiddleware)
        elif middleware is SwaggerUIMiddleware:
            chosen.append(DocsOnlySwaggerUIMiddleware)
        else:
            chosen.append(middleware)
    return chosen
