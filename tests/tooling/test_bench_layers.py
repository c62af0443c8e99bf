"""`make bench-layers` (scripts/bench/layers.py, scripts/bench/stacks.py): it finds every layer of the app as
built, its pass-through really passes through, a layer the answer needs is reported as such, samples are
charged to the right layer, it measures nothing but this machine, and the docs' table names the layers the
app has. No timing is asserted: what it measures is the benchmark's business."""

from __future__ import annotations

import asyncio.base_events
import inspect
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from connexion import ConnexionMiddleware
from connexion.middleware import MiddlewarePosition
from connexion.middleware.exceptions import ExceptionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from global_chat.app import build_services, create_app
from global_chat.settings import Settings
from scripts.bench import layers, stacks
from scripts.bench.config import HOST, LOOPBACK
from scripts.bench.databases import bench_settings
from tests.fixtures.app import in_process

pytestmark = pytest.mark.anyio
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
async def app(keys_settings: Settings) -> AsyncIterator[ConnexionMiddleware]:
    async with in_process(keys_settings) as app:
        yield app


# --- a toy stack: what the tool does, on layers whose behaviour the test chooses --------------------


class Marker:
    """A layer nothing depends on: it adds a response header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def marked(message: Any) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((b"x-marker", b"1"))
            await send(message)

        await self.app(scope, receive, marked)


class Gate:
    """A layer the answer needs: the app below answers 200 only to a request it let through."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app({**scope, "gate": True}, receive, send)


class Fuse:
    """A layer the answer needs: without it the app below raises."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app({**scope, "fuse": True}, receive, send)


async def endpoint(scope: Scope, receive: Receive, send: Send) -> None:
    if not scope.get("fuse"):
        raise RuntimeError("blown")
    status = 200 if scope.get("gate") else 403
    await send({"type": "http.response.start", "status": status, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def toy() -> ConnexionMiddleware:
    return ConnexionMiddleware(endpoint, middlewares=[Marker, Gate, Fuse])


OK = layers.Probe("ok", [], 200)


async def test_every_layer_of_the_app_is_found_outermost_first_and_each_is_one_link_of_the_built_chain(
    app: ConnexionMiddleware,
) -> None:
    found = layers.discover_layers(app)
    assert await layers.call(app, []) == 401  # builds the chain
    chain = layers.built_chain(app)

    assert [layer.index for layer in found] == list(range(len(app.middlewares)))
    assert len({layer.name for layer in found}) == len(found)
    # from the outermost layer, each layer found holds the next link of the chain, and the last the wrapped app
    link: Any = chain[0]
    for layer in found:
        assert link is chain[layer.index]
        built = type(link)
        assert built is layer.target or inspect.isfunction(layer.target), (layer.name, built)
        following = [value for value in vars(link).values() if value is chain[layer.index + 1]]
        assert following, f"{layer.name} does not hold the next link of the chain"
        link = following[0]
    assert link is chain[-1]


async def test_a_layer_placed_with_connexions_own_api_is_found_where_it_was_placed(app: ConnexionMiddleware) -> None:
    app.add_middleware(Marker, position=MiddlewarePosition.BEFORE_EXCEPTION)

    names = [layer.name for layer in layers.discover_layers(app)]

    assert names.index("Marker") == names.index(ExceptionMiddleware.__name__) - 1


def test_a_name_that_occurs_twice_is_told_apart() -> None:
    app = ConnexionMiddleware(endpoint, middlewares=[Marker, Fuse, Marker])

    assert [layer.name for layer in layers.discover_layers(app)] == ["Marker", "Fuse", "Marker #2"]


async def test_the_pass_through_hands_on_the_same_scope_receive_and_send() -> None:
    seen: list[tuple[Any, ...]] = []

    async def inner(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append((scope, receive, send))

    async def receive() -> Any:
        return {}

    async def send(message: Any) -> None:
        return None

    scope: dict[str, Any] = {"type": "http"}
    await layers.PassThrough(inner)(scope, receive, send)

    assert len(seen) == 1
    assert seen[0][0] is scope and seen[0][1] is receive and seen[0][2] is send


async def test_without_a_layer_the_app_runs_a_pass_through_in_its_place_and_nothing_else_changes() -> None:
    app = toy()
    marker = layers.discover_layers(app)[0]

    layers.without(app, marker)
    assert await layers.call(app, []) == 200

    chain = layers.built_chain(app)
    assert [type(link) for link in chain[:-1]] == [layers.PassThrough, Gate, Fuse]
    with pytest.raises(RuntimeError, match="has started"):
        layers.without(app, marker)


async def test_a_layer_the_answer_needs_is_reported_with_what_the_answer_turned_into_and_is_not_timed() -> None:
    _, variants = layers.build_variants(toy)

    await layers.pass_through_rounds(variants, [OK], rounds=2, requests=3)

    by_name = {variant.name: variant for variant in variants}
    assert by_name[layers.FULL].broken == {} and len(by_name[layers.FULL].runs["ok"]) == 2
    assert by_name["Marker"].broken == {} and len(by_name["Marker"].runs["ok"]) == 2
    assert by_name["Gate"].broken == {"ok": "200 → 403"} and "ok" not in by_name["Gate"].runs
    assert by_name["Fuse"].broken == {"ok": "raises RuntimeError"} and "ok" not in by_name["Fuse"].runs
    assert layers.saving(by_name[layers.FULL].runs["ok"], by_name["Marker"].runs["ok"]) is not None


async def test_a_status_that_changes_while_timed_is_caught() -> None:
    answers = iter([200] * 3 + [500] * 100)

    async def flaky(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": next(answers), "headers": []})
        await send({"type": "http.response.body", "body": b""})

    variant = layers.Variant(layers.FULL, ConnexionMiddleware(flaky, middlewares=[Marker]))
    other = layers.Variant("other", ConnexionMiddleware(flaky, middlewares=[Marker]))

    with pytest.raises(RuntimeError, match="full stack does not answer"):
        await layers.pass_through_rounds([variant, other], [OK], rounds=2, requests=5)


def test_it_refuses_any_database_but_sqlite_or_one_on_the_loopback() -> None:
    layers.require_local("sqlite:////tmp/x.db")
    layers.require_local("postgresql+asyncpg://bench@127.0.0.1:5432/bench")
    for url in (
        "postgresql://bench@db.example.com/bench",
        "postgresql://bench@10.0.0.7/bench",
        "mysql://bench@127.0.0.1/bench",
    ):
        with pytest.raises(SystemExit, match=r"127\.0\.0\.1"):
            layers.require_local(url)
    with pytest.raises(SystemExit, match=r"127\.0\.0\.1"):
        layers.main(["--database-url", "postgresql://bench@192.168.1.20/bench", "--no-load", "--no-profile"])
    assert HOST in LOOPBACK  # the server under load binds it, and wrk is pointed at it


# --- charging py-spy's samples to the layers ---------------------------------------------------------


def frame_in(owner: Any, offset: int = 1) -> str:
    lines, first = inspect.getsourcelines(owner)
    assert offset < len(lines)
    return f"{owner.__name__} ({Path(inspect.getsourcefile(owner) or '').resolve()}:{first + offset})"


def own_frame(module: str, function: str = "f") -> str:
    path = (ROOT / "impl" / module.replace(".", "/")).with_suffix(".py")
    assert path.exists(), path
    return f"{function} ({path}:1)"


class SharedBase:
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        return None


class First(SharedBase):
    pass


class Second(SharedBase):
    pass


def test_samples_go_to_the_innermost_layer_or_module_of_ours_and_libraries_to_their_caller() -> None:
    codes = [stacks.code_of("First", [First]), stacks.code_of("Second", [Second])]
    server = f"run_forever ({Path(asyncio.base_events.__file__).resolve()}:600)"
    library = "execute (/venv/site-packages/sqlalchemy/engine/base.py:1400)"
    raw = "\n".join(
        [
            f"{server};{frame_in(First)} 5",  # the layer itself
            f"{server};{frame_in(First)};{library} 7",  # a library the layer calls
            f"{server};{frame_in(First)};{frame_in(Second)};{frame_in(SharedBase)} 3",  # a base the two share
            f"{server};{frame_in(First)};{frame_in(SharedBase)} 2",
            f"{server};{frame_in(First)};{frame_in(Second)};{own_frame('global_chat.sessions.etag')};{library} 11",
            f"{server} 13",
        ]
    )

    charged = stacks.attribute(stacks.parse_raw(raw), codes)

    assert charged.total == 41
    assert charged.owners == {
        "First": 5 + 7 + 2,
        "Second": 3,
        "global_chat.sessions.etag": 11,
        stacks.OUTSIDE: 13,
    }
    assert charged.reached_from["global_chat.sessions.etag"] == {"Second": 11}


def test_only_the_stacks_asked_for_are_counted_and_the_measuring_loop_is_outside_the_app() -> None:
    codes = [stacks.code_of("First", [First])]
    loop = f"profile_loop ({Path(layers.__file__).resolve()}:1)"
    raw = f"setup (/x/y.py:1) 4\n{loop};{frame_in(First)} 3\n{loop} 2\n"

    charged = stacks.attribute(
        stacks.parse_raw(raw), codes, harness=lambda module: module in layers.HARNESS, keep=layers.in_loop
    )

    assert charged.total == 5
    assert charged.owners == {"First": 3, stacks.OUTSIDE: 2}


async def test_the_code_of_each_layer_of_the_app_is_found(app: ConnexionMiddleware) -> None:
    found = layers.discover_layers(app)
    assert await layers.call(app, []) == 401

    codes = layers.layer_codes(app, found)

    assert [code.name for code in codes] == ["ConnexionMiddleware", *(layer.name for layer in found)]
    for code in codes:
        assert code.ranges, code.name


# --- the docs' table ---------------------------------------------------------------------------------


def docs_table() -> list[list[str]]:
    text = layers.DOCS.read_text()
    assert layers.BEGIN in text and layers.END in text, "docs/performance.md lost its bench-layers block"
    block = text.split(layers.BEGIN, 1)[1].split(layers.END, 1)[0]
    return [
        [cell.strip() for cell in row.strip().strip("|").split("|")]
        for row in block.splitlines()
        if row.startswith("| ")
    ]


@asynccontextmanager
async def production_app(folder: Path) -> AsyncIterator[ConnexionMiddleware]:
    """The app with the settings `make bench-layers` measures (the benchmark's: production defaults, so no
    response-validation layer)."""
    services = build_services(bench_settings(f"sqlite:///{folder / 'layers.db'}", "layers-" + "x" * 40))
    try:
        yield create_app(services=services)
    finally:
        await services.database.dispose()


async def test_the_docs_table_names_every_layer_the_app_has_in_its_order(tmp_path: Path) -> None:
    """When a layer is added, folded, renamed or moved, this fails until `make bench-layers LAYERS_ARGS=--docs`
    measures the stack as it is."""
    rows = docs_table()
    documented = [re.findall(r"`([^`]+)`", row[1])[0] for row in rows if row[0].isdigit()]

    async with production_app(tmp_path) as app:
        assert documented == [layer.name for layer in layers.discover_layers(app)], (
            "docs/performance.md's layer table is stale: run `make bench-layers LAYERS_ARGS=--docs`"
        )


def test_the_docs_table_names_only_modules_that_exist() -> None:
    # a module's own row names it in the second cell; the row of the small ones lists them in the last
    modules = [
        re.findall(r"`([^`]+)`", row[1]) or re.findall(r"`([^`]+)`", row[-1]) for row in docs_table() if row[0] == "↓"
    ]

    assert modules
    for names in modules:
        for name in names:
            assert (ROOT / "impl" / name.replace(".", "/")).with_suffix(".py").exists() or (
                ROOT / "generated" / name.replace(".", "/")
            ).with_suffix(".py").exists(), name
