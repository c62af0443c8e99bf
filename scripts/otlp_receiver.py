"""A minimal OTLP/HTTP trace receiver on 127.0.0.1: what `tests/web/test_tracing_export.py` exports to and what
`make bench` counts its traced rows' spans with (scripts/bench/tracing.py). Not a collector: it decodes each
export request to POST /v1/traces (protobuf, opentelemetry-proto), answers it as a collector does, and keeps
counts per resource `service.name` (export requests, spans, SERVER spans); GET /stats returns those counts as
JSON. It keeps the decoded requests too unless told not to (the benchmark's millions of spans).

In a thread of the caller (the tests):

    with receiving() as receiver:          # receiver.endpoint: OTEL_EXPORTER_OTLP_ENDPOINT
        ...; receiver.spans(); receiver.counts()

or as a process of its own (the benchmark, pinned beside wrk so that decoding takes nothing from the server's
CPU), its port given, stopped by its PID:

    python -m scripts.otlp_receiver --port PORT
"""

from __future__ import annotations

import argparse
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.trace.v1.trace_pb2 import Span

HOST = "127.0.0.1"
TRACES_PATH = "/v1/traces"
STATS_PATH = "/stats"
UNNAMED = ""
"""The service name counted for spans whose resource names none."""


@dataclass
class Counts:
    """What one service (resource `service.name`) exported."""

    exports: int = 0
    spans: int = 0
    server_spans: int = 0
    """Spans of kind SERVER: one per request the service traced."""


class Receiver(ThreadingHTTPServer):
    """Every export request to /v1/traces decoded and counted (and kept, with `keep`)."""

    daemon_threads = True

    def __init__(self, port: int = 0, *, keep: bool = True) -> None:
        super().__init__((HOST, port), ReceiverHandler)
        self.keep = keep
        self.exports: list[ExportTraceServiceRequest] = []
        self.paths: list[str] = []
        self.content_types: list[str] = []
        self.refused = 0
        """Requests that were not an export to /v1/traces (answered 404) or did not decode (400)."""
        self._counts: dict[str, Counts] = {}
        self._lock = threading.Lock()

    @property
    def endpoint(self) -> str:
        """The base URL for OTEL_EXPORTER_OTLP_ENDPOINT (the SDK appends /v1/traces)."""
        return f"http://{HOST}:{self.server_address[1]}"

    def record(self, path: str, content_type: str, export: ExportTraceServiceRequest) -> None:
        with self._lock:
            self.paths.append(path)
            self.content_types.append(content_type)
            if self.keep:
                self.exports.append(export)
            for resource_spans in export.resource_spans:
                service = next(
                    (kv.value.string_value for kv in resource_spans.resource.attributes if kv.key == "service.name"),
                    UNNAMED,
                )
                counts = self._counts.setdefault(service, Counts())
                counts.exports += 1
                for scope_spans in resource_spans.scope_spans:
                    counts.spans += len(scope_spans.spans)
                    counts.server_spans += sum(1 for span in scope_spans.spans if span.kind == Span.SPAN_KIND_SERVER)

    def counts(self) -> dict[str, Counts]:
        with self._lock:
            return {service: Counts(**asdict(counts)) for service, counts in self._counts.items()}

    def stats(self) -> dict[str, Any]:
        return {"services": {name: asdict(c) for name, c in self.counts().items()}, "refused": self.refused}

    def spans(self) -> list[dict[str, Any]]:
        """Every span kept, flattened: name, kind, ids (hex), attributes and its resource's attributes."""
        found = []
        with self._lock:
            exports = list(self.exports)
        for export in exports:
            for resource_spans in export.resource_spans:
                resource = {kv.key: kv.value.string_value for kv in resource_spans.resource.attributes}
                for scope_spans in resource_spans.scope_spans:
                    for span in scope_spans.spans:
                        attributes = {kv.key: kv.value.string_value or kv.value.int_value for kv in span.attributes}
                        found.append(
                            {
                                "name": span.name,
                                "kind": span.kind,
                                "trace_id": span.trace_id.hex(),
                                "span_id": span.span_id.hex(),
                                "parent_span_id": span.parent_span_id.hex(),
                                "attributes": attributes,
                                "resource": resource,
                            }
                        )
        return found


class ReceiverHandler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path != TRACES_PATH:
            self._refuse(404)
            return
        export = ExportTraceServiceRequest()
        try:
            export.ParseFromString(body)
        except Exception:  # protobuf's DecodeError, whatever the implementation
            self._refuse(400)
            return
        self.server.record(self.path, self.headers.get("Content-Type", ""), export)
        self._answer(200, "application/x-protobuf", ExportTraceServiceResponse().SerializeToString())

    def do_GET(self) -> None:
        if self.path != STATS_PATH:
            self._answer(404, "text/plain", b"")
            return
        self._answer(200, "application/json", json.dumps(self.server.stats()).encode())

    def _refuse(self, status: int) -> None:
        with self.server._lock:
            self.server.refused += 1
        self._answer(status, "text/plain", b"")

    def _answer(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def receiving(*, keep: bool = True) -> Iterator[Receiver]:
    """A receiver on a free port, served by a thread of this process for as long as the block runs."""
    server = Receiver(keep=keep)
    thread = threading.Thread(target=server.serve_forever, name="otlp-receiver", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A minimal OTLP/HTTP trace receiver on 127.0.0.1 (counts spans).")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    server = Receiver(args.port, keep=False)
    print(f"OTLP/HTTP receiver on {server.endpoint}{TRACES_PATH}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
