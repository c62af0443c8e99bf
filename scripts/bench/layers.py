"""`make bench-layers`: what each layer of the stack costs per hot request, three ways, in about a minute.

    .venv/bin/python scripts/bench/layers.py [--rounds N] [--requests N] [--profile-seconds S]
                                             [--load-seconds S] [--no-profile] [--no-load] [--docs]

The layers are read from the app `create_app()` builds (ConnexionMiddleware's `middlewares`, and the chain
it builds from them), never from a list of names here, so the table follows the stack as it changes.

1. Pass-through A/B, in process: the hot request (POST /v1/sessions/chat with an API key, the session
   exists) and the 401 (no credentials) are timed (CPU time of the thread) on the full stack and on one
   copy of the app per layer with that layer replaced by a pass-through (an ASGI app that only calls the
   next one), all on one database, in many short alternating rounds (the order rotates each round), so
   that drift and the bursts of other processes fall on every variant alike. A layer's cost is full -
   without: best round against best round, and per round (median and interquartile range across the
   rounds). Every request's status is checked; a layer whose pass-through changes the answer (routing,
   credentials, the errors' layer for the 401) is needed for the answer and gets no A/B figure: the table
   says which status it turns into, and the next column measures it another way.
2. py-spy, in process: the same hot request in a loop, in a child process run under `py-spy record`
   (no ptrace attach needed), its samples charged to the layer or the module of ours each was in
   (scripts/bench/stacks.py says how): "own" time per request, for every layer and for the parts below
   the middleware (the generated endpoint's parameter reading and response rendering, the body check,
   the handler, the service, the repository and its SQL, the ETag, ...).
3. py-spy under load: the server as `make bench` runs it (one uvicorn worker on BENCH_SERVER_CPU, SQLite),
   wrk on BENCH_WRK_CPU against 127.0.0.1 for --load-seconds, py-spy attached to the server meanwhile:
   each layer's share of the server's busy samples, and the CPU time per request that share stands for.

Prints the table (Markdown) and writes it to reports/layers.md; `--docs` also replaces the table in
docs/performance.md ("What each layer costs"). Progress goes to stderr. Only this machine is ever a
target: the server binds 127.0.0.1, and --database-url must be SQLite or a PostgreSQL on the loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a file (python scripts/bench/layers.py) rather than a module
    sys.path.insert(0, str(ROOT))

import warnings  # noqa: E402

warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

from connexion import ConnexionMiddleware  # noqa: E402
from starlette.types import ASGIApp, Receive, Scope, Send  # noqa: E402

from scripts.bench.config import HOST, LOOPBACK, REPORTS, Config, progress  # noqa: E402
from scripts.bench.stacks import OUTSIDE, Attribution, LayerCode, attribute, code_of, is_own, parse_raw  # noqa: E402
from scripts.bench.wire import BODY, CHAT_PATH  # noqa: E402

DOCS = ROOT / "docs" / "performance.md"
BEGIN = "<!-- bench-layers: begin (scripts/bench/layers.py --docs writes what is between these lines) -->"
END = "<!-- bench-layers: end -->"
HARNESS = {"__main__", "scripts.bench.layers"}
PROFILE_RATE = 500
LOAD_RATE = 250
SMALL = 0.01
"""Modules of ours under this share of the samples (in process and under load) share one row."""


# --- the layers, read from the app -----------------------------------------------------------------


@dataclass(frozen=True)
class Layer:
    """One entry of ConnexionMiddleware's `middlewares`: `index` in that list (0 is the outermost)."""

    index: int
    name: str
    entry: Any

    @property
    def target(self) -> Any:
        """The class or function the entry calls (a partial's)."""
        return target_of(self.entry)

    @property
    def module(self) -> str:
        return str(getattr(self.target, "__module__", "?"))


def target_of(entry: Any) -> Any:
    while isinstance(entry, partial):
        entry = entry.func
    return entry


def discover_layers(app: ConnexionMiddleware) -> list[Layer]:
    """Every middleware of the app, outermost first, named by its class or factory (a name that occurs twice
    gets `#2`)."""
    if not isinstance(app, ConnexionMiddleware):
        raise TypeError(f"expected the ConnexionMiddleware create_app() builds, got {type(app).__name__}")
    seen: Counter[str] = Counter()
    layers = []
    for index, entry in enumerate(app.middlewares):
        base = getattr(target_of(entry), "__name__", type(entry).__name__)
        seen[base] += 1
        layers.append(Layer(index, base if seen[base] == 1 else f"{base} #{seen[base]}", entry))
    return layers


class PassThrough:
    """The stand-in for a layer: calls the next app with the same scope, receive and send, nothing else."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


def without(app: ConnexionMiddleware, layer: Layer) -> ConnexionMiddleware:
    """`app` (not yet started) with `layer` replaced by a PassThrough."""
    if app.middleware_stack is not None:
        raise RuntimeError("the app has started: its middleware chain is built and can no longer change")
    if target_of(app.middlewares[layer.index]) is not layer.target:
        raise RuntimeError(f"{layer.name} is not at position {layer.index} of this app's middlewares")
    app.middlewares[layer.index] = PassThrough
    return app


def built_chain(app: ConnexionMiddleware) -> list[Any]:
    """The app's middleware instances as built, outermost first, then the wrapped app (after one request)."""
    if app.middleware_stack is None:
        raise RuntimeError("the app has not served a request yet: its chain is not built")
    return list(app.middleware_stack)


# --- requests in process ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    name: str
    headers: list[tuple[bytes, bytes]]
    expected: int


def probes(api_key: str) -> list[Probe]:
    json = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]
    return [Probe("hot", [(b"authorization", api_key.encode()), *json], 200), Probe("401", json, 401)]


def request_scope(headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": CHAT_PATH, "raw_path": CHAT_PATH.encode(), "root_path": "", "query_string": b"",
        "headers": headers, "client": (HOST, 1), "server": (HOST, 80), "state": {},
    }  # fmt: skip


async def call(app: ASGIApp, headers: list[tuple[bytes, bytes]]) -> int:
    """One request; its status (0 when the app answered nothing)."""
    messages = [{"type": "http.request", "body": BODY, "more_body": False}]

    async def receive() -> Any:
        return messages.pop() if messages else {"type": "http.disconnect"}

    status = 0

    async def send(message: Any) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(request_scope(headers), receive, send)
    return status


async def timed(app: ASGIApp, probe: Probe, requests: int) -> tuple[float, Counter[int]]:
    """CPU µs per request over `requests` sequential requests, and the statuses they got. CPU time of this
    thread (everything runs in it: SQLite's reads too), so that time the machine gives other processes is
    not counted, as wall-clock time would count it."""
    statuses: Counter[int] = Counter()
    started = time.thread_time_ns()
    for _ in range(requests):
        statuses[await call(app, probe.headers)] += 1
    return (time.thread_time_ns() - started) / requests / 1000, statuses


# --- 1. pass-through A/B ---------------------------------------------------------------------------

FULL = "full stack"


@dataclass
class Variant:
    name: str
    app: ConnexionMiddleware
    runs: dict[str, list[float]] = field(default_factory=dict)
    broken: dict[str, str] = field(default_factory=dict)
    """probe -> what the answer turned into (the layer is needed for it)."""


async def first_answer(variant: Variant, probe: Probe) -> None:
    try:
        status = await call(variant.app, probe.headers)
    except Exception as error:  # a layer the rest cannot do without may make the app raise
        variant.broken[probe.name] = f"raises {type(error).__name__}"
        return
    if status != probe.expected:
        variant.broken[probe.name] = f"{probe.expected} → {status or 'no answer'}"


async def pass_through_rounds(variants: list[Variant], checks: list[Probe], *, rounds: int, requests: int) -> None:
    """Time every variant's answers, in rounds; the order rotates (and turns around) from round to round."""
    # Without a layer it needs, the app fails its own way: it logs an error, or Connexion's ServerErrorMiddleware
    # leaves a coroutine unawaited (it expects the ExceptionMiddleware below it). Neither is this run's output.
    logging.disable(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            for variant in variants:
                for probe in checks:
                    await first_answer(variant, probe)
            gc.collect()  # what was left unawaited goes now, its warning ignored
    finally:
        logging.disable(logging.NOTSET)
    if variants[0].broken:
        raise RuntimeError(f"the full stack does not answer as expected: {variants[0].broken}")
    gc.collect()
    gc.freeze()  # as the app's lifespan does after start-up
    try:
        await timed_rounds(variants, checks, rounds=rounds, requests=requests)
    finally:
        gc.unfreeze()


async def timed_rounds(variants: list[Variant], checks: list[Probe], *, rounds: int, requests: int) -> None:
    for round_number in range(rounds):
        shift = round_number % len(variants)
        order = variants[shift:] + variants[:shift]
        if round_number % 2:
            order.reverse()
        for variant in order:
            for probe in checks:
                if probe.name in variant.broken:
                    continue
                micros, statuses = await timed(variant.app, probe, requests)
                if set(statuses) != {probe.expected}:
                    variant.broken[probe.name] = f"{probe.expected} → {dict(statuses)}"
                    variant.runs.pop(probe.name, None)
                    continue
                variant.runs.setdefault(probe.name, []).append(micros)
        if variants[0].broken:
            raise RuntimeError(f"the full stack does not answer as expected: {variants[0].broken}")
        if (round_number + 1) % 20 == 0 or round_number + 1 == rounds:
            first = checks[0].name
            best = min(variants[0].runs[first])
            progress(f"round {round_number + 1}/{rounds}: full stack, {first}: best {best:.0f} µs of CPU so far")


@dataclass(frozen=True)
class Saving:
    """µs per request saved without a layer: best round against best round (the runs least disturbed by
    anything else on the machine), and the median and interquartile range of the per-round differences."""

    best: float
    median: float
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.best:.1f} (per round: {self.median:.1f} [{self.low:.1f} to {self.high:.1f}])"


def saving(full: Sequence[float], without_it: Sequence[float]) -> Saving | None:
    """full - without; None when the variant was not timed in every round."""
    if len(full) != len(without_it) or len(full) < 2:
        return None
    differences = [a - b for a, b in zip(full, without_it, strict=True)]
    low, _, high = statistics.quantiles(differences, n=4, method="inclusive")
    return Saving(min(full) - min(without_it), statistics.median(differences), low, high)


# --- 2. and 3. py-spy ------------------------------------------------------------------------------


def py_spy() -> str:
    program = Path(sys.executable).parent / "py-spy"
    if not program.exists():
        raise RuntimeError("py-spy is not installed in this venv (it is in requirements.lock: run `make install`)")
    return str(program)


def layer_codes(app: ConnexionMiddleware, layers: list[Layer]) -> list[LayerCode]:
    """The code of each layer of a started app (its factory and its built instance), the entry point first."""
    chain = built_chain(app)
    entry = code_of(type(app).__name__, [app])
    return [entry, *(code_of(layer.name, [layer.target, chain[layer.index]]) for layer in layers)]


def in_loop(frames: list[Any]) -> bool:
    return any(frame.function == "profile_loop" for frame in frames)


def profile_in_process(seconds: float, database_url: str, api_key: str, workdir: Path) -> str:
    """py-spy's raw stacks of `seconds` of hot requests in a child process (profile_child below)."""
    output = workdir / "in-process.txt"
    argv = [
        py_spy(), "record", "--rate", str(PROFILE_RATE), "--format", "raw", "--full-filenames",
        "--output", str(output), "--",
        sys.executable, str(Path(__file__).resolve()), "--profile-child", str(seconds), "--database-url", database_url,
    ]  # fmt: skip
    env = {**os.environ, "BENCH_LAYERS_API_KEY": api_key}
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=seconds + 120, check=False)
    if result.returncode != 0 or not output.exists():
        raise RuntimeError(f"py-spy record failed (exit {result.returncode}): {result.stderr.strip()[-800:]}")
    return output.read_text()


async def profile_loop(app: ASGIApp, probe: Probe, seconds: float) -> int:
    """Hot requests for `seconds`; how many (each checked)."""
    deadline = time.monotonic() + seconds
    count = 0
    while time.monotonic() < deadline:
        for _ in range(100):
            status = await call(app, probe.headers)
            if status != probe.expected:
                raise RuntimeError(f"the profiled request answered {status}, not {probe.expected}")
        count += 100
    return count


def profile_child(seconds: float, database_url: str) -> None:
    """Run by profile_in_process under py-spy: the full app, warmed up, then profile_loop."""
    from global_chat.app import build_services, create_app
    from scripts.bench.databases import bench_settings

    services = build_services(bench_settings(database_url, secrets.token_urlsafe(32)))  # API keys only: any secret
    app = create_app(services=services)
    hot = probes(os.environ["BENCH_LAYERS_API_KEY"])[0]

    async def run() -> None:
        for _ in range(200):
            await call(app, hot.headers)
        gc.collect()
        gc.freeze()
        started = time.perf_counter()
        count = await profile_loop(app, hot, seconds)
        print(f"{(time.perf_counter() - started) / count * 1e6:.1f}", flush=True)
        await services.database.dispose()

    asyncio.run(run())


@dataclass
class Load:
    attribution: Attribution | None = None
    requests_per_second: float = 0.0
    cpu_us_per_request: float = 0.0
    server_cpu: float = 0.0
    foreign_cpu: float = 0.0
    timeouts: int = 0
    failure: str = ""


def profile_under_load(seconds: int, database_url: str, workdir: Path, codes: list[LayerCode]) -> Load:
    """The bench's server (scripts/bench/serving.py) under wrk's hot-path load, py-spy attached to it."""
    from scripts.bench.databases import Backend, bench_settings, prepare
    from scripts.bench.machine import PROCESSES, CpuMeter, check_cpus, ensure_tools
    from scripts.bench.serving import post_chat, server_env, start, wait_ready
    from scripts.bench.wrk import run_wrk, write_lua

    config = Config.from_env()
    ensure_tools()
    check_cpus(config)
    jwt_secret = secrets.token_urlsafe(32)
    store = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    backend = Backend(store, database_url, bench_settings(database_url, jwt_secret))
    prepare(backend)
    server = start(config, "ours", backend, server_env(backend, jwt_secret), workdir)
    load = Load()
    try:
        wait_ready(server)
        status, _ = post_chat(server, {"Authorization": backend.api_key})
        if status != 200:
            raise RuntimeError(f"the server answered the hot request with {status}")
        script = write_lua(workdir, "hot", backend.api_key)
        run_wrk(config, server, script, 2)  # warm-up: the session exists, the key is cached
        output = workdir / "under-load.txt"
        argv = [
            "taskset", "-c", config.wrk_cpu, py_spy(), "record", "--pid", str(server.pid), "--rate", str(LOAD_RATE),
            "--duration", str(seconds), "--format", "raw", "--full-filenames", "--output", str(output), "--nonblocking",
        ]  # fmt: skip
        meter = CpuMeter(server.pid)
        spy = PROCESSES.start("py-spy", argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            result = run_wrk(config, server, script, seconds + 1)
            _, spy_err = spy.communicate(timeout=60)
        finally:
            PROCESSES.stop(spy)
        use = meter.stop()
        if spy.returncode != 0 or not output.exists():
            load.failure = f"py-spy could not record the server (exit {spy.returncode}): {spy_err.strip()[-500:]}"
            return load
        if result["status"] or result["connect"] or result["read"] or result["write"]:
            raise RuntimeError(f"wrk saw errors or non-2xx answers under load: {result}")
        load.timeouts = result["timeout"]
        duration = result["duration_us"] / 1e6
        load.requests_per_second = result["requests"] / duration
        load.server_cpu, load.foreign_cpu = use.server, use.foreign + use.steal
        load.cpu_us_per_request = use.server * 1e6 / load.requests_per_second
        load.attribution = attribute(parse_raw(output.read_text()), codes)
        return load
    finally:
        PROCESSES.stop(server.process)


# --- the report ------------------------------------------------------------------------------------


@dataclass
class Results:
    layers: list[Layer]
    variants: list[Variant]
    rounds: int
    requests: int
    foreign_cpu: float
    in_process: Attribution | None = None
    in_process_failure: str = ""
    load: Load | None = None

    def full(self, probe: str) -> list[float]:
        return self.variants[0].runs.get(probe, [])


def cell_ab(results: Results, variant: Variant, probe: str) -> str:
    if probe in variant.broken:
        return f"needed ({variant.broken[probe]})"
    found = saving(results.full(probe), variant.runs.get(probe, []))
    return str(found) if found is not None else "?"


def cell_share(attribution: Attribution | None, owner: str, per_request: float) -> str:
    if attribution is None or not attribution.total:
        return "-"
    share = attribution.share(owner)
    return f"{share * per_request:.1f} ({share:.1%})"


def cell_shares(attribution: Attribution | None, owners: list[str], per_request: float) -> str:
    if attribution is None or not attribution.total:
        return "-"
    share = sum(attribution.share(owner) for owner in owners)
    return f"{share * per_request:.1f} ({share:.1%})"


def where(attribution: Attribution | None, owner: str, innermost: str = "") -> str:
    """The functions most of the owner's samples were in; for a module of ours, the layer it runs inside."""
    if attribution is None:
        return ""
    top = ", ".join(f"`{name}` {share:.1%}" for name, share in attribution.top_functions(owner))
    reached = attribution.reached_from.get(owner)
    if reached:
        top += f"; {placed(attribution, owner, innermost)}"
    return top


def placed(attribution: Attribution, module: str, innermost: str) -> str:
    """Where a module of ours runs: below the middleware, inside one layer, or in the server around the app."""
    layer = attribution.reached_from[module].most_common(1)[0][0]
    if layer == innermost:
        return "below the middleware"
    return "in the server, around the app" if layer == OUTSIDE else f"inside {layer}"


def totals(attribution: Attribution | None, layer_names: list[str], innermost: str, per_request: float) -> str:
    """The samples summed by where they were: the layers themselves, our code they call, the app below them,
    and around the app."""
    if attribution is None or not attribution.total:
        return ""
    parts = {"the layers themselves": 0.0, "our code they call": 0.0, "below the middleware": 0.0, OUTSIDE: 0.0}
    for owner in attribution.owners:
        if owner in layer_names:
            key = "the layers themselves"
        elif owner == OUTSIDE:
            key = OUTSIDE
        else:
            key = {"below the middleware": "below the middleware", "in the server, around the app": OUTSIDE}.get(
                placed(attribution, owner, innermost), "our code they call"
            )
        parts[key] += attribution.share(owner)
    return ", ".join(f"{name} {share * per_request:.0f} µs ({share:.0%})" for name, share in parts.items())


def markdown(results: Results) -> str:
    hot, error = min(results.full("hot")), min(results.full("401"))
    hot_median, error_median = statistics.median(results.full("hot")), statistics.median(results.full("401"))
    profile, load = results.in_process, results.load
    load_attr = load.attribution if load else None
    load_us = load.cpu_us_per_request if load else 0.0
    entry = type(results.variants[0].app).__name__
    busy = "busy" if results.foreign_cpu > 0.10 else "quiet"
    versions = {name: metadata.version(name) for name in ("connexion", "starlette", "uvicorn")}
    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `make bench-layers` (scripts/bench/layers.py), "
        f"Python {platform.python_version()}, "
        + ", ".join(f"{name} {version}" for name, version in versions.items())
        + f"; the machine was **{busy}** (other processes took {results.foreign_cpu:.0%} of a CPU during the "
        f"A/B rounds). Full stack in process: hot request {hot:.0f} µs, 401 {error:.0f} µs (best of "
        f"{results.rounds} rounds of {results.requests} requests; medians {hot_median:.0f} and {error_median:.0f} µs).",
        "",
    ]
    if load and load.attribution:
        lines += [
            f"Under load: {load.requests_per_second:.0f} req/s, the server busy {load.server_cpu:.0%} of a CPU "
            f"({load_us:.0f} µs of CPU per request), other processes {load.foreign_cpu:.0%} of a CPU"
            + (f"; {load.timeouts} requests took over wrk's 5 s timeout." if load.timeouts else "."),
            "",
        ]
    elif load and load.failure:
        lines += [f"Under load: not measured ({load.failure}).", ""]
    if results.in_process_failure:
        lines += [f"In process with py-spy: not measured ({results.in_process_failure}).", ""]
    lines += [
        "| # | layer | hot: µs saved without it, best (per round: median [IQR]) | 401: µs saved without it "
        "| hot: own µs in process (py-spy), share | hot: own CPU µs under load (py-spy), share "
        "| where the in-process samples were |",
        "|---|---|---|---|---|---|---|",
        f"| app | `{entry}` ({type(results.variants[0].app).__module__}) | - | - | {cell_share(profile, entry, hot)} "
        f"| {cell_share(load_attr, entry, load_us)} | {where(profile, entry)} |",
    ]
    for layer, variant in zip(results.layers, results.variants[1:], strict=True):
        lines.append(
            f"| {layer.index + 1} | `{layer.name}` ({layer.module}) | {cell_ab(results, variant, 'hot')} "
            f"| {cell_ab(results, variant, '401')} | {cell_share(profile, layer.name, hot)} "
            f"| {cell_share(load_attr, layer.name, load_us)} | {where(profile, layer.name)} |"
        )
    innermost = results.layers[-1].name if results.layers else ""
    modules: dict[str, float] = {}
    for attribution in (profile, load_attr):
        if attribution is not None:
            for owner, samples in attribution.owners.items():
                if is_own(owner):
                    modules[owner] = max(modules.get(owner, 0.0), samples / attribution.total)
    small = [module for module, share in modules.items() if share < SMALL]
    for module in sorted(modules, key=modules.__getitem__, reverse=True):
        if module not in small:
            lines.append(
                f"| ↓ | `{module}` | - | - | {cell_share(profile, module, hot)} "
                f"| {cell_share(load_attr, module, load_us)} "
                f"| {where(profile, module, innermost) or where(load_attr, module, innermost)} |"
            )
    if small:
        lines.append(
            f"| ↓ | {len(small)} more modules of ours, each under {SMALL:.1%} | - | - "
            f"| {cell_shares(profile, small, hot)} | {cell_shares(load_attr, small, load_us)} "
            f"| {', '.join(f'`{module}`' for module in sorted(small))} |"
        )
    names = [entry, *(layer.name for layer in results.layers)]
    summed = [
        f"in process, of the hot request's {hot:.0f} µs: {totals(profile, names, innermost, hot)}",
        f"under load, of its {load_us:.0f} µs of CPU: {totals(load_attr, names, innermost, load_us)}",
    ]
    footer = [
        "",
        "Summed by where the samples were: " + "; ".join(line for line in summed if not line.endswith(": ")) + ".",
    ]
    lines.append(
        f"| - | {OUTSIDE} (the measuring loop in process; under load, uvicorn with the base class of our HTTP "
        f"protocol, and the event loop) | - | - | {cell_share(profile, OUTSIDE, hot)} "
        f"| {cell_share(load_attr, OUTSIDE, load_us)} | under load: {where(load_attr, OUTSIDE)} |"
    )
    if profile or load_attr:
        lines += footer
    return "\n".join(lines) + "\n"


def replace_in_docs(table: str, docs: Path = DOCS) -> None:
    text = docs.read_text()
    if BEGIN not in text or END not in text:
        raise SystemExit(f"bench-layers: {docs} has no {BEGIN!r} ... {END!r} block to replace")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    docs.write_text(f"{head}{BEGIN}\n{table}{END}{tail}")


# --- the run ---------------------------------------------------------------------------------------


def require_local(database_url: str) -> None:
    """SQLite, or a PostgreSQL on this machine's loopback; anything else stops the run."""
    parts = urlsplit(database_url)
    if parts.scheme.startswith("sqlite"):
        return
    if parts.scheme.startswith("postgresql") and parts.hostname in LOOPBACK:
        return
    raise SystemExit(f"bench-layers: --database-url must be SQLite or a PostgreSQL on 127.0.0.1, not {database_url!r}")


def build_variants(factory: Callable[[], ConnexionMiddleware]) -> tuple[list[Layer], list[Variant]]:
    full = factory()
    layers = discover_layers(full)
    return layers, [Variant(FULL, full), *(Variant(layer.name, without(factory(), layer)) for layer in layers)]


def run(args: argparse.Namespace, workdir: Path) -> Results:
    from global_chat.app import build_services, create_app
    from scripts.bench.databases import Backend, bench_settings, prepare
    from scripts.bench.machine import CpuMeter

    database_url = args.database_url or f"sqlite:///{workdir / 'layers.db'}"
    jwt_secret = secrets.token_urlsafe(32)
    backend = Backend("in-process", database_url, bench_settings(database_url, jwt_secret))
    prepare(backend)
    services = build_services(backend.settings)
    checks = probes(backend.api_key)
    layers, variants = build_variants(lambda: create_app(services=services))
    progress(f"{len(layers)} layers: " + ", ".join(layer.name for layer in layers))
    meter = CpuMeter(None)
    asyncio.run(pass_through_rounds(variants, checks, rounds=args.rounds, requests=args.requests))
    results = Results(layers, variants, args.rounds, args.requests, foreign_cpu=meter.stop().foreign)
    asyncio.run(services.database.dispose())
    codes = layer_codes(variants[0].app, layers)
    if not args.no_profile:
        progress(f"py-spy in process: {args.profile_seconds} s of hot requests")
        try:
            raw = profile_in_process(args.profile_seconds, database_url, backend.api_key, workdir)
            results.in_process = attribute(
                parse_raw(raw), codes, harness=lambda module: module in HARNESS, keep=in_loop
            )
        except RuntimeError as error:
            results.in_process_failure = str(error)
    if not args.no_load:
        progress(f"py-spy under load: {args.load_seconds} s of wrk against 127.0.0.1")
        load_url = f"sqlite:///{workdir / 'load.db'}" if not args.database_url else args.database_url
        try:
            results.load = profile_under_load(args.load_seconds, load_url, workdir, codes)
        except RuntimeError as error:
            results.load = Load(failure=str(error))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=200, help="A/B rounds (default 200)")
    parser.add_argument("--requests", type=int, default=25, help="requests per variant and round (default 25)")
    parser.add_argument("--profile-seconds", type=float, default=8.0, help="py-spy in process (default 8)")
    parser.add_argument("--load-seconds", type=int, default=10, help="py-spy under wrk's load (default 10)")
    parser.add_argument("--no-profile", action="store_true", help="skip py-spy in process")
    parser.add_argument("--no-load", action="store_true", help="skip py-spy under load")
    parser.add_argument("--database-url", default="", help="SQLite (default: a temporary one) or a local PostgreSQL")
    parser.add_argument("--docs", action="store_true", help="also replace the table in docs/performance.md")
    parser.add_argument("--output", type=Path, default=REPORTS / "layers.md", help="default: reports/layers.md")
    parser.add_argument("--profile-child", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.database_url:
        require_local(args.database_url)
    if args.profile_child:
        profile_child(args.profile_child, args.database_url)
        return 0
    if args.rounds < 2 or args.requests < 1:
        raise SystemExit("bench-layers: --rounds must be at least 2 and --requests at least 1")
    with tempfile.TemporaryDirectory(prefix="global-chat-layers-") as folder:
        results = run(args, Path(folder))
    table = markdown(results)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(table)
    print(table)
    progress(f"wrote {args.output}")
    if args.docs:
        replace_in_docs(table)
        progress(f"wrote the table into {DOCS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
