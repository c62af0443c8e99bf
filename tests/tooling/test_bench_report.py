"""The benchmark's report (scripts/bench/report.py, tracing.py, config.py) from synthetic figures: the traced rows
beside ours with their ratio to it and the spans that arrived, issue 22's targets with their measured values
and met / NOT MET, the peak RSS per worker, and which servers a run measures. No timing is asserted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from scripts.bench.config import APPS, TARGETS, TRACED, UNTRACED, Config
from scripts.bench.databases import Backend, bench_settings
from scripts.bench.report import (
    markdown,
    peak_rss_per_worker,
    ratios,
    scale_ratio_on_record,
    table,
    target_lines,
    targets,
    tracing_cost,
    tracing_lines,
)
from scripts.bench.serving import server_env
from scripts.bench.tracing import SpanCheck, count_requests, service_name, span_check, traced_env
from scripts.otlp_receiver import Counts


def row(server: str, rps: float, p99: float = 10.0, rss: float | None = 100.0, **more: Any) -> dict[str, Any]:
    return {
        "server": server, "scenario": "hot", "backend": "sqlite", "rounds": 3, "rps_median": rps, "rps_min": rps,
        "rps_max": rps, "p50_ms": 5.0, "p99_ms": p99, "peak_rss_mb": rss, "unexpected": 0, "server_cpu": 1.0,
        "noise_max": 0.0, "pg_connections_per_1k": None, **more,
    }  # fmt: skip


ROWS = [
    row("floor", 4000, 8.0, 101.0),
    row("fastapi", 2000, 16.0, 108.0),
    row("fastapi_otel_off", 2200, 15.0, 107.0),
    row("ours", 2500, 12.0, 118.0),
    row("ours_trace_1pct", 2250, 13.2, 125.0),
    row("ours_trace_100pct", 1500, 24.0, 130.0),
    row("ours", 400, 80.0, 121.5, scenario="create"),
]


def checks(**served: tuple[int, int]) -> list[SpanCheck]:
    return [
        span_check(name, "hot", "sqlite", requests, Counts(exports=1, spans=2 * spans, server_spans=spans))
        for name, (requests, spans) in served.items()
    ]


def test_the_traced_rows_are_reported_beside_ours_with_their_ratio_and_spans() -> None:
    cost = tracing_cost(ROWS, checks(ours_trace_1pct=(50_000, 480), ours_trace_100pct=(40_000, 40_020)))

    by_server = {c["server"]: c for c in cost}
    assert by_server["ours_trace_1pct"]["rps_vs_ours"] == 0.9
    assert by_server["ours_trace_1pct"]["p99_vs_ours"] == 1.1
    assert by_server["ours_trace_100pct"]["rps_vs_ours"] == 0.6
    assert by_server["ours_trace_100pct"]["p99_vs_ours"] == 2.0
    assert by_server["ours_trace_1pct"]["server_spans"] == 480
    assert by_server["ours_trace_1pct"]["share"] == 0.0096
    assert all(c["as_sampled"] for c in cost)
    lines = tracing_lines(cost)
    assert "req/s vs ours 0.900" in lines[0] and "480 server spans" in lines[0] and "as sampled" in lines[0]


def test_without_ours_in_the_run_a_traced_row_has_no_ratio() -> None:
    (cost,) = tracing_cost([r for r in ROWS if r["server"] != "ours"], checks(ours_trace_1pct=(1000, 10)))

    assert cost["rps_vs_ours"] is None and cost["p99_vs_ours"] is None
    assert "req/s vs ours -" in tracing_lines([cost])[0]


@pytest.mark.parametrize(
    ("server", "requests", "server_spans", "as_sampled"),
    [
        ("ours_trace_1pct", 60_000, 600, True),
        ("ours_trace_1pct", 60_000, 700, True),  # 1.17 %: four standard deviations (97) and 2 % (12) allow 709
        ("ours_trace_1pct", 60_000, 720, False),  # 1.2 %
        ("ours_trace_1pct", 60_000, 480, False),  # 0.8 %
        ("ours_trace_1pct", 60_000, 0, False),  # nothing arrived: the row measured tracing that exported nothing
        ("ours_trace_1pct", 60_000, 6_000, False),  # ten times the sampler's share
        ("ours_trace_1pct", 4_153, 65, True),  # 1.57 % of a short run: 41.5 expected, give or take 6.4
        ("ours_trace_1pct", 4_153, 70, False),
        ("ours_trace_100pct", 3_411, 3_411, True),
        ("ours_trace_100pct", 60_000, 58_800, True),  # 2 % lost
        ("ours_trace_100pct", 60_000, 58_000, False),  # spans dropped
        ("ours_trace_100pct", 2_176, 2_088, False),  # the last batch lost: the server killed before it exported
        ("ours_trace_100pct", 60_000, 61_500, False),  # more than it answered
        ("ours_trace_100pct", 60_000, 0, False),
        ("ours_trace_1pct", 1_000, 0, False),  # ten expected: none arriving is not chance
        ("ours_trace_1pct", 200, 0, True),  # two expected: none arriving proves nothing
    ],
)
def test_spans_are_checked_against_the_rows_sampler(
    server: str, requests: int, server_spans: int, as_sampled: bool
) -> None:
    (check,) = checks(**{server: (requests, server_spans)})

    assert check.as_sampled is as_sampled
    assert ("NOT as sampled" in check.describe()) is not as_sampled


EXPOSITION = """\
# HELP global_chat_http_requests_total HTTP requests by operation and status.
# TYPE global_chat_http_requests_total counter
global_chat_http_requests_total{operation="get_or_create_chat_session",status="200"} 3409.0
global_chat_http_requests_total{operation="unmatched",status="404"} 1.0
# HELP global_chat_http_requests_created HTTP requests by operation and status.
# TYPE global_chat_http_requests_created gauge
global_chat_http_requests_created{operation="get_or_create_chat_session",status="200"} 1.7649e+09
# HELP global_chat_sessions_created_total Global chat sessions created.
# TYPE global_chat_sessions_created_total counter
global_chat_sessions_created_total 1.0
"""


def test_the_requests_a_server_answered_are_its_own_count_of_every_operation() -> None:
    assert count_requests(EXPOSITION) == 3410  # not the sessions created, nor the counters' creation times
    assert count_requests("") == 0


def test_a_row_the_receiver_heard_nothing_from_counts_zero_spans() -> None:
    check = span_check("ours_trace_100pct", "hot", "sqlite", 5000, None)

    assert (check.server_spans, check.spans, check.as_sampled) == (0, 0, False)


def test_each_traced_row_exports_to_the_receiver_under_a_name_of_its_own() -> None:
    env = traced_env("ours_trace_1pct", "sqlite", "hot", "http://127.0.0.1:4318")

    assert env == {
        "OTEL_TRACES_EXPORTER": "otlp",
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318",
        "OTEL_SERVICE_NAME": service_name("ours_trace_1pct", "sqlite", "hot"),
        "OTEL_TRACES_SAMPLER": "parentbased_traceidratio",
        "OTEL_TRACES_SAMPLER_ARG": "0.01",
    }
    assert traced_env("ours_trace_100pct", "sqlite", "hot", "x")["OTEL_TRACES_SAMPLER"] == "always_on"
    names = {service_name(server, backend, "hot") for server in TRACED for backend in ("sqlite", "postgresql")}
    assert len(names) == 4
    assert {APPS[name] for name in TRACED} == {APPS["ours"]}  # the same app, tracing switched on by OTEL_*


def test_the_table_prints_both_fastapi_rows_and_the_traced_rows_after_ours() -> None:
    per_backend, _ = ratios(ROWS, ["sqlite"])
    lines = table(ROWS, per_backend)

    servers = [line.split()[2] for line in lines[2:] if line.startswith("hot ")]
    assert servers == ["ours", "ours_trace_1pct", "ours_trace_100pct", "fastapi", "fastapi_otel_off", "floor"]
    # every vs_fastapi ratio against the faster FastAPI row: 2200 req/s and 15 ms (fastapi_otel_off)
    assert per_backend["sqlite"]["hot_vs_fastapi"] == round(2500 / 2200, 3)
    assert per_backend["sqlite"]["p99_vs_fastapi"] == round(12 / 15, 3)
    assert "hot_vs_fastapi=1.136" in lines[-1]


def test_every_target_is_printed_with_its_value_and_verdict() -> None:
    measured = {
        "hot_vs_floor": 0.625,
        "hot_vs_fastapi": 1.2,
        "create_vs_fastapi": 1.0,
        "p99_vs_fastapi": 0.81,
        "peak_rss_mb_per_worker": 121.5,
        "scale_ratio": None,
    }
    found = targets(measured, {"scale_ratio": "not measured by this run"})

    assert [(t["name"], t["met"]) for t in found] == [
        ("hot_vs_floor", False),
        ("hot_vs_fastapi", True),
        ("create_vs_fastapi", True),  # a target on the line is met
        ("p99_vs_fastapi", False),  # a latency: at most
        ("peak_rss_mb_per_worker", False),
        ("scale_ratio", None),
    ]
    assert [(t["name"], t["op"], t["target"]) for t in found] == list(TARGETS)
    lines = target_lines(found)
    assert "  hot_vs_floor >= 0.75: 0.625 NOT MET" in lines
    assert "  hot_vs_fastapi >= 1.15: 1.200 met" in lines
    assert "  p99_vs_fastapi <= 0.8: 0.810 NOT MET" in lines
    assert "  scale_ratio >= 0.95: - not measured (not measured by this run)" in lines
    document = markdown("make bench", ["the table", "RESULT hot_vs_fastapi=1.200"], found)
    assert "| `hot_vs_floor >= 0.75` | 0.625 | **NOT MET** |" in document
    assert "| `hot_vs_fastapi >= 1.15` | 1.200 | met |" in document
    assert "```\nthe table\nRESULT hot_vs_fastapi=1.200\n```" in document


def test_the_targets_come_from_the_issue() -> None:
    assert dict((name, (op, value)) for name, op, value in TARGETS) == {
        "hot_vs_floor": (">=", 0.75),
        "hot_vs_fastapi": (">=", 1.15),
        "create_vs_fastapi": (">=", 1.0),
        "p99_vs_fastapi": ("<=", 0.8),
        "peak_rss_mb_per_worker": ("<=", 120.0),
        "scale_ratio": (">=", 0.95),
    }


def test_peak_rss_per_worker_is_ours_largest_with_tracing_off() -> None:
    assert peak_rss_per_worker(ROWS) == 121.5  # the creation row's; the traced rows' 130 is theirs
    assert peak_rss_per_worker([row("ours", 1, rss=None), row("floor", 1)]) is None


def test_the_scale_target_reads_bench_scales_last_report(tmp_path: Path) -> None:
    path = tmp_path / "bench-scale.json"
    assert scale_ratio_on_record(path) == (None, "not measured by this run: make bench-scale")

    path.write_text(json.dumps({"scale_ratio": 1.003, "sizes": [1000, 1000000]}))
    value, source = scale_ratio_on_record(path)

    assert value == 1.003
    assert source.startswith("make bench-scale's last run: bench-scale.json of ")  # and when: it may be stale
    assert source.endswith(", 1,000 vs 1,000,000 sessions")


@pytest.mark.parametrize(
    ("setting", "tracing"),
    [(None, ["sqlite"]), ("none", []), ("sqlite,postgresql", ["sqlite", "postgresql"]), ("pgbouncer", ["pgbouncer"])],
)
def test_bench_tracing_names_the_backends_of_the_traced_rows(
    monkeypatch: pytest.MonkeyPatch, setting: str | None, tracing: list[str]
) -> None:
    for name in ("BENCH_TRACING", "BENCH_SERVERS", "BENCH_PG_URL"):
        monkeypatch.delenv(name, raising=False)
    if setting is not None:
        monkeypatch.setenv("BENCH_TRACING", setting)

    config = Config.from_env()

    assert config.tracing == tracing
    assert config.servers == UNTRACED == ["ours", "fastapi", "fastapi_otel_off", "floor"]


@pytest.mark.parametrize(("name", "value"), [("BENCH_TRACING", "mysql"), ("BENCH_SERVERS", "ours_trace_1pct")])
def test_the_traced_rows_are_chosen_by_bench_tracing_only(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(SystemExit, match=name):
        Config.from_env()


def test_no_server_inherits_the_callers_otel_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """`ours` and the peers run with tracing off whatever the shell exports; only the traced rows turn it on."""
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "console")
    monkeypatch.setenv("OTEL_SDK_DISABLED", "false")
    secret = "s" * 48
    backend = Backend("sqlite", "sqlite:///bench.db", bench_settings("sqlite:///bench.db", secret))

    env = server_env(backend, secret)

    assert not [name for name in env if name.startswith("OTEL_")]
    assert env["DATABASE_URL"] == "sqlite:///bench.db"
