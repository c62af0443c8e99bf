"""Tracing as an operator turns it on: `global-chat serve` with OTEL_* set exports its spans over OTLP/HTTP
(protobuf) to a receiver this test runs on 127.0.0.1 (scripts/otlp_receiver.py, shared with `make bench`),
decoded with opentelemetry-proto."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from scripts.otlp_receiver import Receiver, receiving
from scripts.servers import BIN, global_chat_serve, serving
from tests.fixtures.server import global_chat, serving_chat

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as server:
        yield server


def test_served_requests_are_exported_over_otlp_http(receiver: Receiver, tmp_path: Path) -> None:
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith("OTEL_")},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'traced.db'}",
        "AUTH_MODE": "none",
        "OTEL_TRACES_EXPORTER": "otlp",
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
        "OTEL_SERVICE_NAME": "chat-under-test",
        "OTEL_BSP_SCHEDULE_DELAY": "100",  # milliseconds: export soon rather than every 5 s
    }
    global_chat(env, "migrate")
    with serving_chat(env) as url:
        response = httpx.post(f"{url}", headers={"traceparent": TRACEPARENT}, timeout=10)
        assert response.status_code == 200
        deadline = time.monotonic() + 30
        while not any(span["name"] == "get_or_create_chat_session" for span in receiver.spans()):
            assert time.monotonic() < deadline, f"no server span exported in 30 s: {receiver.spans()}"
            time.sleep(0.1)

    assert set(receiver.paths) == {"/v1/traces"}  # the SDK appends the signal's path to the base endpoint
    assert set(receiver.content_types) == {"application/x-protobuf"}
    spans = [span for span in receiver.spans() if span["trace_id"] == TRACE_ID]
    (server,) = [span for span in spans if span["name"] == "get_or_create_chat_session"]
    assert server["parent_span_id"] == "00f067aa0ba902b7"
    assert server["resource"]["service.name"] == "chat-under-test"
    assert server["attributes"]["http.route"] == "/v1/sessions/chat"
    assert server["attributes"]["http.response.status_code"] == 200
    assert server["attributes"]["global_chat.request_id"] == response.headers["X-Request-Id"]
    sql = [span for span in spans if span["parent_span_id"] == server["span_id"]]
    assert sql, "no SQL child span exported"
    assert all("db.statement" in span["attributes"] for span in sql)


def test_serve_refuses_an_exporter_it_does_not_have(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'traced.db'}",
        "AUTH_MODE": "none",
        "OTEL_TRACES_EXPORTER": "otlp",
        "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
    }
    result = subprocess.run([BIN / "global-chat", "serve"], env=env, capture_output=True, text=True, timeout=60)

    assert result.returncode == 2
    assert "http/protobuf only" in result.stderr


@pytest.mark.parametrize("workers", [1, 2])
def test_spans_still_queued_when_the_server_stops_are_exported(
    receiver: Receiver, tmp_path: Path, workers: int
) -> None:
    """On SIGTERM a uvicorn worker shuts down, then raises the signal again and dies of it before any exit
    hook runs (the SDK's included): the app's lifespan exports what the batch processor still holds, in the
    one process of `global-chat serve` and in each worker of `--workers N`."""
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith("OTEL_")},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'traced.db'}",
        "AUTH_MODE": "none",
        "OTEL_TRACES_EXPORTER": "otlp",
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
        "OTEL_BSP_SCHEDULE_DELAY": "600000",  # ten minutes: nothing leaves on the timer while the test runs
    }
    global_chat(env, "migrate")
    with serving(global_chat_serve(env, log_dir=tmp_path, workers=workers)) as server:
        for _ in range(6):
            assert httpx.post(f"{server.base_url}/v1/sessions/chat", timeout=10).status_code == 200
        assert receiver.spans() == []  # still queued

    names = [span["name"] for span in receiver.spans() if span["kind"] == 2]  # SERVER
    assert names.count("get_or_create_chat_session") == 6
