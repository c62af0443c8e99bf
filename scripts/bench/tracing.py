"""The traced rows (config.TRACED): ours with OpenTelemetry tracing on, exporting over OTLP/HTTP to a receiver
the run starts on 127.0.0.1 (scripts/otlp_receiver.py, as a process of its own pinned to wrk's CPU, so that
decoding the spans takes nothing from the server's CPU) and stops by its PID with the other processes. Each
row exports under a service name of its own, so that after the row's server has stopped (flushing what it
still held) the receiver's counts say how many requests it traced: a traced row counts only when its spans
arrived, about as many as its sampler should have kept."""

from __future__ import annotations

import http.client
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from scripts.bench.config import HOST, ROOT, TRACED, TRACED_SHARE, Config
from scripts.bench.machine import PROCESSES
from scripts.otlp_receiver import STATS_PATH, Counts
from scripts.servers import ServerProcess, start_server

TOLERANCE = 0.5
"""A traced row's server spans must be within this share of what its sampler should keep (half to one and a
half times the expected count): far enough from the 1 % sampler's binomial spread over thousands of requests,
close enough to notice spans dropped or never sent."""
TOO_FEW = 20
"""Below this many expected spans the count is too small to judge the share: any span arrived is enough."""


def service_name(server: str, backend: str, scenario: str) -> str:
    """The OTEL_SERVICE_NAME of one traced row (the receiver counts by it)."""
    return f"bench-{server}-{backend}-{scenario}"


def traced_env(server: str, backend: str, scenario: str, endpoint: str) -> dict[str, str]:
    """What turns tracing on for one traced row: the exporter, the receiver, the row's sampler and name."""
    return {
        "OTEL_TRACES_EXPORTER": "otlp",
        "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
        "OTEL_SERVICE_NAME": service_name(server, backend, scenario),
        **TRACED[server],
    }


def start_receiver(config: Config, workdir: Path) -> ServerProcess:
    """The run's receiver, on a free port, pinned to wrk's CPU and tracked with the run's processes."""

    def argv(port: int) -> list[str]:
        return ["taskset", "-c", config.wrk_cpu, sys.executable, "-m", "scripts.otlp_receiver", "--port", str(port)]

    receiver = start_server(argv, name="otlp-receiver", log_dir=workdir, cwd=ROOT, new_session=True)
    PROCESSES.track("OTLP receiver", receiver.process)
    receiver.wait_until_ready(STATS_PATH, ready=lambda status: status == 200)
    return receiver


def received(receiver: ServerProcess) -> dict[str, Counts]:
    """The receiver's counts so far, per service name."""
    connection = http.client.HTTPConnection(HOST, receiver.port, timeout=10)
    try:
        connection.request("GET", STATS_PATH)
        answer: dict[str, Any] = json.loads(connection.getresponse().read())
    finally:
        connection.close()
    return {name: Counts(**counts) for name, counts in answer["services"].items()}


@dataclass(frozen=True)
class SpanCheck:
    """What one traced row exported, against what its sampler should have."""

    server: str
    scenario: str
    backend: str
    requests: int
    """Requests the row's server answered (preflight, warm-up and rounds)."""
    server_spans: int
    """SERVER spans the receiver got from it: one per traced request."""
    spans: int
    """All its spans (the server spans and their SQL child spans)."""
    expected_share: float

    @property
    def share(self) -> float:
        return self.server_spans / self.requests if self.requests else 0.0

    @property
    def as_sampled(self) -> bool:
        expected = self.requests * self.expected_share
        if expected < TOO_FEW:
            return self.server_spans > 0 or expected < 3
        return (1 - TOLERANCE) * expected <= self.server_spans <= (1 + TOLERANCE) * expected

    def describe(self) -> str:
        verdict = "as sampled" if self.as_sampled else "NOT as sampled: the row does not measure what it says"
        return (
            f"{self.server} {self.backend}/{self.scenario}: {self.server_spans} server spans ({self.spans} spans in "
            f"all) received for {self.requests} requests = {self.share:.2%} traced, expected "
            f"{self.expected_share:.0%}: {verdict}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "share": round(self.share, 5), "as_sampled": self.as_sampled}


def span_check(server: str, scenario: str, backend: str, requests: int, counts: Counts | None) -> SpanCheck:
    counts = counts or Counts()
    return SpanCheck(server, scenario, backend, requests, counts.server_spans, counts.spans, TRACED_SHARE[server])
