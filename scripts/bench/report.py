"""The report: rows of medians [min-max] per server, scenario and backend, the ratios of ours to the others,
the table on stdout and the JSON under reports/."""

from __future__ import annotations

import json
import os
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

from global_chat.settings import Settings
from scripts.bench.config import APPS, BACKENDS, PEERS, REPORTS, RESULT_BACKENDS, SCENARIOS
from scripts.bench.measure import Measurement


def summarize(
    measurements: list[Measurement], peak_rss: dict[tuple[str, str, str], float | None]
) -> list[dict[str, Any]]:
    groups: dict[tuple[str, str, str], list[Measurement]] = {}
    for m in measurements:
        groups.setdefault((m.server, m.scenario, m.backend), []).append(m)
    rows = []
    for (server, scenario, backend), ms in groups.items():
        rps = [m.rps for m in ms]
        rows.append(
            {
                "server": server,
                "scenario": scenario,
                "backend": backend,
                "rounds": len(ms),
                "rps_median": round(statistics.median(rps), 1),
                "rps_min": min(rps),
                "rps_max": max(rps),
                "p50_ms": round(statistics.median(m.p50_ms for m in ms), 3),
                "p99_ms": round(statistics.median(m.p99_ms for m in ms), 3),
                "p99_ms_max": max(m.p99_ms for m in ms),
                "peak_rss_mb": None
                if peak_rss.get((server, scenario, backend)) is None
                else round(peak_rss[(server, scenario, backend)] or 0, 1),
                "unexpected": sum(m.unexpected for m in ms),
                "requests": sum(m.requests for m in ms),
                "server_cpu": round(statistics.median(m.cpu.server for m in ms), 3),
                "noise_max": round(max(m.noise for m in ms), 3),
                "pg_connections_per_1k": None
                if any(m.pg_connections is None for m in ms)
                else round(1000 * sum(m.pg_connections or 0 for m in ms) / max(sum(m.requests for m in ms), 1), 2),
            }
        )
    return rows


def ratios(rows: list[dict[str, Any]], backends: list[str]) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """Ours over the others, per backend, and the worse backend of each."""
    index = {(r["server"], r["scenario"], r["backend"]): r for r in rows}

    def ratio(scenario: str, other: str, backend: str, key: str) -> float | None:
        ours = index.get(("ours", scenario, backend))
        theirs = [float(r[key]) for peer in PEERS.get(other, (other,)) if (r := index.get((peer, scenario, backend)))]
        theirs = [value for value in theirs if value]
        if not ours or not theirs:
            return None
        best = min(theirs) if key == "p99_ms" else max(theirs)  # the faster peer: the lower latency, more req/s
        return round(float(ours[key]) / best, 3)

    definitions: dict[str, tuple[str, str, str, Callable[[list[float]], float]]] = {
        "hot_vs_fastapi": ("hot", "fastapi", "rps_median", min),
        "hot_vs_floor": ("hot", "floor", "rps_median", min),
        "create_vs_fastapi": ("create", "fastapi", "rps_median", min),
        "p99_vs_fastapi": ("hot", "fastapi", "p99_ms", max),  # a latency: the larger is the worse
    }
    per_backend: dict[str, dict[str, float]] = {}
    worst: dict[str, float] = {}
    for name, (scenario, other, key, pick) in definitions.items():
        values = {}
        for backend in backends:
            value = ratio(scenario, other, backend, key)
            if value is not None:
                values[backend] = value
                per_backend.setdefault(backend, {})[name] = value
        counted = [value for backend, value in values.items() if backend in RESULT_BACKENDS]
        if counted:
            worst[name] = pick(counted)
    return per_backend, worst


def pgbouncer_cost(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Per server: hot-path requests/s through PgBouncer over those on PostgreSQL directly."""
    index = {(r["server"], r["scenario"], r["backend"]): r for r in rows}
    cost = {}
    for server in APPS:
        pooled, direct = index.get((server, "hot", "pgbouncer")), index.get((server, "hot", "postgresql"))
        if pooled and direct and direct["rps_median"]:
            cost[server] = round(pooled["rps_median"] / direct["rps_median"], 3)
    return cost


def mcp_cost(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Per backend: ours' requests/s of the MCP tool call over those of the REST hot path (the same run)."""
    index = {(r["server"], r["scenario"], r["backend"]): r for r in rows}
    cost = {}
    for backend in BACKENDS:
        tool, rest = index.get(("ours", "mcp", backend)), index.get(("ours", "hot", backend))
        if tool and rest and rest["rps_median"]:
            cost[backend] = round(tool["rps_median"] / rest["rps_median"], 3)
    return cost


def fmt(value: float | None, spec: str = ".2f") -> str:
    return "-" if value is None else format(value, spec)


def print_table(rows: list[dict[str, Any]], per_backend: dict[str, dict[str, float]]) -> None:
    header = (
        f"{'scenario':8} {'backend':10} {'server':16} {'req/s median [min-max]':>28} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'peak RSS MB':>12} {'unexpected':>10} {'server CPU':>10} {'noise':>6} "
        f"{'new PG conns/1k':>15}"
    )
    print(header)
    print("-" * len(header))
    order = {name: i for i, name in enumerate(APPS)}
    scenario_order = {name: i for i, name in enumerate(SCENARIOS)}
    for r in sorted(rows, key=lambda r: (scenario_order[r["scenario"]], r["backend"], order.get(r["server"], 9))):
        spread = f"{r['rps_median']:.0f} [{r['rps_min']:.0f}-{r['rps_max']:.0f}]"
        print(
            f"{r['scenario']:8} {r['backend']:10} {r['server']:16} {spread:>28} {r['p50_ms']:8.2f} "
            f"{r['p99_ms']:8.2f} {fmt(r['peak_rss_mb'], '.1f'):>12} {r['unexpected']:>10} "
            f"{r['server_cpu']:>10.0%} {r['noise_max']:>6.0%} {fmt(r['pg_connections_per_1k']):>15}"
        )
    print(
        "server CPU: the median share of its CPU the server used (100%: CPU-bound); noise: the worst round's CPU "
        "taken by other processes or stolen by the hypervisor; new PG conns/1k: connections PostgreSQL accepted "
        "per 1,000 requests (the pool's churn; through PgBouncer, PgBouncer's own)"
    )
    print()
    for backend, values in per_backend.items():
        print(f"ours vs the others on {backend}: " + " ".join(f"{k}={v:.3f}" for k, v in values.items()))


def pool_env(name: str) -> str:
    """A pool setting of the servers: the environment's, or the service's default."""
    return os.environ.get(name) or str(Settings.model_fields[name.lower()].default)


def write_report(name: str, report: dict[str, Any]) -> Path:
    REPORTS.mkdir(exist_ok=True)
    path = REPORTS / name
    path.write_text(json.dumps(report, indent=2) + "\n")
    return path
