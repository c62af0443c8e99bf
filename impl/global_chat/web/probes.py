"""Operator endpoints outside the contract: liveness, readiness and Prometheus metrics (routes of
the same router as the contract's operations; no credentials)."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from global_chat.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from global_chat.metrics import Metrics
from global_chat.storage.database import Database

READINESS_PATH = "/readyz"
PROBES = {"/healthz": "healthz", READINESS_PATH: "readyz", "/metrics": "metrics"}
"""path -> the name its requests are counted under."""
JSON = "application/json"


def probe_routes(*, database: Database, migrations_head: str, metrics: Metrics, retry_after: int) -> list[Route]:
    async def healthz(request: Request) -> Response:
        return Response(b'{"status":"alive"}', media_type=JSON)

    async def readyz(request: Request) -> Response:
        problem = await database.readiness(migrations_head)
        if problem is None:
            return Response(b'{"status":"ready"}', media_type=JSON)
        body = json.dumps({"error": f"Not ready: {problem}", "retry_after_seconds": retry_after})
        return Response(body, 503, headers={"Retry-After": str(retry_after)}, media_type=JSON)

    async def metrics_text(request: Request) -> Response:
        metrics.observe_pool(database.pool_status())  # this process's exact; other workers' refresh themselves
        return Response(metrics.exposition(), media_type=METRICS_CONTENT_TYPE)

    return [
        Route("/healthz", healthz, methods=["GET"], name="healthz"),
        Route(READINESS_PATH, readyz, methods=["GET"], name="readyz"),
        Route("/metrics", metrics_text, methods=["GET"], name="metrics"),
    ]
