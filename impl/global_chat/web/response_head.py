"""The outermost layer: what every answer's head gets from this service's own layers, the cache policy
(web/cache_policy.py), CORS for the web UI (web/cors.py), and the request id with the metrics and access log
(web/observability.py), each module's logic its own, composed here.

The composition is the one the three layers made in a row (cache policy outermost, then CORS, then
observability), taken in one of two ways by the request:

- without an Origin header (every SDK, script and server-side caller; the hot path): CORS has nothing to do
  with it (it passes such a request through untouched), so observability's one `send` wrapper also applies
  the cache policy to the head, after the X-Request-Id line, as the outer layer did: one layer and one
  wrapper instead of three layers and two wrappers, the same header lines in the same order;
- with an Origin header, and every scope that is not HTTP (websocket, lifespan): the three layers in a
  row, as before (a preflight CORS answers itself is neither counted nor given a request id, and the
  cache policy merges the Vary CORS wrote).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from starlette.types import ASGIApp, Receive, Scope, Send

from global_chat.metrics import Metrics
from global_chat.web.cache_policy import CachePolicyMiddleware, with_policy
from global_chat.web.cors import UiCorsMiddleware, sends_origin
from global_chat.web.observability import ObservabilityMiddleware
from global_chat_generated.records import Operation


class ResponseHeadMiddleware:
    def __init__(
        self, app: ASGIApp, *, metrics: Metrics, origins: Collection[str], operations: Mapping[str, Operation]
    ) -> None:
        self.app = app
        self.without_origin = ObservabilityMiddleware(app, metrics=metrics, head_policy=with_policy)
        self.in_a_row = CachePolicyMiddleware(
            UiCorsMiddleware(ObservabilityMiddleware(app, metrics=metrics), origins=origins, operations=operations)
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not sends_origin(scope):
            await self.without_origin(scope, receive, send)
        else:
            await self.in_a_row(scope, receive, send)
