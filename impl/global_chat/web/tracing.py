"""OpenTelemetry tracing, opt-in through the standard OTEL_* environment variables (docs/tracing.md).

Off unless OTEL_TRACES_EXPORTER names an exporter (and OTEL_SDK_DISABLED is not true): then, and only
then, this module imports the SDK, and `install_tracing` adds one middleware and instruments the database
engines. When off it adds nothing, so a request runs no tracing code at all.

On: one server span per request, named by the operationId Connexion's routing matched, with the method,
the route template (the contract's, never the path as sent), the status and the request id; the caller's
`traceparent` continued; a child span per SQL statement (its text, never its parameters). Never the query
string, the headers or the credentials.

The SDK configures itself from the environment where it can: the sampler (OTEL_TRACES_SAMPLER,
OTEL_TRACES_SAMPLER_ARG) in TracerProvider, the resource (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES)
in Resource.create, the endpoint, headers, timeout and compression (OTEL_EXPORTER_OTLP_*) in the OTLP
exporter, the batching (OTEL_BSP_*) in BatchSpanProcessor, the propagators (OTEL_PROPAGATORS) in the API.
Only the exporter's name is read here: the SDK's own reader of OTEL_TRACES_EXPORTER is private
(opentelemetry.sdk._configuration), so its entry-point lookup is repeated, by the same names.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable, Iterable
from functools import cache
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, cast

import anyio.to_thread
from connexion import ConnexionMiddleware
from connexion.middleware import MiddlewarePosition
from connexion.middleware.routing import ROUTING_CONTEXT
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from global_chat.settings import SettingsError
from global_chat.storage.database import Database
from global_chat.web.probes import PROBES
from global_chat.web.request_id import current_request_id
from global_chat_generated.operations import BASE_PATH, OPERATIONS

if TYPE_CHECKING:
    from opentelemetry.propagators.textmap import Getter
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.trace import Span, Tracer
    from sqlalchemy.engine import Engine

SERVICE_NAME = "global-chat"
EXPORTER_GROUP = "opentelemetry_traces_exporter"
OTLP_PROTOCOL = "http/protobuf"
"""The one OTLP transport shipped (opentelemetry-exporter-otlp-proto-http): no gRPC stack to install."""
REQUEST_ID_ATTRIBUTE = "global_chat.request_id"

ROUTES: dict[str, str] = {operation_id: BASE_PATH + op.path for operation_id, op in OPERATIONS.items()}
"""operationId -> the contract's route template (what http.route records)."""


def _environment(name: str) -> str:
    return os.environ.get(name, "").strip()


def exporter_names() -> list[str]:
    """The exporters OTEL_TRACES_EXPORTER names; none (tracing off) when it is unset, `none`, or the SDK
    is disabled. Off by default, unlike the specification's default (`otlp`): a service that starts
    sending spans to localhost:4318 because nothing was configured would surprise its operator."""
    if _environment("OTEL_SDK_DISABLED").lower() == "true":
        return []
    names = [name.strip() for name in _environment("OTEL_TRACES_EXPORTER").split(",") if name.strip()]
    return [] if names in ([], ["none"]) else names


def tracing_enabled() -> bool:
    return bool(exporter_names())


def _exporter(name: str) -> Any:
    """One exporter by its OTEL_TRACES_EXPORTER name, from the entry points the SDK itself reads."""
    if name == "otlp":
        protocol = _environment("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or _environment("OTEL_EXPORTER_OTLP_PROTOCOL")
        if protocol not in ("", OTLP_PROTOCOL):
            raise SettingsError(
                f"OTEL_EXPORTER_OTLP_PROTOCOL={protocol!r} is not supported: this service exports OTLP over "
                f"{OTLP_PROTOCOL} only (unset it, or set it to {OTLP_PROTOCOL})"
            )
        name = "otlp_proto_http"
    found = entry_points(group=EXPORTER_GROUP, name=name)
    if not found:
        known = sorted({"otlp", *(entry.name for entry in entry_points(group=EXPORTER_GROUP))})
        raise SettingsError(f"OTEL_TRACES_EXPORTER names an unknown exporter {name!r} (known: {', '.join(known)})")
    return next(iter(found)).load()()


def check_environment() -> str | None:
    """What is wrong with the OTEL_* tracing settings, or None: for `global-chat serve` to refuse to
    start with a clear line rather than fail in each worker."""
    try:
        for name in exporter_names():
            _exporter(name).shutdown()
    except SettingsError as exc:
        return str(exc)
    return None


def tracer_provider_from_environment() -> TracerProvider | None:
    """The SDK's tracer provider as OTEL_* configures it, exporting in batches; None when tracing is off."""
    names = exporter_names()
    if not names:
        return None
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    from global_chat import __version__

    resource = Resource.create({"service.version": __version__})
    if str(resource.attributes.get("service.name", "")).startswith("unknown_service"):
        resource = resource.merge(Resource({"service.name": SERVICE_NAME}))
    provider = TracerProvider(resource=resource)  # reads OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG
    for name in names:
        provider.add_span_processor(BatchSpanProcessor(_exporter(name)))
    return provider


def install_tracing(app: ConnexionMiddleware, database: Database, provider: TracerProvider | None = None) -> None:
    """When tracing is on (`provider`, else the environment's): the server-span middleware, placed with
    Connexion's API just inside its ServerErrorMiddleware (so error answers are traced, with their status),
    and the SQL spans of the database's engines. When off: nothing."""
    provider = provider or tracer_provider_from_environment()
    if provider is None:
        return
    tracer = provider.get_tracer(__name__)
    app.add_middleware(
        TracingMiddleware, position=MiddlewarePosition.BEFORE_EXCEPTION, tracer=tracer, shutdown=provider.shutdown
    )
    for engine in database.sync_engines():
        instrument_engine(engine, provider)


_INSTRUMENTED: weakref.WeakSet[Engine] = weakref.WeakSet()


def instrument_engine(engine: Engine, provider: TracerProvider) -> None:
    """SQL spans for one (synchronous) engine, once: an async engine's `sync_engine` is where its
    statements run. Not SQLAlchemyInstrumentor().instrument(): it also patches create_engine,
    create_async_engine and Engine.connect process-wide (every engine made later, a second app's
    included, would be traced by the first provider, and the engines it was asked for twice). Its
    EngineTracer is the per-engine part alone; tests/web/test_tracing.py pins what is used of it.
    The SQL commenter stays off: a comment holding the trace id makes every statement's text unique,
    which defeats asyncpg's prepared-statement cache."""
    if engine in _INSTRUMENTED:
        return
    from opentelemetry.metrics import NoOpMeter

    from global_chat import __version__

    # the connection-usage counter it keeps is a metric: this service's metrics are Prometheus's (/metrics)
    usage = NoOpMeter("global_chat").create_up_down_counter("db.client.connections.usage")
    tracer = provider.get_tracer("global_chat.database", __version__)
    _child_statement_tracer()(tracer, engine, usage, enable_commenter=False)
    _INSTRUMENTED.add(engine)


POOL_EVENTS = frozenset({"connect", "close", "checkin", "checkout"})
"""The pool's events, which EngineTracer listens to only to count connections in use on its metric."""


@cache
def _child_statement_tracer() -> Any:
    """EngineTracer that makes a statement's span only under a span being recorded (a sampled request's):
    a request sampled out skips the instrumentation's per-statement work (reading the URL and the cursor,
    the span name's regex, a span started and ended), and a statement outside any request would not
    start a trace of its own. Overrides its `_before_cur_exec`, the listener it registers for
    before_cursor_execute, and its `_register_event_listener`, to leave out its listeners of the pool's
    events (POOL_EVENTS): they feed only the connection-usage metric, a no-op here, and cost a listener
    call per connection checked out and in, every request's (both pinned by tests/web/test_tracing.py)."""
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
    from opentelemetry.trace import get_current_span

    class ChildStatementTracer(EngineTracer):
        def _before_cur_exec(self, conn: Any, cursor: Any, statement: Any, params: Any, *args: Any) -> Any:
            if not get_current_span().is_recording():
                return statement, params
            return super()._before_cur_exec(conn, cursor, statement, params, *args)  # type: ignore[no-untyped-call]

        @classmethod
        def _register_event_listener(cls, target: Any, identifier: str, func: Any, *args: Any, **kw: Any) -> None:
            if identifier not in POOL_EVENTS:
                super()._register_event_listener(target, identifier, func, *args, **kw)  # type: ignore[no-untyped-call]

    return ChildStatementTracer


class _HeaderGetter:
    """The propagators' view of an ASGI scope's raw headers (only what they ask for is decoded)."""

    def get(self, carrier: Iterable[tuple[bytes, bytes]], key: str) -> list[str] | None:
        wanted = key.lower().encode("latin-1")
        values = [value.decode("latin-1") for name, value in carrier if name.lower() == wanted]
        return values or None

    def keys(self, carrier: Iterable[tuple[bytes, bytes]]) -> list[str]:
        return [name.decode("latin-1") for name, _ in carrier]


def _span_name_and_route(method: str, path: str, extensions: dict[str, Any]) -> tuple[str, str | None]:
    operation = extensions.get(ROUTING_CONTEXT, {}).get("operation_id")
    if operation:
        return operation, ROUTES.get(operation)
    if path in PROBES:
        return PROBES[path], path
    return method, None  # unmatched: the semantic conventions' name for a span without a route


class TracingMiddleware:
    """One SERVER span per HTTP request (ASGI), the caller's trace context continued.

    Written here rather than opentelemetry-instrumentation-asgi's OpenTelemetryMiddleware: that one
    records the full URL with its query string (`url.query`, `http.target`), the client's address and
    user agent, names the span before routing (so not by operation), and adds a span per `send` and
    `receive` message.

    It also sees the app's lifespan go by, and runs `shutdown` (the provider's: export what the batch
    processor still holds) before the server is told the app has shut down. The SDK's own exit hook is not
    enough: a uvicorn worker stops by raising SIGTERM again once it has shut down, and dies of it before any
    exit hook runs (`global-chat serve` makes that a clean exit in its own process, but not in the workers it
    spawns with `--workers N`)."""

    def __init__(self, app: ASGIApp, *, tracer: Tracer, shutdown: Callable[[], object] | None = None) -> None:
        from opentelemetry import propagate, trace
        from opentelemetry.trace import SpanKind, Status, StatusCode

        self.app = app
        self.tracer = tracer
        self._shutdown = shutdown
        self._extract = propagate.extract
        self._use_span = trace.use_span
        self._current_span = trace.get_current_span
        self._server = SpanKind.SERVER
        self._error = Status(StatusCode.ERROR)
        # the propagators' Getter interface, by duck typing: subclassing it would import the API with this module
        self._getter = cast("Getter[Iterable[tuple[bytes, bytes]]]", _HeaderGetter())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan" and self._shutdown is not None:
                send = self._exporting_before_shutdown(send, self._shutdown)
            await self.app(scope, receive, send)
            return
        parent = self._extract(scope["headers"], getter=self._getter)
        span = self.tracer.start_span(scope["method"], context=parent, kind=self._server)
        if not span.is_recording():
            await self._sampled_out(span, scope, receive, send)
            return
        extensions = scope.setdefault("extensions", {})  # Connexion's routing writes the operation here
        status = 500  # what the client gets if the app fails before it starts a response

        async def send_and_observe(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        with self._use_span(span, end_on_exit=True, record_exception=True, set_status_on_exception=True):
            try:
                await self.app(scope, receive, send_and_observe)
            finally:
                if span.is_recording():
                    self._describe(span, scope, extensions, status)

    async def _sampled_out(self, span: Span, scope: Scope, receive: Receive, send: Send) -> None:
        """A request the sampler left out: nothing to describe, end or export, so no `send` wrapper. Its
        (non-recording) span is made current only where that changes something: under a span being recorded
        (an MCP tool call's request runs inside the exchange's), it keeps the request's statements out of it."""
        if not self._current_span().is_recording():
            await self.app(scope, receive, send)
            return
        with self._use_span(span, end_on_exit=True):
            await self.app(scope, receive, send)

    @staticmethod
    def _exporting_before_shutdown(send: Send, shutdown: Callable[[], object]) -> Send:
        async def send_after_export(message: Message) -> None:
            if message["type"] in ("lifespan.shutdown.complete", "lifespan.shutdown.failed"):
                await anyio.to_thread.run_sync(shutdown)  # blocking: it joins the exporter's thread
            await send(message)

        return send_after_export

    def _describe(self, span: Span, scope: Scope, extensions: dict[str, Any], status: int) -> None:
        method = scope["method"]
        name, route = _span_name_and_route(method, scope["path"], extensions)
        span.update_name(name)
        span.set_attribute("http.request.method", method)
        span.set_attribute("url.scheme", scope.get("scheme", "http"))
        span.set_attribute("http.response.status_code", status)
        if route is not None:
            span.set_attribute("http.route", route)
        request_id = current_request_id()
        if request_id is not None:
            span.set_attribute(REQUEST_ID_ATTRIBUTE, request_id)
        if status >= 500:  # a server span's 4xx is the client's error, not the span's
            span.set_status(self._error)
