"""Operator endpoints outside the contract: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import json

from global_chat.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from global_chat.web.container import Container

HEALTHZ = "/healthz"
READYZ = "/readyz"
METRICS = "/metrics"
PATHS = frozenset({HEALTHZ, READYZ, METRICS})

Answer = tuple[int, bytes, list[tuple[bytes, bytes]]]
JSON_HEADERS = [(b"content-type", b"application/json")]


async def answer(path: str, container: Container) -> Answer:
    if path == HEALTHZ:
        return 200, b'{"status":"alive"}', JSON_HEADERS
    if path == METRICS:
        return 200, container.metrics.exposition(), [(b"content-type", METRICS_CONTENT_TYPE.encode())]
    problem = await container.database.readiness(container.migrations_head)
    if problem is None:
        return 200, b'{"status":"ready"}', JSON_HEADERS
    retry_after = container.settings.db_unavailable_retry_after
    body = json.dumps({"error": f"Not ready: {problem}", "retry_after_seconds": retry_after}).encode()
    return 503, body, [*JSON_HEADERS, (b"retry-after", str(retry_after).encode())]
