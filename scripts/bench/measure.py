"""One measurement: a wrk run against one server, with the CPU it took and what it stored; the rounds of a
scenario."""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from global_chat.accounts.credentials import TokenClaims, issue_token
from global_chat.clock import utc_now
from scripts.bench.config import (
    APPS,
    DEFAULT_CREATE_RATE,
    EXPECTED_STATUS,
    OURS_ONLY,
    SCENARIOS,
    TRACED,
    TRACED_SCENARIOS,
    Config,
    progress,
    warn_loudly,
)
from scripts.bench.databases import Backend, count_sessions, pg_sessions
from scripts.bench.machine import NOISY, CpuMeter, CpuUse
from scripts.bench.serving import Server, post_chat, running
from scripts.bench.tracing import (
    SpanCheck,
    received,
    requests_answered,
    service_name,
    span_check,
    start_receiver,
    traced_env,
)
from scripts.bench.wire import MCP_ACCEPT, MCP_BODY, MCP_PATH
from scripts.bench.wrk import run_wrk, write_lua
from scripts.servers import ServerProcess


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
        self.answered: dict[tuple[str, str, str], int] = {}
        """Requests each traced row's server answered, by its own /metrics, read just before it stops."""
        self.receiver: ServerProcess | None = None
        """The OTLP receiver of the traced rows, started when the first of them is."""
        self.span_checks: list[SpanCheck] = []

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

    def traced(self, scenario: str, backend: Backend) -> list[str]:
        """The traced rows this scenario and backend measure beside ours (BENCH_TRACING)."""
        if scenario not in TRACED_SCENARIOS or backend.name not in self.config.tracing:
            return []
        return list(TRACED)

    def scenario(self, scenario: str, backend: Backend, env: dict[str, str]) -> None:
        config = self.config
        script = write_lua(self.workdir, scenario, backend.api_key)
        tokens = Tokens(backend, self.workdir)
        names = [name for name in config.servers if name == "ours"] if scenario in OURS_ONLY else config.servers
        traced = self.traced(scenario, backend)
        own_env = {}
        if traced:
            if self.receiver is None:
                self.receiver = start_receiver(config, self.workdir)
                progress(f"OTLP receiver for the traced rows on {self.receiver.base_url} (pid {self.receiver.pid})")
            own_env = {name: traced_env(name, backend.name, scenario, self.receiver.base_url) for name in traced}
            names = sorted([*names, *traced], key=list(APPS).index)  # the traced rows beside ours
        if not names:
            return
        progress(f"{backend.name}/{scenario}: starting {', '.join(names)} ({SCENARIOS[scenario]})")
        with running(config, names, backend, env, self.workdir, own_env) as servers:
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
                if server.name in traced:
                    self.answered[(server.name, scenario, backend.name)] = requests_answered(server)
        if traced and self.receiver is not None:  # the servers have stopped, flushing the spans they still held
            self.check_spans(traced, scenario, backend.name)

    def check_spans(self, traced: list[str], scenario: str, backend: str) -> None:
        assert self.receiver is not None
        counts = received(self.receiver)
        for name in traced:
            check = span_check(
                name, scenario, backend, self.answered.get((name, scenario, backend), 0),
                counts.get(service_name(name, backend, scenario)),
            )  # fmt: skip
            self.span_checks.append(check)
            progress(check.describe())
            if not check.as_sampled:
                self.warn(check.describe())
