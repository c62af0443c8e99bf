"""scripts/otlp_receiver.py, the OTLP/HTTP receiver the tracing tests export to and `make bench` counts its
traced rows' spans with: fed by the OpenTelemetry SDK's own OTLP/HTTP exporter, in a thread and as the
benchmark runs it (a process of its own, read over GET /stats)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import SpanKind

from scripts.bench.tracing import received
from scripts.otlp_receiver import STATS_PATH, TRACES_PATH, Counts, receiving
from scripts.servers import serving, start_server


@contextmanager
def exporting(endpoint: str, service: str) -> Iterator[TracerProvider]:
    """A tracer provider of `service` that exports each span as it ends to `endpoint`, as the SDK does."""
    provider = TracerProvider(resource=Resource.create({"service.name": service}), shutdown_on_exit=False)
    provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(endpoint=f"{endpoint}{TRACES_PATH}")))
    try:
        yield provider
    finally:
        provider.shutdown()


def trace_requests(provider: TracerProvider, requests: int, statements: int) -> None:
    """`requests` SERVER spans, each with `statements` child spans, as a traced request makes them."""
    tracer = provider.get_tracer("test")
    for _ in range(requests):
        with tracer.start_as_current_span("get_or_create_chat_session", kind=SpanKind.SERVER):
            for _ in range(statements):
                with tracer.start_as_current_span("SELECT", kind=SpanKind.CLIENT):
                    pass


def test_spans_are_decoded_and_counted_per_service() -> None:
    with receiving() as receiver:
        with exporting(receiver.endpoint, "one") as provider:
            trace_requests(provider, requests=3, statements=2)
        with exporting(receiver.endpoint, "two") as provider:
            trace_requests(provider, requests=1, statements=0)

        counts = receiver.counts()
        stats = httpx.get(f"{receiver.endpoint}{STATS_PATH}", timeout=10).json()

    assert counts == {
        "one": Counts(exports=9, spans=9, server_spans=3),
        "two": Counts(exports=1, spans=1, server_spans=1),
    }
    assert stats["services"]["one"] == {"exports": 9, "spans": 9, "server_spans": 3}
    assert stats["refused"] == 0
    assert set(receiver.paths) == {TRACES_PATH}
    assert set(receiver.content_types) == {"application/x-protobuf"}
    assert [span["name"] for span in receiver.spans() if span["resource"]["service.name"] == "two"] == [
        "get_or_create_chat_session"
    ]


def test_without_keep_it_counts_but_keeps_nothing() -> None:
    with receiving(keep=False) as receiver:
        with exporting(receiver.endpoint, "bench") as provider:
            trace_requests(provider, requests=2, statements=1)

        assert receiver.counts()["bench"].server_spans == 2
        assert receiver.spans() == []


def test_what_is_not_an_export_is_refused_and_counted_apart() -> None:
    with receiving() as receiver:
        elsewhere = httpx.post(f"{receiver.endpoint}/v1/metrics", content=b"", timeout=10)
        garbage = httpx.post(f"{receiver.endpoint}{TRACES_PATH}", content=b"\xff\xff\xff", timeout=10)
        unknown = httpx.get(f"{receiver.endpoint}/nothing", timeout=10)

        assert (elsewhere.status_code, garbage.status_code, unknown.status_code) == (404, 400, 404)
        assert receiver.stats() == {"services": {}, "refused": 2}


@pytest.mark.process
def test_as_a_process_it_is_read_over_http(tmp_path: Path) -> None:
    """As `make bench` runs it: `python -m scripts.otlp_receiver --port P`, its counts read by GET /stats."""
    root = Path(__file__).resolve().parents[2]
    server = start_server(
        lambda port: [sys.executable, "-m", "scripts.otlp_receiver", "--port", str(port)],
        name="otlp-receiver",
        log_dir=tmp_path,
        cwd=root,
    )
    with serving(server, path=STATS_PATH):
        with exporting(server.base_url, "bench-ours") as provider:
            trace_requests(provider, requests=4, statements=1)
        counts = received(server)

    assert counts == {"bench-ours": Counts(exports=8, spans=8, server_spans=4)}
    assert server.process.poll() is not None  # stopped by its PID with the block
