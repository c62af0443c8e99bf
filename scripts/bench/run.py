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
scripts/pgbouncer_instance.py). The last line of the output is

  RESULT hot_vs_fastapi=<r> hot_vs_floor=<r> create_vs_fastapi=<r> p99_vs_fastapi=<r>

the ratios of ours to the others (p99 on the hot path; `vs_fastapi` against the faster of the two FastAPI
rows, both printed), each the worse of SQLite and PostgreSQL (the
pgbouncer backend's ratios are printed on their own line, with what the pooler costs each server on the
hot path: its requests/s through PgBouncer over those on PostgreSQL directly); the whole report goes to
reports/bench.json.

`--scale`: the hot path of ours with 1,000 vs 1,000,000 sessions stored in PostgreSQL, ending with
`RESULT scale_ratio=<requests/s with 1,000,000 / with 1,000>` (reports/bench-scale.json).

Environment: BENCH_ROUNDS (3), BENCH_DURATION (10 s), BENCH_WARMUP (1 s per server and scenario),
BENCH_CONNECTIONS (32), BENCH_BACKENDS (sqlite,postgresql,pgbouncer), BENCH_SCENARIOS (hot,create,error,mcp),
BENCH_SERVERS (ours,fastapi,fastapi_otel_off,floor), BENCH_PG_URL (unset: a PostgreSQL of the run's own;
else the admin URL of a server on this machine, e.g. postgresql://postgres@127.0.0.1:5432/postgres),
BENCH_SERVER_CPU (0), BENCH_WRK_CPU (1), BENCH_SCALE_SIZES (1000,1000000), BENCH_PGBOUNCER_POOL (10),
BENCH_KEEP (1: keep the temporary folder and the PostgreSQL databases). The servers' own settings come
from the environment like any other: DB_POOL_SIZE=32 DB_MAX_OVERFLOW=0 make bench measures another pool.
Progress goes to stderr; the table and the RESULT line to stdout. Each run also records the CPU taken
meanwhile by processes that are not part of the benchmark (the "noise" column): on a 2-CPU machine
anything else running makes the numbers unreliable, and the run says so.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import platform
import resource
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field, replace
from datetime import timedelta
from importlib import metadata
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a file (python scripts/bench/run.py) rather than a module
    sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from global_chat.accounts.credentials import TokenClaims, issue_token  # noqa: E402
from global_chat.accounts.service import AccountService  # noqa: E402
from global_chat.clock import utc_now  # noqa: E402
from global_chat.settings import Settings  # noqa: E402
from global_chat.storage.database import Database  # noqa: E402
from global_chat.storage.migrate import upgrade  # noqa: E402
from global_chat.storage.tables import SESSIONS  # noqa: E402
from global_chat.web.http_protocol import HTTP_PROTOCOL  # noqa: E402
from scripts.bench.wire import BODY, CHAT_PATH, MCP_ACCEPT, MCP_BODY, MCP_PATH  # noqa: E402
from scripts.pgbouncer_instance import PgBouncerInstance, PgBouncerUnavailable  # noqa: E402
from scripts.pgbouncer_instance import version as pgbouncer_version  # noqa: E402
from scripts.ports import free_port  # noqa: E402
from scripts.postgres_instance import PostgresInstance, PostgresUnavailable  # noqa: E402

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


# --------------------------------------------------------------------------- configuration


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


# --------------------------------------------------------------------------- processes


class Processes:
    """Every process this run starts, so that each is stopped by its PID, whatever happens."""

    def __init__(self) -> None:
        self._running: dict[int, tuple[str, subprocess.Popen[Any]]] = {}

    def start(self, name: str, argv: list[str], **kwargs: Any) -> subprocess.Popen[Any]:
        # A session of its own: Ctrl-C reaches this script only, which then stops the process itself.
        process = subprocess.Popen(argv, start_new_session=True, **kwargs)
        self._running[process.pid] = (name, process)
        return process

    def stop(self, process: subprocess.Popen[Any], grace: float = 10.0) -> None:
        self._running.pop(process.pid, None)
        if process.poll() is not None:
            return
        with suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGKILL)
            process.wait()

    def pids(self) -> set[int]:
        return set(self._running)

    def stop_all(self) -> None:
        for pid, (name, process) in reversed(list(self._running.items())):
            if process.poll() is None:
                progress(f"stopping {name} (pid {pid})")
            self.stop(process)


PROCESSES = Processes()


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


# --------------------------------------------------------------------------- tools


def ensure_tools() -> str:
    """wrk (installed with apt-get when missing) and taskset; wrk's version line."""
    if shutil.which("wrk") is None:
        if os.geteuid() != 0:
            raise SystemExit("bench: wrk is missing and this is not root: install it (apt-get install -y wrk)")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        progress("wrk is missing: apt-get update")
        subprocess.run(["apt-get", "update", "-q"], check=True, stdout=subprocess.DEVNULL, env=env)
        progress("installing wrk: apt-get install -y wrk")
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, stdout=subprocess.DEVNULL, env=env)
    if shutil.which("taskset") is None:
        raise SystemExit("bench: taskset is missing (Debian package util-linux)")
    out = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    return (out.stdout or out.stderr).splitlines()[0].strip()


def check_cpus(config: Config) -> None:
    available = sorted(os.sched_getaffinity(0))
    for name, cpu in (("BENCH_SERVER_CPU", config.server_cpu), ("BENCH_WRK_CPU", config.wrk_cpu)):
        if int(cpu) not in available:
            raise SystemExit(f"bench: {name}={cpu} is not one of this process's CPUs {available}")
    if config.server_cpu == config.wrk_cpu:
        warn_loudly("the server and wrk share one CPU: the numbers measure both of them")


def versions(wrk: str, pgbouncer: PgBouncerInstance | None = None) -> dict[str, str]:
    found = {"python": platform.python_version(), "wrk": wrk}
    if pgbouncer is not None:
        found["pgbouncer"] = pgbouncer_version(pgbouncer.program)
    for package in ("connexion", "fastapi", "starlette", "uvicorn", "uvloop", "httptools", "pydantic", "sqlalchemy"):
        with suppress(metadata.PackageNotFoundError):
            found[package] = metadata.version(package)
    return found


def machine() -> dict[str, Any]:
    model = ""
    with suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"cpu": model, "cpus": os.cpu_count(), "kernel": platform.release()}


# --------------------------------------------------------------------------- databases


@dataclass
class Backend:
    name: str
    """sqlite, postgresql or pgbouncer"""
    url: str
    settings: Settings
    org_id: uuid.UUID = field(default_factory=uuid.uuid4)
    api_key: str = ""
    pg_database: str | None = None
    pgbouncer: PgBouncerInstance | None = None


def bench_settings(database_url: str, jwt_secret: str, pooler: str = "none") -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        db_pooler=pooler,
        auth_mode="keys",
        jwt_secret=jwt_secret,
        chat_create_rate_limit=0,
        chat_create_rate_limit_per_user=0,
        log_level="WARNING",
    )


def pg_url_for(config: Config, database: str) -> str:
    parts = urlsplit(config.pg_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


async def _pg_admin(config: Config, statement: str) -> None:
    connection = await asyncpg.connect(config.pg_url, timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def pg_reachable(config: Config) -> str | None:
    """None when the PostgreSQL server answers; the reason otherwise."""
    if not config.pg_url:
        return "no PostgreSQL could be started, and BENCH_PG_URL names none"
    try:
        asyncio.run(_pg_admin(config, "SELECT 1"))
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def create_pg_database(config: Config, label: str) -> str:
    name = f"global_chat_bench_{label}_{secrets.token_hex(4)}"
    progress(f"postgresql: CREATE DATABASE {name}")
    asyncio.run(_pg_admin(config, f'CREATE DATABASE "{name}"'))
    return name


async def _pg_sessions(config: Config, database: str) -> int:
    connection = await asyncpg.connect(config.pg_url, timeout=5)
    try:
        query = "SELECT sessions FROM pg_stat_database WHERE datname = $1"  # PostgreSQL 14+
        return int(await connection.fetchval(query, database) or 0)
    finally:
        await connection.close()


def pg_sessions(config: Config, database: str) -> int:
    """Connections PostgreSQL has accepted into `database` so far."""
    return asyncio.run(_pg_sessions(config, database))


def drop_pg_database(config: Config, name: str) -> None:
    progress(f"postgresql: DROP DATABASE {name}")
    try:
        asyncio.run(_pg_admin(config, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        warn_loudly(f"could not drop the PostgreSQL database {name}: {exc}")


async def _seed(backend: Backend, user_id: uuid.UUID) -> None:
    database = Database(backend.settings)
    try:
        service = AccountService(database)
        backend.org_id = await service.create_organization("Benchmark")
        backend.api_key = await service.create_api_key(backend.org_id, user_id, None)
    finally:
        await database.dispose()


def prepare(backend: Backend) -> None:
    """Migrate the database, then create the organization and the hot path's API key."""
    progress(f"{backend.name}: migrating {backend.url.split('@')[-1]}")
    upgrade(backend.settings)
    progress(f"{backend.name}: creating an organization and an API key")
    asyncio.run(_seed(backend, uuid.uuid4()))


async def _count_sessions(settings: Settings) -> int:
    database = Database(settings)
    try:
        async with database.transaction() as tx:
            return int((await tx.execute(select(func.count()).select_from(SESSIONS))).scalar_one())
    finally:
        await database.dispose()


def count_sessions(backend: Backend) -> int:
    return asyncio.run(_count_sessions(backend.settings))


FILL_USERS = """
INSERT INTO users (id, display_name, created_at)
SELECT md5('u' || g)::uuid, 'user ' || g, now() FROM generate_series(1, $1::int) g
"""
FILL_PRINCIPALS = """
INSERT INTO principals (id, kind, subject_id, created_at)
SELECT md5('p' || g)::uuid, 'user', md5('u' || g)::uuid, now() FROM generate_series(1, $1::int) g
"""
FILL_SESSIONS = """
INSERT INTO sessions (id, organization_id, workspace_id, harness_id, owner_principal_id, global_chat_user_id,
                      title, locale, status, tags, is_pinned, created_at, updated_at)
SELECT md5('s' || g)::uuid, $2::uuid, md5('s' || g)::uuid, $3::uuid, md5('p' || g)::uuid, md5('u' || g)::uuid,
       'Platform Chat', 'en-US', 'started', json_build_array('global-chat', 'user:' || md5('u' || g)::uuid),
       false, now(), now()
FROM generate_series(1, $1::int) g
"""


async def _fill(url: str, org_id: uuid.UUID, rows: int) -> None:
    connection = await asyncpg.connect(url, timeout=10)
    try:
        harness_id = await connection.fetchval(
            "SELECT platform_chat_harness_id FROM organizations WHERE id = $1", org_id
        )
        async with connection.transaction():
            await connection.execute("SET LOCAL synchronous_commit = off")
            await connection.execute(FILL_USERS, rows)
            await connection.execute(FILL_PRINCIPALS, rows)
            await connection.execute(FILL_SESSIONS, rows, org_id, harness_id)
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


def fill_sessions(backend: Backend, rows: int) -> None:
    """Bulk-insert `rows` global chat sessions of other users (with their users and principals)."""
    if rows <= 0:
        return
    progress(f"postgresql: inserting {rows:,} sessions (and their users and principals), then VACUUM ANALYZE")
    started = time.monotonic()
    asyncio.run(_fill(backend.url.replace("+asyncpg", ""), backend.org_id, rows))
    progress(f"postgresql: {rows:,} sessions inserted in {time.monotonic() - started:.1f} s")


# --------------------------------------------------------------------------- servers


@dataclass
class Server:
    name: str
    backend: str
    port: int
    process: subprocess.Popen[Any]
    log: Path

    def log_tail(self, lines: int = 30) -> str:
        with suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def peak_rss_mb(self) -> float | None:
        """VmHWM: the resident set's high-water mark since the server started."""
        with suppress(OSError):
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return None


def server_env(backend: Backend, jwt_secret: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=backend.url,
        DB_POOLER=backend.settings.db_pooler.value,
        AUTH_MODE="keys",
        JWT_SECRET=jwt_secret,
        RESPONSE_VALIDATION="false",  # the production default
        CHAT_CREATE_RATE_LIMIT="0",
        CHAT_CREATE_RATE_LIMIT_PER_USER="0",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def start_server(
    config: Config, name: str, backend: Backend, env: dict[str, str], workdir: Path, label: str = ""
) -> Server:
    port = free_port()
    log = workdir / f"{name}{label}-{backend.name}-{port}.log"
    argv = [
        "taskset", "-c", config.server_cpu,
        sys.executable, "-m", "uvicorn", APPS[name], "--factory",
        "--app-dir", str(ROOT), "--host", HOST, "--port", str(port),
        "--workers", "1", "--no-access-log", "--log-level", "warning", "--timeout-graceful-shutdown", "5",
    ]  # fmt: skip
    if name == "ours":  # served as `global-chat serve` serves it: our bounded HTTP protocol, no WebSocket
        argv += ["--http", HTTP_PROTOCOL, "--ws", "none"]
    with log.open("wb") as out:
        # The working directory is the temporary folder, so no stray .env file changes the settings.
        process = PROCESSES.start(f"{name} server", argv, cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT)
    return Server(name + label, backend.name, port, process, log)


def wait_ready(server: Server, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {server.process.returncode}:\n{server.log_tail()}")
        with suppress(OSError):
            connection = http.client.HTTPConnection(HOST, server.port, timeout=2)
            try:
                connection.request("GET", "/")
                connection.getresponse().read()
                return
            finally:
                connection.close()
        time.sleep(0.1)
    raise RuntimeError(f"{server.name} did not answer within {timeout:.0f} s:\n{server.log_tail()}")


def post_chat(server: Server, headers: dict[str, str], path: str = CHAT_PATH, body: bytes = BODY) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, server.port, timeout=10)
    try:
        connection.request("POST", path, body=body, headers={"Content-Type": "application/json", **headers})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@contextmanager
def running(
    config: Config, names: list[str], backend: Backend, env: dict[str, str], workdir: Path
) -> Iterator[list[Server]]:
    servers = [start_server(config, name, backend, env, workdir) for name in names]
    try:
        for server in servers:
            wait_ready(server)
        progress(f"{backend.name}: " + ", ".join(f"{s.name} on :{s.port} (pid {s.process.pid})" for s in servers))
        yield servers
    finally:
        for server in servers:
            PROCESSES.stop(server.process)


# --------------------------------------------------------------------------- wrk

LUA_DONE = r"""
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"p50_us":%.1f,"p90_us":%.1f,"p99_us":%.1f,"max_us":%.1f,"mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""

LUA_STATIC = r"""
wrk.method = "POST"
wrk.body = '{body}'
wrk.headers["Content-Type"] = "application/json"
{auth}
"""

LUA_ROTATING = r"""
-- A new user every request: one pre-issued JWT per line of the file given after `--`.
wrk.method = "POST"
wrk.body = '{body}'
local tokens, count, next_index = {{}}, 0, 0
function init(args)
  for line in io.lines(args[1]) do
    count = count + 1
    tokens[count] = "Bearer " .. line
  end
end
function request()
  next_index = next_index + 1
  if next_index > count then next_index = 1 end
  return wrk.format(nil, nil, {{["Content-Type"] = "application/json", ["Authorization"] = tokens[next_index]}}, nil)
end
"""


def write_lua(workdir: Path, scenario: str, api_key: str = "") -> Path:
    body = BODY.decode()
    if scenario == "create":
        text = LUA_ROTATING.format(body=body)
    elif scenario == "mcp":
        auth = f'wrk.headers["Authorization"] = "{api_key}"\nwrk.headers["Accept"] = "{MCP_ACCEPT}"'
        text = LUA_STATIC.format(body=MCP_BODY.decode(), auth=auth) + f'wrk.path = "{MCP_PATH}"\n'
    else:
        auth = f'wrk.headers["Authorization"] = "{api_key}"' if scenario == "hot" else ""
        text = LUA_STATIC.format(body=body, auth=auth)
    path = workdir / f"{scenario}-{secrets.token_hex(3)}.lua"
    path.write_text(text + LUA_DONE)
    return path


def run_wrk(config: Config, server: Server, script: Path, seconds: int, args: Sequence[str] = ()) -> dict[str, Any]:
    argv = [
        "taskset", "-c", config.wrk_cpu, "wrk", "-t1", f"-c{config.connections}", f"-d{seconds}s",
        "--timeout", "5s", "-s", str(script), f"http://{HOST}:{server.port}{CHAT_PATH}",
    ]  # fmt: skip
    if args:
        argv += ["--", *args]
    process = PROCESSES.start("wrk", argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = process.communicate(timeout=seconds + 60)
    finally:
        PROCESSES.stop(process)
    for line in out.splitlines():
        if line.startswith("BENCH_JSON "):
            result: dict[str, Any] = json.loads(line.removeprefix("BENCH_JSON "))
            return result
    raise RuntimeError(f"wrk printed no result (exit {process.returncode}):\n{out}\n{err}")


# --------------------------------------------------------------------------- CPU accounting

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
NOISY = 0.10
"""Foreign or stolen CPU (in CPUs) over which a run is flagged: the machine was doing other work."""


def _process_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime, all threads


def _steal_ticks() -> int:
    return int(Path("/proc/stat").read_text().split("\n", 1)[0].split()[8])


def _ticks_by_process() -> dict[int, tuple[str, int]]:
    found: dict[int, tuple[str, int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with suppress(OSError, ValueError, IndexError):
                found[int(entry.name)] = ((entry / "comm").read_text().strip(), _process_ticks(int(entry.name)))
    return found


@dataclass
class CpuUse:
    """CPU time spent during a run, in CPUs (1.0: one CPU busy the whole time)."""

    server: float
    wrk: float
    database: float
    """PostgreSQL's and PgBouncer's processes (ours and anybody else's)."""
    foreign: float
    """Every other process on the machine: what makes a run noisy."""
    steal: float
    """Time the hypervisor gave to other guests."""
    top_foreign: list[str]


class CpuMeter:
    def __init__(self, server_pid: int | None) -> None:
        self.server_pid = server_pid
        self.started = time.monotonic()
        self.children = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.steal = _steal_ticks()
        self.processes = _ticks_by_process()

    def stop(self) -> CpuUse:
        seconds = max(time.monotonic() - self.started, 1e-6)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk, once it has been waited for
        wrk = (children.ru_utime + children.ru_stime) - (self.children.ru_utime + self.children.ru_stime)
        steal = (_steal_ticks() - self.steal) / CLOCK_TICKS
        ours = {os.getpid(), *PROCESSES.pids()}
        server = database = 0.0
        foreign: list[tuple[float, str]] = []
        for pid, (comm, ticks) in _ticks_by_process().items():
            used = (ticks - self.processes.get(pid, (comm, 0))[1]) / CLOCK_TICKS
            if used <= 0:
                continue
            if pid == self.server_pid:
                server = used
            elif comm in ("postgres", "pgbouncer"):
                database += used
            elif pid not in ours:
                foreign.append((used, f"{comm}[{pid}]"))
        foreign.sort(reverse=True)
        return CpuUse(
            server=round(server / seconds, 3),
            wrk=round(wrk / seconds, 3),
            database=round(database / seconds, 3),
            foreign=round(sum(u for u, _ in foreign) / seconds, 3),
            steal=round(steal / seconds, 3),
            top_foreign=[f"{name} {used / seconds:.0%}" for used, name in foreign[:3]],
        )


def check_quiet(seconds: float = 2.0) -> CpuUse:
    """What the machine does without us; a loud warning when it is busy."""
    meter = CpuMeter(None)
    time.sleep(seconds)
    idle = meter.stop()
    if idle.foreign + idle.database + idle.steal > NOISY:
        warn_loudly(
            f"the machine is busy before the benchmark starts: {idle.foreign:.0%} of a CPU in other processes "
            f"({', '.join(idle.top_foreign)}), {idle.database:.0%} in PostgreSQL, {idle.steal:.0%} stolen; "
            "with 2 CPUs the numbers will be noisy (the noise column shows each row's worst round)"
        )
    return idle


# --------------------------------------------------------------------------- measurements


@dataclass
class Measurement:
    server: str
    scenario: str
    backend: str
    round: int
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    unexpected: int
    """Responses with another status than the scenario's, plus socket errors and timeouts."""
    cpu: CpuUse
    created: int | None = None
    """Creation path: sessions the run added to the database."""
    pg_connections: int | None = None
    """PostgreSQL: connections PostgreSQL accepted into the run's database meanwhile (pg_stat_database.sessions):
    the pool's churn (directly) or PgBouncer's server connections (through it)."""

    @property
    def noise(self) -> float:
        return self.cpu.foreign + self.cpu.steal


def measurement(server: Server, scenario: str, round_: int, wrk: dict[str, Any], cpu: CpuUse) -> Measurement:
    seconds = wrk["duration_us"] / 1e6
    requests = int(wrk["requests"])
    non_2xx = int(wrk["status"])
    wrong = non_2xx if EXPECTED_STATUS[scenario] < 300 else requests - non_2xx
    socket_errors = sum(int(wrk[k]) for k in ("connect", "read", "write", "timeout"))
    return Measurement(
        server=server.name,
        scenario=scenario,
        backend=server.backend,
        round=round_,
        requests=requests,
        seconds=round(seconds, 3),
        rps=round(requests / seconds, 1) if seconds else 0.0,
        p50_ms=round(wrk["p50_us"] / 1000, 3),
        p90_ms=round(wrk["p90_us"] / 1000, 3),
        p99_ms=round(wrk["p99_us"] / 1000, 3),
        max_ms=round(wrk["max_us"] / 1000, 3),
        unexpected=wrong + socket_errors,
        cpu=cpu,
    )


class Tokens:
    """Pre-issued JWTs, each for a user no request has used yet."""

    def __init__(self, backend: Backend, workdir: Path) -> None:
        self.backend = backend
        self.workdir = workdir
        secret = backend.settings.jwt_secret
        assert secret is not None
        self.secret = secret.get_secret_value()

    def one(self) -> str:
        claims = TokenClaims(self.backend.org_id, uuid.uuid4())
        return issue_token(self.secret, claims, now=utc_now(), ttl=timedelta(hours=2))

    def file(self, count: int) -> Path:
        path = self.workdir / f"tokens-{secrets.token_hex(4)}.txt"
        now = utc_now()
        ttl = timedelta(hours=2)
        with path.open("w") as out:
            for _ in range(count):
                out.write(issue_token(self.secret, TokenClaims(self.backend.org_id, uuid.uuid4()), now=now, ttl=ttl))
                out.write("\n")
        return path


class Bench:
    def __init__(self, config: Config, workdir: Path) -> None:
        self.config = config
        self.workdir = workdir
        self.measurements: list[Measurement] = []
        self.peak_rss: dict[tuple[str, str, str], float | None] = {}
        self.warnings: list[str] = []
        self.create_rates: dict[tuple[str, str], float] = {}

    def warn(self, message: str) -> None:
        self.warnings.append(message)
        warn_loudly(message)

    def preflight(self, server: Server, scenario: str, backend: Backend, tokens: Tokens) -> None:
        headers = {"hot": {"Authorization": backend.api_key}, "error": {}}.get(scenario)
        if scenario == "mcp":
            status, body = post_chat(
                server, {"Authorization": backend.api_key, "Accept": MCP_ACCEPT}, MCP_PATH, MCP_BODY
            )
            answer = json.loads(body) if status == 200 else {}
            if "result" not in answer or answer["result"].get("isError"):
                raise RuntimeError(f"{server.name} refused the MCP tool call: {body[:300]!r}\n{server.log_tail()}")
        else:
            if headers is None:
                headers = {"Authorization": f"Bearer {tokens.one()}"}
            status, body = post_chat(server, headers)
        if status != EXPECTED_STATUS[scenario]:
            raise RuntimeError(
                f"{server.name} answered {status} (not {EXPECTED_STATUS[scenario]}) to the {scenario} request: "
                f"{body[:300]!r}\n{server.log_tail()}"
            )

    def token_budget(self, server: Server, seconds: int) -> int:
        """Enough distinct users for a creation run: 1.5 x the best creation rate seen so far, or else
        1.3 x the hot path's (a creation does strictly more than a hot-path request)."""
        created = self.create_rates.get((server.name, server.backend))
        if created:
            return int(created * 1.5 * seconds) + 500
        key = (server.name, server.backend, "hot")
        hot = [m.rps for m in self.measurements if (m.server, m.backend, m.scenario) == key]
        return int((max(hot) if hot else DEFAULT_CREATE_RATE) * 1.3 * seconds) + 500

    def measure(
        self, server: Server, scenario: str, backend: Backend, script: Path, tokens: Tokens, seconds: int, round_: int
    ) -> Measurement:
        """One wrk run against `server` (round 0: a warm-up)."""
        args: list[str] = []
        budget = before = None
        if scenario == "create":
            budget = self.token_budget(server, seconds)
            args = [str(tokens.file(budget))]
            before = count_sessions(backend)
        connections = pg_sessions(self.config, backend.pg_database) if backend.pg_database else None
        meter = CpuMeter(server.process.pid)
        result = run_wrk(self.config, server, script, seconds, args)
        m = measurement(server, scenario, round_, result, meter.stop())
        if connections is not None and backend.pg_database:
            m.pg_connections = pg_sessions(self.config, backend.pg_database) - connections
        if before is not None:
            m.created = count_sessions(backend) - before
            key = (server.name, server.backend)
            self.create_rates[key] = max(self.create_rates.get(key, 0.0), m.rps)
        if budget is not None and m.requests > budget:
            self.warn(f"{server.name}/{backend.name}: {m.requests} requests for {budget} tokens: reused users")
        if round_ == 0:
            return m
        self.measurements.append(m)
        progress(
            f"{backend.name}/{scenario} round {round_}/{self.config.rounds} {server.name:8} "
            f"{m.rps:9.1f} req/s  p50 {m.p50_ms:7.2f} ms  p99 {m.p99_ms:7.2f} ms  server CPU {m.cpu.server:.0%}"
            + (f"  noise {m.noise:.0%}" if m.noise >= 0.01 else "")
            + (f"  unexpected {m.unexpected}" if m.unexpected else "")
            + (f"  created {m.created}" if m.created is not None else "")
            + (f"  new PostgreSQL connections {m.pg_connections}" if m.pg_connections is not None else "")
        )
        if m.unexpected:
            self.warn(
                f"{server.name} {backend.name}/{scenario} round {round_}: {m.unexpected} of {m.requests} responses "
                f"were not {EXPECTED_STATUS[scenario]} (or failed); the server's log ends with:\n{server.log_tail(6)}"
            )
        if m.created is not None and m.created < m.requests - m.unexpected:
            self.warn(f"{server.name} {backend.name}: {m.requests} creations answered, {m.created} stored")
        if m.noise > NOISY:
            self.warn(
                f"{server.name} {backend.name}/{scenario} round {round_} ran on a busy machine: "
                f"{m.cpu.foreign:.0%} of a CPU in other processes ({', '.join(m.cpu.top_foreign)}), "
                f"{m.cpu.steal:.0%} stolen"
            )
        return m

    def scenario(self, scenario: str, backend: Backend, env: dict[str, str]) -> None:
        config = self.config
        script = write_lua(self.workdir, scenario, backend.api_key)
        tokens = Tokens(backend, self.workdir)
        names = [name for name in config.servers if name == "ours"] if scenario in OURS_ONLY else config.servers
        if not names:
            return
        progress(f"{backend.name}/{scenario}: starting {', '.join(names)} ({SCENARIOS[scenario]})")
        with running(config, names, backend, env, self.workdir) as servers:
            for server in servers:
                self.preflight(server, scenario, backend, tokens)
                if config.warmup:
                    progress(f"{backend.name}/{scenario}: warming up {server.name} ({config.warmup} s)")
                    self.measure(server, scenario, backend, script, tokens, config.warmup, 0)
            for round_ in range(1, config.rounds + 1):
                order = servers[round_ - 1 :] + servers[: round_ - 1]  # who goes first rotates
                for server in order:
                    self.measure(server, scenario, backend, script, tokens, config.duration, round_)
            for server in servers:
                self.peak_rss[(server.name, scenario, backend.name)] = server.peak_rss_mb()


# --------------------------------------------------------------------------- report


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


def _fmt(value: float | None, spec: str = ".2f") -> str:
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
            f"{r['p99_ms']:8.2f} {_fmt(r['peak_rss_mb'], '.1f'):>12} {r['unexpected']:>10} "
            f"{r['server_cpu']:>10.0%} {r['noise_max']:>6.0%} {_fmt(r['pg_connections_per_1k']):>15}"
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


# --------------------------------------------------------------------------- the two modes


def backends_for(
    config: Config, workdir: Path, jwt_secret: str, bench_warn: Callable[[str], None], backends: list[Backend]
) -> None:
    """Append to `backends` the ones of BENCH_BACKENDS that can be had (as they are made: whatever fails
    midway, what was made is cleaned up)."""
    for name in config.backends:
        if name == "sqlite":
            url = f"sqlite:///{workdir / 'bench.db'}"
            backends.append(Backend("sqlite", url, bench_settings(url, jwt_secret)))
            continue
        reason = pg_reachable(config)
        if reason is not None:
            bench_warn(
                f"PostgreSQL at {config.pg_url} is unreachable ({reason}): the {name} rows are SKIPPED "
                "and every ratio is computed without them"
            )
            continue
        database = create_pg_database(config, "main" if name == "postgresql" else name)
        url = pg_url_for(config, database)
        if name == "postgresql":
            backends.append(Backend("postgresql", url, bench_settings(url, jwt_secret), pg_database=database))
            continue
        progress(f"pgbouncer: starting one in transaction pooling mode, {config.pgbouncer_pool} server connections")
        bouncer = PgBouncerInstance(config.pg_url, pool_mode="transaction", pool_size=config.pgbouncer_pool)
        try:
            bouncer.create()
        except PgBouncerUnavailable as exc:
            drop_pg_database(config, database)
            bench_warn(f"no PgBouncer ({exc}): the pgbouncer rows are SKIPPED")
            continue
        url = bouncer.url(database)
        settings = bench_settings(url, jwt_secret, pooler="pgbouncer")
        backends.append(Backend("pgbouncer", url, settings, pg_database=database, pgbouncer=bouncer))
        progress(f"pgbouncer: {pgbouncer_version(bouncer.program)} on :{bouncer.port}")


def release(config: Config, backends: list[Backend]) -> None:
    """Stop the PgBouncers and drop the PostgreSQL databases of the run (unless BENCH_KEEP)."""
    for backend in backends:
        if backend.pgbouncer is not None:
            backend.pgbouncer.destroy()
        if backend.pg_database and not config.keep:
            drop_pg_database(config, backend.pg_database)


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
    print()
    print(
        f"POST {CHAT_PATH}: {config.rounds} rounds x {config.duration} s per server, wrk -t1 -c{config.connections}, "
        f"server on CPU {config.server_cpu}, wrk on CPU {config.wrk_cpu}; pool DB_POOL_SIZE="
        f"{pool_env('DB_POOL_SIZE')} DB_MAX_OVERFLOW={pool_env('DB_MAX_OVERFLOW')}"
        + (f", PgBouncer with {config.pgbouncer_pool} server connections" if "pgbouncer" in measured else "")
    )
    print_table(rows, per_backend)
    if pooler_cost:
        print(
            "PgBouncer's cost on the hot path (req/s through it / on PostgreSQL directly): "
            + " ".join(f"{server}={value:.3f}" for server, value in pooler_cost.items())
        )
    if tool_cost:
        print(
            "MCP tools/call get_or_create_chat_session vs the REST hot path (ours, req/s): "
            + " ".join(f"{backend}={value:.3f}" for backend, value in tool_cost.items())
        )
    keys = ("hot_vs_fastapi", "hot_vs_floor", "create_vs_fastapi", "p99_vs_fastapi")
    result = "RESULT " + " ".join(f"{k}={_fmt(worst.get(k), '.3f')}" for k in keys)
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
        "pool": {"DB_POOL_SIZE": pool_env("DB_POOL_SIZE"), "DB_MAX_OVERFLOW": pool_env("DB_MAX_OVERFLOW")},
        "warnings": bench.warnings,
        "measurements": [asdict(m) for m in bench.measurements],
        "result": result,
    }
    path = write_report("bench.json", report)
    print(f"report: {path.relative_to(ROOT)}; {report['elapsed_seconds']:.0f} s in all")
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
            start_server(config, "ours", backend, server_env(backend, jwt_secret), workdir, label=f"@{size}")
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
            f"{_fmt(r['peak_rss_mb'], '.1f'):>12} {r['unexpected']:>10} {r['server_cpu']:>10.0%} {r['noise_max']:>6.0%}"
        )
    result = f"RESULT scale_ratio={scale_ratio:.3f}"
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
        "warnings": bench.warnings,
        "measurements": [asdict(m) for m in bench.measurements],
        "result": result,
    }
    path = write_report("bench-scale.json", report)
    print(f"report: {path.relative_to(ROOT)}; {report['elapsed_seconds']:.0f} s in all")
    print(result)
    return 0


def start_own_postgres(config: Config) -> tuple[PostgresInstance | None, Config]:
    """The run's own PostgreSQL (scripts/postgres_instance.py, as the test suite's: PostgreSQL 15 from the
    machine or Debian, no fsync, so that the creation rows measure the servers rather than this machine's
    disk) and the config pointing at it; without one, a config whose PostgreSQL rows are skipped, loudly."""
    progress("postgresql: starting a PostgreSQL of the run's own (BENCH_PG_URL measures another server)")
    try:
        instance = PostgresInstance().create()
    except PostgresUnavailable as exc:
        progress(f"postgresql: none could be started: {exc}")
        return None, config  # no pg_url: pg_reachable() says why, and the PostgreSQL rows are skipped
    progress(f"postgresql: {instance.url()} ({instance.root})")
    return instance, replace(config, pg_url=instance.url())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", action="store_true", help="ours' hot path with 1,000 vs 1,000,000 stored sessions")
    args = parser.parse_args(argv)
    config = Config.from_env()
    signal.signal(signal.SIGTERM, _interrupt)
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
