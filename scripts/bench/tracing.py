"""The traced rows (config.TRACED): ours with OpenTelemetry tracing on, exporting over OTLP/HTTP to a receiver
the run starts on 127.0.0.1 (scripts/otlp_receiver.py, as a process of its own pinned to wrk's CPU, so that
decoding the spans takes nothing from the server's CPU) and stops by its PID with the other processes. Each
row exports under a service name of its own, so that after the row's server has stopped (exporting what it
still held as its lifespan ended) the receiver's counts say how many requests it traced, and its own
/metrics, read just before, how many it answered: a traced row counts only when its spans arrived, about
as many as its sampler should have kept (SpanCheck.as_sampled)."""

from __future__ import annotations

import http.client
import json
import math
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from scripts.bench.config import HOST, ROOT, TRACED, TRACED_SHARE, Config
from scripts.bench.machine import PROCESSES
from scripts.otlp_receiver import STATS_PATH, Counts
from scripts.servers import ServerProcess, start_server

METRICS_PATH = "/metrics"
REQUESTS_METRIC = "global_chat_http_requests_total"
DEVIATIONS = 4.0
"""How far a traced row's server spans may stray from what its sampler should keep, in binomial standard
deviations (a 1 % sampler over n requests keeps 0.01 n, give or take sqrt(0.01 x 0.99 x n))..."""
SLACK = 0.02
"""... plus this share of the expected count (the requests are the server's own count, so at 100 % every
one should have its span): a few spans lost pass, spans dropped by the SDK's full queue or never sent do not."""


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


def requests_answered(server: ServerProcess) -> int:
    """Every request the server answered (all operations and statuses: each had its server span, sampled or
    not), from its own Prometheus /metrics, counting this read of it (traced too, counted after it)."""
    connection = http.client.HTTPConnection(HOST, server.port, timeout=10)
    try:
        connection.request("GET", METRICS_PATH)
        response = connection.getresponse()
        text = response.read().decode()
    finally:
        connection.close()
    if response.status != 200:
        raise RuntimeError(f"{server.name} answered {response.status} to GET {METRICS_PATH}\n{server.log_tail()}")
    return 1 + count_requests(text)


def count_requests(exposition: str) -> int:
    """The sum of global_chat_http_requests_total over its labels, in a Prometheus text exposition."""
    return round(
        sum(
            sample.value
            for family in text_string_to_metric_families(exposition)
            for sample in family.samples
            if sample.name == REQUESTS_METRIC
        )
    )


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
    """Requests the row's server answered (requests_answered)."""
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
        """Some spans arrived (unless fewer than 3 were expected), about as many as the sampler keeps."""
        p = self.expected_share
        expected = self.requests * p
        allowed = DEVIATIONS * math.sqrt(self.requests * p * (1 - p)) + SLACK * expected
        return (self.server_spans > 0 or expected < 3) and abs(self.server_spans - expected) <= allowed

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
