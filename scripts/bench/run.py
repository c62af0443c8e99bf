"""`make bench`: POST /v1/sessions/chat served by ours (Connexion), the floor (raw Starlette) and the peer
(FastAPI: `fastapi` as shipped, with its native OpenTelemetry hooks on by default, and `fastapi_otel_off`
with them off), measured with wrk on the same machine, database and credentials.

Each server is one uvicorn worker pinned to one CPU (BENCH_SERVER_CPU, default 0) and wrk is pinned to
another (BENCH_WRK_CPU, default 1); the servers are measured in alternation, round after round, and the
medians of the rounds are reported with their min and max. Scenarios:

  hot     the caller's session exists (bare API key, as the Everruns SDK sends it)
  create  a new user every request (pre-issued JWTs for distinct users; CHAT_CREATE_RATE_LIMIT=0)
  error   missing credentials (401; no storage, so measured on one backend only)
  mcp     the hot path as an MCP tool call: POST /mcp, tools/call get_or_create_chat_session (API key; ours only,
          the others serve no /mcp), reported beside ours' REST hot path (docs/mcp.md)

on SQLite, on PostgreSQL (a PostgreSQL of the run's own, started like the test suite's by
scripts/postgres_instance.py and removed at the end; or, with BENCH_PG_URL, a fresh database in that
server, dropped at the end; the rows are skipped with a warning when there is no server) and on that
PostgreSQL through PgBouncer (`pgbouncer`: Debian's, started by the run in transaction pooling mode with
BENCH_PGBOUNCER_POOL server connections, on a free port, the servers with DB_POOLER=pgbouncer;
scripts/pgbouncer_instance.py). Beside ours on the hot path, the traced rows (BENCH_TRACING: on SQLite by
default): `ours_trace_1pct` and `ours_trace_100pct`, ours with OpenTelemetry tracing on (sampler
parentbased_traceidratio 0.01, always_on), exporting over OTLP/HTTP to a receiver the run starts on 127.0.0.1
(scripts/otlp_receiver.py, pinned to wrk's CPU); each is reported with its req/s and p99 over ours' and the
server spans that arrived for the requests it answered, and flagged when they are not about as many as its
sampler should keep. The last line of the output is

  RESULT hot_vs_fastapi=<r> hot_vs_floor=<r> create_vs_fastapi=<r> p99_vs_fastapi=<r>

the ratios of ours to the others (p99 on the hot path), each the worse of SQLite and PostgreSQL (the
pgbouncer backend's ratios are printed on their own line, with what the pooler costs each server on the
hot path: its requests/s through PgBouncer over those on PostgreSQL directly). Before it, issue 22's targets
(config.TARGETS), each with its measured value and met / NOT MET, also on stderr: the run measures, it never
fails on a missed target. The whole report goes to reports/bench.json, the printed one to reports/bench.md.

`--scale`: the hot path of ours with 1,000 vs 1,000,000 sessions stored in PostgreSQL, ending with
`RESULT scale_ratio=<requests/s with 1,000,000 / with 1,000>` (reports/bench-scale.json).

Environment: BENCH_ROUNDS (3), BENCH_DURATION (10 s), BENCH_WARMUP (1 s per server and scenario),
BENCH_CONNECTIONS (32), BENCH_BACKENDS (sqlite,postgresql,pgbouncer), BENCH_SCENARIOS (hot,create,error,mcp),
BENCH_SERVERS (ours,fastapi,fastapi_otel_off,floor), BENCH_PG_URL (unset: a PostgreSQL of the run's own;
else the admin URL of a server on this machine, e.g. postgresql://postgres@127.0.0.1:5432/postgres),
BENCH_SERVER_CPU (0), BENCH_WRK_CPU (1), BENCH_SCALE_SIZES (1000,1000000), BENCH_PGBOUNCER_POOL (10),
BENCH_KEEP (1: keep the temporary folder and the PostgreSQL databases), BENCH_TRACING (sqlite: the
backends whose hot path also measures the traced rows, or `none`; each backend adds two servers' rounds to
its hot path, about 70 s at the defaults). Any OTEL_* of the caller's environment is not passed to the
servers. The servers' own settings come
from the environment like any other: DB_POOL_SIZE=32 DB_MAX_OVERFLOW=0 make bench measures another pool.
Progress goes to stderr; the table and the RESULT line to stdout. Each run also records the CPU taken
meanwhile by processes that are not part of the benchmark (the "noise" column): on a 2-CPU machine
anything else running makes the numbers unreliable, and the run says so.
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a file (python scripts/bench/run.py) rather than a module
    sys.path.insert(0, str(ROOT))

from scripts.bench.config import RESULT_BACKENDS, Config, progress, warn_loudly  # noqa: E402
from scripts.bench.databases import (  # noqa: E402
    Backend,
    backends_for,
    bench_settings,
    count_sessions,
    create_pg_database,
    drop_pg_database,
    fill_sessions,
    pg_reachable,
    pg_url_for,
    prepare,
    release,
    start_own_postgres,
)
from scripts.bench.machine import (  # noqa: E402
    PROCESSES,
    CpuUse,
    check_cpus,
    check_quiet,
    ensure_tools,
    interrupt,
    machine,
    versions,
)
from scripts.bench.measure import Bench, Tokens  # noqa: E402
from scripts.bench.report import (  # noqa: E402
    fmt,
    markdown,
    mcp_cost,
    peak_rss_per_worker,
    pgbouncer_cost,
    pool_env,
    ratios,
    scale_ratio_on_record,
    summarize,
    table,
    target_lines,
    targets,
    tracing_cost,
    tracing_lines,
    write_report,
)
from scripts.bench.serving import server_env, start, wait_ready  # noqa: E402
from scripts.bench.wire import CHAT_PATH  # noqa: E402
from scripts.bench.wrk import write_lua  # noqa: E402
from scripts.postgres_instance import PostgresInstance  # noqa: E402


def main_bench(config: Config, workdir: Path, wrk: str, idle: CpuUse) -> int:
    bench = Bench(config, workdir)
    jwt_secret = secrets.token_urlsafe(48)
    started = time.monotonic()
    backends: list[Backend] = []
    try:
        backends_for(config, workdir, jwt_secret, bench.warn, backends)
        storage_free_done = False
        for backend in backends:
            prepare(backend)
            env = server_env(backend, jwt_secret)
            for scenario in config.scenarios:
                if scenario == "error":
                    if storage_free_done:  # a 401 never reaches the storage: one backend is enough
                        continue
                    storage_free_done = True
                bench.scenario(scenario, backend, env)
    finally:
        PROCESSES.stop_all()
        release(config, backends)

    rows = summarize(bench.measurements, bench.peak_rss)
    measured = [b.name for b in backends]
    per_backend, worst = ratios(rows, measured)
    pooler_cost = pgbouncer_cost(rows)
    tool_cost = mcp_cost(rows)
    lines = [
        f"POST {CHAT_PATH}: {config.rounds} rounds x {config.duration} s per server, wrk -t1 -c{config.connections}, "
        f"server on CPU {config.server_cpu}, wrk on CPU {config.wrk_cpu}; pool DB_POOL_SIZE="
        f"{pool_env('DB_POOL_SIZE')} DB_MAX_OVERFLOW={pool_env('DB_MAX_OVERFLOW')}"
        + (f", PgBouncer with {config.pgbouncer_pool} server connections" if "pgbouncer" in measured else ""),
        *table(rows, per_backend),
    ]
    if pooler_cost:
        lines.append(
            "PgBouncer's cost on the hot path (req/s through it / on PostgreSQL directly): "
            + " ".join(f"{server}={value:.3f}" for server, value in pooler_cost.items())
        )
    if tool_cost:
        lines.append(
            "MCP tools/call get_or_create_chat_session vs the REST hot path (ours, req/s): "
            + " ".join(f"{backend}={value:.3f}" for backend, value in tool_cost.items())
        )
    trace_cost = tracing_cost(rows, bench.span_checks)
    lines += tracing_lines(trace_cost)
    scale, scale_source = scale_ratio_on_record()
    counted = [b for b in measured if b in RESULT_BACKENDS]
    of = f"RESULT: the worse of {' and '.join(counted)}" if len(counted) > 1 else f"RESULT: {''.join(counted)}"
    goals = targets(
        {**worst, "peak_rss_mb_per_worker": peak_rss_per_worker(rows), "scale_ratio": scale},
        {
            **{name: of for name in worst},
            "peak_rss_mb_per_worker": "ours, VmHWM, every scenario and backend",
            "scale_ratio": scale_source,
        },
    )
    lines += target_lines(goals)
    keys = ("hot_vs_fastapi", "hot_vs_floor", "create_vs_fastapi", "p99_vs_fastapi")
    result = "RESULT " + " ".join(f"{k}={fmt(worst.get(k), '.3f')}" for k in keys)
    print()
    print("\n".join(lines))
    for line in target_lines(goals):
        progress(line)
    report: dict[str, Any] = {
        "command": "make bench",
        "config": asdict(config),
        "machine": machine(),
        "versions": versions(wrk, next((b.pgbouncer for b in backends if b.pgbouncer), None)),
        "before_start": asdict(idle),
        "backends": measured,
        "skipped_backends": [b for b in config.backends if b not in measured],
        "elapsed_seconds": round(time.monotonic() - started, 1),
        "summary": rows,
        "ratios": {"per_backend": per_backend, "worst": worst, "worst_of": list(RESULT_BACKENDS)},
        "pgbouncer_cost": pooler_cost,
        "mcp_vs_hot": tool_cost,
        "tracing": trace_cost,
        "targets": goals,
        "pool": {"DB_POOL_SIZE": pool_env("DB_POOL_SIZE"), "DB_MAX_OVERFLOW": pool_env("DB_MAX_OVERFLOW")},
        "warnings": bench.warnings,
        "measurements": [asdict(m) for m in bench.measurements],
        "result": result,
    }
    path = write_report("bench.json", report)
    text = write_report("bench.md", markdown("make bench", [*lines, result], goals))
    print(f"report: {path.relative_to(ROOT)}, {text.relative_to(ROOT)}; {report['elapsed_seconds']:.0f} s in all")
    if report["skipped_backends"]:
        print(f"SKIPPED: {', '.join(report['skipped_backends'])} (see the warning above)")
    print(result)
    return 0


def main_scale(config: Config, workdir: Path, wrk: str, idle: CpuUse) -> int:
    reason = pg_reachable(config)
    if reason is not None:
        warn_loudly(f"PostgreSQL at {config.pg_url} is unreachable ({reason}): --scale needs it")
        return 2
    bench = Bench(config, workdir)
    jwt_secret = secrets.token_urlsafe(48)
    started = time.monotonic()
    backends: list[Backend] = []
    sizes = config.scale_sizes
    try:
        for size in sizes:
            database = create_pg_database(config, f"scale{size}")
            url = pg_url_for(config, database)
            backend = Backend("postgresql", url, bench_settings(url, jwt_secret), pg_database=database)
            backends.append(backend)
            prepare(backend)
            fill_sessions(backend, size - 1)  # the measured user's own session makes it `size`
        servers = [
            start(config, "ours", backend, server_env(backend, jwt_secret), workdir, label=f"@{size}")
            for size, backend in zip(sizes, backends, strict=True)
        ]
        scripts = [write_lua(workdir, "hot", b.api_key) for b in backends]
        tokens = [Tokens(b, workdir) for b in backends]
        for server in servers:
            wait_ready(server)
        runs = list(zip(servers, backends, scripts, tokens, strict=True))
        for server, backend, script, token in runs:
            bench.preflight(server, "hot", backend, token)
            progress(f"{server.name}: {count_sessions(backend):,} sessions stored")
            if config.warmup:
                bench.measure(server, "hot", backend, script, token, config.warmup, 0)
        for round_ in range(1, config.rounds + 1):
            for server, backend, script, token in runs if round_ % 2 else reversed(runs):
                bench.measure(server, "hot", backend, script, token, config.duration, round_)
        for server in servers:
            bench.peak_rss[(server.name, "hot", "postgresql")] = server.peak_rss_mb()
    finally:
        PROCESSES.stop_all()
        for backend in backends:
            if backend.pg_database and not config.keep:
                drop_pg_database(config, backend.pg_database)

    rows = summarize(bench.measurements, bench.peak_rss)
    by_name = {r["server"]: r for r in rows}
    small, large = (by_name[f"ours@{size}"] for size in sizes)
    scale_ratio = round(large["rps_median"] / small["rps_median"], 3)
    print()
    print(
        f"hot path of ours on PostgreSQL, {config.rounds} rounds x {config.duration} s, wrk -t1 -c{config.connections}"
    )
    header = (
        f"{'sessions':>10} {'req/s median [min-max]':>28} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'peak RSS MB':>12} {'unexpected':>10} {'server CPU':>10} {'noise':>6}"
    )
    print(header)
    print("-" * len(header))
    for size, r in zip(sizes, (small, large), strict=True):
        spread = f"{r['rps_median']:.0f} [{r['rps_min']:.0f}-{r['rps_max']:.0f}]"
        print(
            f"{size:>10,} {spread:>28} {r['p50_ms']:8.2f} {r['p99_ms']:8.2f} "
            f"{fmt(r['peak_rss_mb'], '.1f'):>12} {r['unexpected']:>10} {r['server_cpu']:>10.0%} {r['noise_max']:>6.0%}"
        )
    result = f"RESULT scale_ratio={scale_ratio:.3f}"
    goal = [t for t in targets({"scale_ratio": scale_ratio}) if t["name"] == "scale_ratio"]
    for line in target_lines(goal):
        print(line)
        progress(line)
    report: dict[str, Any] = {
        "command": "make bench-scale",
        "config": asdict(config),
        "machine": machine(),
        "versions": versions(wrk),
        "before_start": asdict(idle),
        "sizes": list(sizes),
        "elapsed_seconds": round(time.monotonic() - started, 1),
        "summary": rows,
        "scale_ratio": scale_ratio,
        "targets": goal,
        "warnings": bench.warnings,
        "measurements": [asdict(m) for m in bench.measurements],
        "result": result,
    }
    path = write_report("bench-scale.json", report)
    print(f"report: {path.relative_to(ROOT)}; {report['elapsed_seconds']:.0f} s in all")
    print(result)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", action="store_true", help="ours' hot path with 1,000 vs 1,000,000 stored sessions")
    args = parser.parse_args(argv)
    config = Config.from_env()
    signal.signal(signal.SIGTERM, interrupt)
    progress("checking wrk and taskset")
    wrk = ensure_tools()
    check_cpus(config)
    workdir = Path(tempfile.mkdtemp(prefix="global-chat-bench-"))
    progress(f"working in {workdir}")
    own_postgres: PostgresInstance | None = None
    try:
        if not config.pg_url and (args.scale or set(config.backends) - {"sqlite"}):
            own_postgres, config = start_own_postgres(config)
        progress("measuring what the machine does without us (2 s)")
        idle = check_quiet()
        return (main_scale if args.scale else main_bench)(config, workdir, wrk, idle)
    except KeyboardInterrupt:
        progress("interrupted: everything started was stopped")
        return 130
    except RuntimeError as exc:  # a server that does not start or answers wrongly, wrk without a result
        progress(f"failed: {exc}")
        return 1
    finally:
        PROCESSES.stop_all()
        if own_postgres is not None:
            own_postgres.destroy()
        if config.keep:
            progress(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
