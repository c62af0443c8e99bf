"""The report: rows of medians [min-max] per server, scenario and backend, the ratios of ours to the others,
the table on stdout and the JSON under reports/."""

from __future__ import annotations

import json
import os
import statistics
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from global_chat.settings import Settings
from scripts.bench.config import APPS, BACKENDS, PEERS, REPORTS, RESULT_BACKENDS, SCENARIOS, TARGETS
from scripts.bench.measure import Measurement
from scripts.bench.tracing import SpanCheck


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


def table(rows: list[dict[str, Any]], per_backend: dict[str, dict[str, float]]) -> list[str]:
    """The rows (every server, both FastAPI rows and the traced rows beside ours) and the ratios, as lines."""
    header = (
        f"{'scenario':8} {'backend':10} {'server':17} {'req/s median [min-max]':>28} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'peak RSS MB':>12} {'unexpected':>10} {'server CPU':>10} {'noise':>6} "
        f"{'new PG conns/1k':>15}"
    )
    lines = [header, "-" * len(header)]
    order = {name: i for i, name in enumerate(APPS)}
    scenario_order = {name: i for i, name in enumerate(SCENARIOS)}
    for r in sorted(rows, key=lambda r: (scenario_order[r["scenario"]], r["backend"], order.get(r["server"], 9))):
        spread = f"{r['rps_median']:.0f} [{r['rps_min']:.0f}-{r['rps_max']:.0f}]"
        lines.append(
            f"{r['scenario']:8} {r['backend']:10} {r['server']:17} {spread:>28} {r['p50_ms']:8.2f} "
            f"{r['p99_ms']:8.2f} {fmt(r['peak_rss_mb'], '.1f'):>12} {r['unexpected']:>10} "
            f"{r['server_cpu']:>10.0%} {r['noise_max']:>6.0%} {fmt(r['pg_connections_per_1k']):>15}"
        )
    lines.append(
        "server CPU: the median share of its CPU the server used (100%: CPU-bound); noise: the worst round's CPU "
        "taken by other processes or stolen by the hypervisor; new PG conns/1k: connections PostgreSQL accepted "
        "per 1,000 requests (the pool's churn; through PgBouncer, PgBouncer's own)"
    )
    lines.append("")
    for backend, values in per_backend.items():
        lines.append(f"ours vs the others on {backend}: " + " ".join(f"{k}={v:.3f}" for k, v in values.items()))
    return lines


def tracing_cost(rows: list[dict[str, Any]], checks: list[SpanCheck]) -> list[dict[str, Any]]:
    """Per traced row: its req/s and p99 over ours' (tracing off, the same scenario, backend and run), and
    what the receiver got from it."""
    index = {(r["server"], r["scenario"], r["backend"]): r for r in rows}

    def over_ours(check: SpanCheck, key: str) -> float | None:
        traced, ours = (
            index.get((check.server, check.scenario, check.backend)),
            index.get(("ours", check.scenario, check.backend)),
        )
        if traced is None or ours is None or not ours[key]:
            return None
        return round(float(traced[key]) / float(ours[key]), 3)

    return [
        {**check.as_dict(), "rps_vs_ours": over_ours(check, "rps_median"), "p99_vs_ours": over_ours(check, "p99_ms")}
        for check in checks
    ]


def tracing_lines(cost: list[dict[str, Any]]) -> list[str]:
    return [
        f"tracing {row['server']} ({row['backend']}/{row['scenario']}): req/s vs ours "
        f"{fmt(row['rps_vs_ours'], '.3f')}, p99 vs ours {fmt(row['p99_vs_ours'], '.3f')}; {row['server_spans']} "
        f"server spans ({row['spans']} in all) received for {row['requests']} requests = {row['share']:.2%} "
        f"(expected {row['expected_share']:.0%}): " + ("as sampled" if row["as_sampled"] else "NOT as sampled")
        for row in cost
    ]


def peak_rss_per_worker(rows: list[dict[str, Any]]) -> float | None:
    """The largest peak RSS of ours' worker in any scenario and backend of the run (tracing off: the traced
    rows' are in the table)."""
    values = [r["peak_rss_mb"] for r in rows if r["server"] == "ours" and r["peak_rss_mb"] is not None]
    return max(values) if values else None


def scale_ratio_on_record(path: Path | None = None) -> tuple[float | None, str]:
    """`make bench-scale`'s last ratio (reports/bench-scale.json), with where it comes from."""
    path = path or REPORTS / "bench-scale.json"
    try:
        recorded = json.loads(path.read_text())
    except (OSError, ValueError):
        return None, "not measured by this run: make bench-scale"
    when = datetime.fromtimestamp(path.stat().st_mtime, UTC).strftime("%Y-%m-%d %H:%M UTC")
    sizes = " vs ".join(f"{size:,}" for size in recorded.get("sizes", []))
    return recorded.get("scale_ratio"), f"make bench-scale's last run: {path.name} of {when}, {sizes} sessions"


def targets(measured: dict[str, float | None], sources: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Each target of config.TARGETS with its measured value and whether it is met (None: not measured)."""
    sources = sources or {}
    found = []
    for name, op, target in TARGETS:
        value = measured.get(name)
        met = None if value is None else (value >= target if op == ">=" else value <= target)
        found.append(
            {"name": name, "op": op, "target": target, "value": value, "met": met, "source": sources.get(name)}
        )
    return found


def target_lines(found: list[dict[str, Any]]) -> list[str]:
    lines = ["targets (issue 22, this machine; measured, not enforced):"]
    for t in found:
        verdict = {True: "met", False: "NOT MET", None: "not measured"}[t["met"]]
        source = f" ({t['source']})" if t["source"] else ""
        lines.append(f"  {t['name']} {t['op']} {t['target']:g}: {fmt(t['value'], '.3f')} {verdict}{source}")
    return lines


def markdown(title: str, text: list[str], found: list[dict[str, Any]]) -> str:
    """reports/bench.md: the targets as a table, then the run's report as printed."""
    out = [f"# {title}", "", "| target | measured | |", "| --- | --- | --- |"]
    for t in found:
        verdict = {True: "met", False: "**NOT MET**", None: "not measured"}[t["met"]]
        source = f" ({t['source']})" if t["source"] else ""
        out.append(f"| `{t['name']} {t['op']} {t['target']:g}` | {fmt(t['value'], '.3f')}{source} | {verdict} |")
    return "\n".join([*out, "", "```", *text, "```", ""])


def pool_env(name: str) -> str:
    """A pool setting of the servers: the environment's, or the service's default."""
    return os.environ.get(name) or str(Settings.model_fields[name.lower()].default)


def write_report(name: str, report: dict[str, Any] | str) -> Path:
    """reports/<name>: a JSON report, or text as it is."""
    REPORTS.mkdir(exist_ok=True)
    path = REPORTS / name
    path.write_text(report if isinstance(report, str) else json.dumps(report, indent=2) + "\n")
    return path
