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
APPS = {
    "ours": "global_chat.app:create_app",
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
PEERS = {"fastapi": ("fastapi", "fastapi_otel_off")}
"""A ratio `vs_fastapi` is taken against the faster of these rows (each measured in the same run)."""
BACKENDS = ("sqlite", "postgresql", "pgbouncer")
RESULT_BACKENDS = ("sqlite", "postgresql")
"""The RESULT line's ratios: the two stores (the pooler's are reported beside them)."""
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
            servers=_env_list("BENCH_SERVERS", ",".join(APPS), APPS),
            pg_url=pg_url,
            server_cpu=os.environ.get("BENCH_SERVER_CPU", "0"),
            wrk_cpu=os.environ.get("BENCH_WRK_CPU", "1"),
            scale_sizes=(sizes[0], sizes[1]),
            pgbouncer_pool=_env_int("BENCH_PGBOUNCER_POOL", 10),
            keep=os.environ.get("BENCH_KEEP", "") == "1",
        )
