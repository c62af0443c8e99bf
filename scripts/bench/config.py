"""The benchmark's configuration (BENCH_* environment variables; see run.py) and its voice on stderr."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
REPORTS = ROOT / "reports"
OURS = "global_chat.app:create_app"
APPS = {
    "ours": OURS,
    "ours_trace_1pct": OURS,
    "ours_trace_100pct": OURS,
    "fastapi": "scripts.bench.fastapi_app:create_app",
    "fastapi_otel_off": "scripts.bench.fastapi_app:create_app_without_telemetry",
    "floor": "scripts.bench.floor_app:create_app",
}
SCENARIOS = {
    "hot": "hot path: the session exists (API key)",
    "create": "creation path: a new user every request (JWT)",
    "error": "error path: missing credentials (401)",
    "mcp": "hot path as an MCP tools/call over /mcp (API key)",
}
EXPECTED_STATUS = {"hot": 200, "create": 200, "error": 401, "mcp": 200}
OURS_ONLY = ("mcp",)
"""Scenarios only ours serves."""
TRACED = {
    "ours_trace_1pct": {"OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.01"},
    "ours_trace_100pct": {"OTEL_TRACES_SAMPLER": "always_on"},
}
"""Ours with tracing on (docs/tracing.md), exporting over OTLP/HTTP to the run's own receiver
(scripts/otlp_receiver.py): the sampler of each row. Measured on the hot path only, on the backends
BENCH_TRACING names; `ours` is the same server with tracing off."""
TRACED_SHARE = {"ours_trace_1pct": 0.01, "ours_trace_100pct": 1.0}
"""The share of requests each traced row's sampler should trace (wrk sends no traceparent: every request
starts a trace of its own)."""
TRACED_SCENARIOS = ("hot",)
PEERS = {"fastapi": ("fastapi", "fastapi_otel_off")}
"""A ratio `vs_fastapi` is taken against the faster of these rows (each measured in the same run)."""
BACKENDS = ("sqlite", "postgresql", "pgbouncer")
RESULT_BACKENDS = ("sqlite", "postgresql")
"""The RESULT line's ratios: the two stores (the pooler's are reported beside them)."""
UNTRACED = [name for name in APPS if name not in TRACED]
"""The servers BENCH_SERVERS chooses from (the traced rows are BENCH_TRACING's)."""
TARGETS: tuple[tuple[str, str, float], ...] = (
    ("hot_vs_floor", ">=", 0.75),
    ("hot_vs_fastapi", ">=", 1.15),
    ("create_vs_fastapi", ">=", 1.0),
    ("p99_vs_fastapi", "<=", 0.8),
    ("peak_rss_mb_per_worker", "<=", 120.0),
    ("scale_ratio", ">=", 0.95),
)
"""Issue 22's targets for this machine (docs/performance.md): the run prints each with its measured value and
met / NOT MET; it measures, it does not fail on a miss."""
DEFAULT_CREATE_RATE = 3000.0
"""Requests/s assumed when sizing the tokens of a creation run with no hot-path figure to go by."""


def progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def warn_loudly(message: str) -> None:
    bar = "!" * 100
    print(f"\n{bar}\n!! WARNING: {message}\n{bar}\n", file=sys.stderr, flush=True)


def _env_int(name: str, default: int, minimum: int = 1) -> int:
    value = int(os.environ.get(name, default))
    if value < minimum:
        raise SystemExit(f"bench: {name} must be at least {minimum}")
    return value


def _env_list(name: str, default: str, allowed: Any) -> list[str]:
    values = [v.strip() for v in os.environ.get(name, default).split(",") if v.strip()]
    unknown = [v for v in values if v not in allowed]
    if unknown or not values:
        raise SystemExit(f"bench: {name}: unknown {unknown or 'empty list'}; choose from {sorted(allowed)}")
    return values


@dataclass(frozen=True)
class Config:
    rounds: int
    duration: int
    warmup: int
    connections: int
    backends: list[str]
    scenarios: list[str]
    servers: list[str]
    pg_url: str
    server_cpu: str
    wrk_cpu: str
    scale_sizes: tuple[int, int]
    pgbouncer_pool: int
    keep: bool
    tracing: list[str]
    """The backends on whose hot path the traced rows (TRACED) are measured; [] for none."""

    @classmethod
    def from_env(cls) -> Config:
        pg_url = os.environ.get("BENCH_PG_URL", "")  # "": main() starts a PostgreSQL of the run's own
        if pg_url and urlsplit(pg_url).hostname not in LOOPBACK:
            raise SystemExit(f"bench: BENCH_PG_URL must point at this machine (127.0.0.1), not {pg_url!r}")
        sizes = [int(v) for v in os.environ.get("BENCH_SCALE_SIZES", "1000,1000000").split(",")]
        if len(sizes) != 2 or not 1 <= sizes[0] < sizes[1]:
            raise SystemExit("bench: BENCH_SCALE_SIZES is SMALL,LARGE with 1 <= SMALL < LARGE")
        return cls(
            rounds=_env_int("BENCH_ROUNDS", 3),
            duration=_env_int("BENCH_DURATION", 10),
            warmup=_env_int("BENCH_WARMUP", 1, minimum=0),
            connections=_env_int("BENCH_CONNECTIONS", 32),
            backends=_env_list("BENCH_BACKENDS", ",".join(BACKENDS), BACKENDS),
            scenarios=_env_list("BENCH_SCENARIOS", "hot,create,error,mcp", SCENARIOS),
            servers=_env_list("BENCH_SERVERS", ",".join(UNTRACED), UNTRACED),
            pg_url=pg_url,
            server_cpu=os.environ.get("BENCH_SERVER_CPU", "0"),
            wrk_cpu=os.environ.get("BENCH_WRK_CPU", "1"),
            scale_sizes=(sizes[0], sizes[1]),
            pgbouncer_pool=_env_int("BENCH_PGBOUNCER_POOL", 10),
            keep=os.environ.get("BENCH_KEEP", "") == "1",
            tracing=[b for b in _env_list("BENCH_TRACING", "sqlite", (*BACKENDS, "none")) if b != "none"],
        )
