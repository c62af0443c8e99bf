"""OpenTelemetry tracing (docs/tracing.md), in process with an in-memory exporter: what a span records and
what it never does, the caller's trace continued, SQL child spans without parameters, and nothing at all
when tracing is off. Over OTLP/HTTP against a real server: tests/web/test_tracing_export.py."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from collections.abc import AsyncIterator, MutableMapping, Sequence
from typing import Any

import httpx
import pytest
from connexion import ConnexionMiddleware
from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF
from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, StatusCode, TraceFlags, set_span_in_context
from sqlalchemy import create_engine, text

from global_chat.app import create_app
from global_chat.sessions.service import GlobalChatService
from global_chat.settings import Settings
from global_chat.web import tracing
from tests.fixtures.accounts import Accounts
from tests.fixtures.app import client_of, in_process

pytestmark = pytest.mark.anyio  # backends: tests/fixtures/app.py
CHAT = "/v1/sessions/chat"
TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
PARENT_ID = "b7ad6b7169203331"
NOT_SAMPLED = set_span_in_context(
    NonRecordingSpan(SpanContext(int(TRACE_ID, 16), int(PARENT_ID, 16), is_remote=True, trace_flags=TraceFlags(0)))
)
TRACEPARENT = f"00-{TRACE_ID}-{PARENT_ID}-01"
OTEL_VARIABLES = (
    "OTEL_SDK_DISABLED",
    "OTEL_TRACES_EXPORTER",
    "OTEL_TRACES_SAMPLER",
    "OTEL_TRACES_SAMPLER_ARG",
    "OTEL_SERVICE_NAME",
    "OTEL_RESOURCE_ATTRIBUTES",
    "OTEL_EXPORTER_OTLP_PROTOCOL",
    "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
)


@pytest.fixture(autouse=True)
def no_otel_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in OTEL_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def exporter(monkeypatch: pytest.MonkeyPatch) -> InMemorySpanExporter:
    """Tracing on, as OTEL_TRACES_EXPORTER would turn it on, but into memory, synchronously."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(tracing, "tracer_provider_from_environment", lambda: provider)
    return exporter


@pytest.fixture
async def traced_client(exporter: InMemorySpanExporter, keys_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with in_process(keys_settings) as app, client_of(app) as client:
        yield client


def server_spans(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    return [span for span in exporter.get_finished_spans() if span.kind is SpanKind.SERVER]


def sql_spans(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    return [span for span in exporter.get_finished_spans() if span.kind is SpanKind.CLIENT]


def recorded_text(spans: Sequence[ReadableSpan]) -> str:
    """Everything the spans would export, as text: names, attributes, events."""
    parts: list[str] = []
    for span in spans:
        parts.append(span.name)
        parts.extend(f"{key}={value!r}" for key, value in (span.attributes or {}).items())
        for event in span.events:
            parts.extend(f"{key}={value!r}" for key, value in (event.attributes or {}).items())
    return "\n".join(parts)


async def test_a_request_is_one_server_span_named_by_its_operation(
    traced_client: httpx.AsyncClient, exporter: InMemorySpanExporter, accounts: Accounts
) -> None:
    caller = await accounts.caller()
    exporter.clear()

    response = await traced_client.post(
        CHAT,
        headers={**caller.key_headers(), "traceparent": TRACEPARENT, "X-Private": "header-secret-9"},
    )

    assert response.status_code == 200
    (span,) = server_spans(exporter)
    assert span.name == "get_or_create_chat_session"
    assert dict(span.attributes or {}) == {
        "http.request.method": "POST",
        "url.scheme": "http",
        "http.route": "/v1/sessions/chat",
        "http.response.status_code": 200,
        "global_chat.request_id": response.headers["X-Request-Id"],
    }
    assert span.status.status_code is StatusCode.UNSET
    # the caller's trace continued: same trace id, the caller's span as parent
    assert format(span.context.trace_id, "032x") == TRACE_ID
    assert span.parent is not None
    assert format(span.parent.span_id, "016x") == PARENT_ID
    assert span.parent.is_remote
    recorded = recorded_text(exporter.get_finished_spans())
    for secret in ("header-secret-9", caller.api_key, caller.api_key[14:]):
        assert secret not in recorded


async def test_sql_statements_are_child_spans_without_their_parameters(
    traced_client: httpx.AsyncClient, exporter: InMemorySpanExporter, accounts: Accounts
) -> None:
    caller = await accounts.caller()
    exporter.clear()

    response = await traced_client.post(CHAT, headers=caller.bearer_headers())

    assert response.status_code == 200
    (server,) = server_spans(exporter)
    statements = sql_spans(exporter)
    assert statements, "no SQL span"
    for span in statements:
        assert span.parent is not None
        assert span.parent.span_id == server.context.span_id
        assert span.context.trace_id == server.context.trace_id
        assert "db.statement" in (span.attributes or {})
    texts = [str((span.attributes or {})["db.statement"]) for span in statements]
    assert any("INSERT" in statement for statement in texts)  # the session created, by a bound statement
    recorded = recorded_text(exporter.get_finished_spans())
    # the values the statements were given: the new session's id, the caller's ids, the token
    for value in (response.json()["id"], str(caller.user_id), str(caller.organization_id), caller.org, caller.token):
        assert value not in recorded
    assert "traceparent" not in "\n".join(texts)  # no SQL commenter: statement texts stay cacheable


async def test_unmatched_and_probe_requests_are_named_without_a_route_they_lack(
    traced_client: httpx.AsyncClient, exporter: InMemorySpanExporter
) -> None:
    missing = await traced_client.get("/v1/nowhere/abc?token=query-secret-7")
    alive = await traced_client.get("/healthz")

    assert (missing.status_code, alive.status_code) == (404, 200)
    unmatched, probe = server_spans(exporter)
    assert unmatched.name == "GET"
    assert "http.route" not in (unmatched.attributes or {})
    assert (unmatched.attributes or {})["http.response.status_code"] == 404
    assert unmatched.status.status_code is StatusCode.UNSET  # a client's error is not the server span's
    assert (probe.name, (probe.attributes or {})["http.route"]) == ("healthz", "/healthz")
    recorded = recorded_text(exporter.get_finished_spans())
    assert "query-secret-7" not in recorded
    assert "nowhere" not in recorded  # the path as sent is the access log's (found by the request id)


async def test_a_refused_credential_is_a_401_span_without_the_credential(
    traced_client: httpx.AsyncClient, exporter: InMemorySpanExporter
) -> None:
    response = await traced_client.post(CHAT, headers={"Authorization": "Bearer not-a-token-5"})

    assert response.status_code == 401
    (span,) = server_spans(exporter)
    assert (span.name, (span.attributes or {})["http.response.status_code"]) == ("get_or_create_chat_session", 401)
    assert span.status.status_code is StatusCode.UNSET
    assert "not-a-token-5" not in recorded_text(exporter.get_finished_spans())


async def test_an_unhandled_exception_makes_an_error_span(
    exporter: InMemorySpanExporter, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(GlobalChatService, "get_or_create", broken)
    async with in_process(settings) as app, client_of(app) as client:
        response = await client.post(CHAT)

    assert response.status_code == 500
    (span,) = server_spans(exporter)
    assert span.name == "get_or_create_chat_session"
    assert (span.attributes or {})["http.response.status_code"] == 500
    assert span.status.status_code is StatusCode.ERROR


def test_off_by_default_adds_nothing_to_the_stack(settings: Settings) -> None:
    app: ConnexionMiddleware = create_app(settings)

    assert all(getattr(m, "func", m) is not tracing.TracingMiddleware for m in app.middlewares)


def test_off_by_default_never_imports_the_sdk(settings: Settings) -> None:
    """In a fresh interpreter: the app built and a request served without tracing loads no OpenTelemetry."""
    program = (
        "import sys, httpx, anyio\n"
        "from global_chat.app import create_app\n"
        "from global_chat.settings import Settings\n"
        f"app = create_app(Settings(_env_file=None, database_url={settings.database_url!r}))\n"
        "async def call():\n"
        "    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url='http://t') as c:\n"
        "        assert (await c.get('/healthz')).status_code == 200\n"
        "anyio.run(call)\n"
        "print(sorted(m for m in sys.modules if m.startswith('opentelemetry')))\n"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("OTEL_")}
    result = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"


@pytest.mark.parametrize(
    ("variables", "enabled"),
    [
        ({}, False),
        ({"OTEL_TRACES_EXPORTER": "none"}, False),
        ({"OTEL_TRACES_EXPORTER": "console", "OTEL_SDK_DISABLED": "true"}, False),
        ({"OTEL_TRACES_EXPORTER": "console"}, True),
        ({"OTEL_TRACES_EXPORTER": "otlp"}, True),
    ],
)
def test_the_environment_turns_tracing_on(
    variables: dict[str, str], enabled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)

    assert tracing.tracing_enabled() is enabled
    assert (tracing.tracer_provider_from_environment() is not None) is enabled


def test_the_sdk_reads_the_sampler_and_the_service_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "console")
    default = tracing.tracer_provider_from_environment()
    monkeypatch.setenv("OTEL_TRACES_SAMPLER", "parentbased_traceidratio")
    monkeypatch.setenv("OTEL_TRACES_SAMPLER_ARG", "0.01")
    monkeypatch.setenv("OTEL_SERVICE_NAME", "chat-eu-1")
    configured = tracing.tracer_provider_from_environment()

    assert default is not None and configured is not None
    assert default.resource.attributes["service.name"] == "global-chat"
    assert configured.resource.attributes["service.name"] == "chat-eu-1"
    assert "0.01" in configured.sampler.get_description()
    assert configured.sampler.get_description().startswith("ParentBased")


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"OTEL_TRACES_EXPORTER": "jaeger"}, "unknown exporter 'jaeger'"),
        ({"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, "http/protobuf only"),
        ({"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "grpc"}, "http/protobuf only"),
    ],
)
def test_a_wrong_setting_is_a_clear_error(
    variables: dict[str, str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)

    problem = tracing.check_environment()
    assert problem is not None
    assert message in problem


def test_an_engine_is_instrumented_once() -> None:
    """What instrument_engine relies on in opentelemetry-instrumentation-sqlalchemy's EngineTracer (not its
    documented instrumentor): its constructor's parameters and the methods overridden; one span per statement
    however often asked, only under a span being recorded, and no listener of the pool's events (they feed
    only its connection-usage metric)."""
    assert "_before_cur_exec" in vars(EngineTracer)
    assert isinstance(vars(EngineTracer)["_register_event_listener"], classmethod)
    assert list(inspect.signature(EngineTracer._register_event_listener).parameters)[:3] == [
        "target",
        "identifier",
        "func",
    ]
    assert list(inspect.signature(EngineTracer).parameters)[:4] == [
        "tracer",
        "engine",
        "connections_usage",
        "enable_commenter",
    ]
    exporter = InMemorySpanExporter()
    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    engine = create_engine("sqlite://")
    pool_listeners = {name: len(getattr(engine.pool.dispatch, name)) for name in tracing.POOL_EVENTS}
    tracing.instrument_engine(engine, provider)
    tracing.instrument_engine(engine, provider)

    assert {name: len(getattr(engine.pool.dispatch, name)) for name in tracing.POOL_EVENTS} == pool_listeners
    assert (len(engine.dispatch.before_cursor_execute), len(engine.dispatch.after_cursor_execute)) == (1, 1)

    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))  # outside any span: no trace of its own
        with provider.get_tracer(__name__).start_as_current_span("request") as request:
            connection.execute(text("SELECT :secret"), {"secret": "parameter-value-3"})
        with provider.get_tracer(__name__).start_as_current_span("sampled out", context=NOT_SAMPLED):
            connection.execute(text("SELECT 2"))

    span, parent = exporter.get_finished_spans()  # the statement's, then the request's: nothing else
    assert parent.name == "request"
    assert span.parent is not None and span.parent.span_id == request.get_span_context().span_id
    assert (span.attributes or {})["db.statement"] == "SELECT ?"
    assert "parameter-value-3" not in recorded_text([span])


async def test_a_request_sampled_out_records_nothing_even_inside_a_recorded_span() -> None:
    """Sampled out, a request records no span of its own and no SQL span, also when it runs inside a span being
    recorded (an MCP tool call's request runs inside the exchange's): its statements are not put under that one."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    engine = create_engine("sqlite://")
    tracing.instrument_engine(engine, provider)
    answered: list[int] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        await send({"type": "http.response.start", "status": 204, "headers": []})

    async def send(message: MutableMapping[str, Any]) -> None:
        answered.append(message["status"])

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    sampled_out = TracerProvider(sampler=ALWAYS_OFF, shutdown_on_exit=False).get_tracer(__name__)
    middleware = tracing.TracingMiddleware(app, tracer=sampled_out)
    scope = {"type": "http", "method": "GET", "path": "/v1/x", "headers": []}

    await middleware(scope, receive, send)
    with provider.get_tracer(__name__).start_as_current_span("exchange"):
        await middleware(scope, receive, send)

    assert answered == [204, 204]
    assert [span.name for span in exporter.get_finished_spans()] == ["exchange"]


def test_the_header_getter_reads_raw_asgi_headers() -> None:
    headers = [(b"traceparent", TRACEPARENT.encode()), (b"TraceState", b"a=1"), (b"x", b"y")]
    getter = tracing._HeaderGetter()

    assert getter.get(headers, "traceparent") == [TRACEPARENT]
    assert getter.get(headers, "tracestate") == ["a=1"]
    assert getter.get(headers, "baggage") is None
    assert getter.keys(headers) == ["traceparent", "TraceState", "x"]


async def test_the_spans_still_queued_are_exported_before_the_app_reports_its_shutdown() -> None:
    """What a worker holds when it stops leaves as the lifespan ends, before the server is told so (a uvicorn
    worker then dies of SIGTERM without running exit hooks): over OTLP in tests/web/test_tracing_export.py."""
    events: list[str] = []

    async def lifespan_app(scope: Any, receive: Any, send: Any) -> None:
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})

    middleware = tracing.TracingMiddleware(
        lifespan_app,
        tracer=TracerProvider(shutdown_on_exit=False).get_tracer(__name__),
        shutdown=lambda: events.append("exported"),
    )
    incoming = [{"type": "lifespan.shutdown"}, {"type": "lifespan.startup"}]

    async def receive() -> dict[str, Any]:
        return incoming.pop()

    async def send(message: MutableMapping[str, Any]) -> None:
        events.append(message["type"])

    await middleware({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send)

    assert events == ["lifespan.startup.complete", "exported", "lifespan.shutdown.complete"]
