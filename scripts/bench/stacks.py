"""py-spy's raw stacks charged to the layers of the app: which layer, or which module of ours below them,
each sample was spending its time in (its "own" time: what it runs itself and the libraries it calls).

A layer's code is found from the built app, not from a list of names: the source lines of every class in
the method resolution order of the layer's built instance (and of the factory that built it), plus, while
that layer is the innermost one on a stack, the rest of the modules those classes live in (Connexion's
routing layer runs its routes' code, in its own module, through a Starlette router). Walking a sample's
stack from the outermost frame in:

- a frame in a layer's classes makes that layer current (a base class two layers share goes to the one
  nearest the layer entered before it);
- a frame of our own code (`global_chat`, `global_chat_generated`) outside any layer makes its module
  current: the generated endpoint, the body check, the handler, the service, the repository, ...;
- a frame of the server or of the event loop (uvicorn, asyncio, ...) or of the measuring loop itself
  makes "outside the app" current;
- any other frame (Starlette, SQLAlchemy, pydantic, the sqlite3 module) leaves the current owner as it
  is: a library's time is charged to whoever called it.

The sample is charged to whatever is current at the innermost frame.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
OWN_PACKAGES = ("global_chat", "global_chat_generated")
SERVER_PACKAGES = ("uvicorn", "asyncio", "uvloop", "httptools", "h11", "selectors", "socket", "threading", "runpy")
"""Not layers of the app: the server and the event loop around it (a sample there is "outside the app")."""
OUTSIDE = "outside the app"
FRAME = re.compile(r"^(?P<function>.*) \((?P<file>.*):(?P<line>\d+)\)$")


@dataclass(frozen=True)
class Frame:
    function: str
    file: str
    line: int


def parse_raw(text: str) -> Iterable[tuple[list[Frame], int]]:
    """py-spy's `--format raw` (`--full-filenames`): one stack a line, outermost frame first, `;`-separated,
    then the number of samples."""
    for row in text.splitlines():
        stack, _, count = row.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = []
        for part in stack.split(";"):
            match = FRAME.match(part)
            if match:
                frames.append(Frame(match["function"], match["file"], int(match["line"])))
            else:  # a native or idle frame without a file: none of our layers
                frames.append(Frame(part, "", 0))
        yield frames, int(count)


def module_of(path: str) -> str:
    """The dotted module name of a source file, from the interpreter's import roots (and this checkout's)."""
    if not path:
        return ""
    file = Path(path)
    for module in list(sys.modules.values()):
        if getattr(module, "__file__", None) == path:
            return str(module.__name__)
    roots = sorted(
        {Path(entry) for entry in sys.path if entry and Path(entry).is_dir()}
        | {ROOT / "impl", ROOT / "generated", ROOT},
        key=lambda root: len(root.parts),
        reverse=True,
    )
    for root in roots:
        if file.is_relative_to(root):
            parts = list(file.relative_to(root).with_suffix("").parts)
            if parts and parts[-1] == "__init__":
                parts.pop()
            return ".".join(parts)
    return file.stem


def is_own(module: str) -> bool:
    return module.split(".")[0] in OWN_PACKAGES


@dataclass
class LayerCode:
    """Where one layer's code is: exact line ranges per file, and the modules it may run more of."""

    name: str
    ranges: list[tuple[str, int, int]] = field(default_factory=list)
    modules: set[str] = field(default_factory=set)

    def contains(self, frame: Frame) -> bool:
        return any(file == frame.file and first <= frame.line <= last for file, first, last in self.ranges)


def code_of(name: str, objects: Sequence[Any]) -> LayerCode:
    """The code of a layer: the classes in the MRO of each of `objects` (its factory, its built instance)
    except `object` and the typing and abc bases, and the functions among them."""
    code = LayerCode(name)
    seen: set[Any] = set()
    for obj in objects:
        owners: list[Any] = []
        if inspect.isfunction(obj):
            owners.append(obj)
        else:
            cls = obj if inspect.isclass(obj) else type(obj)
            owners.extend(c for c in cls.__mro__ if c.__module__ not in ("builtins", "abc", "typing"))
        for owner in owners:
            if owner in seen:
                continue
            seen.add(owner)
            try:
                file = inspect.getsourcefile(owner)
                lines, first = inspect.getsourcelines(owner)
            except (OSError, TypeError):
                continue
            if file:
                code.ranges.append((str(Path(file).resolve()), first, first + len(lines) - 1))
                code.modules.add(owner.__module__)
    return code


@dataclass
class Attribution:
    """Samples per owner (a layer's name, a module of ours, or OUTSIDE), and per owner the functions of ours
    (or of the layer) the samples were in, for the report's "where" column."""

    total: int = 0
    owners: Counter[str] = field(default_factory=Counter)
    functions: dict[str, Counter[str]] = field(default_factory=dict)
    reached_from: dict[str, Counter[str]] = field(default_factory=dict)
    """Per module of ours: the innermost layer on the stack when it was entered."""

    def share(self, owner: str) -> float:
        return self.owners[owner] / self.total if self.total else 0.0

    def top_functions(self, owner: str, count: int = 3) -> list[tuple[str, float]]:
        found = self.functions.get(owner, Counter())
        return [(name, samples / self.total) for name, samples in found.most_common(count)] if self.total else []


def attribute(
    stacks: Iterable[tuple[list[Frame], int]],
    layers: Sequence[LayerCode],
    *,
    harness: Callable[[str], bool] = lambda module: False,
    keep: Callable[[list[Frame]], bool] = lambda frames: True,
) -> Attribution:
    """Charge each sample (of the stacks `keep` accepts) to its owner; see the module's docstring."""
    result = Attribution()
    modules: dict[str, str] = {}
    for frames, count in stacks:
        if not keep(frames):
            continue
        owner, function, layer_index, reached_from = OUTSIDE, "", -1, OUTSIDE
        for frame in frames:
            module = modules.setdefault(frame.file, module_of(frame.file))
            candidates = [i for i, layer in enumerate(layers) if layer.contains(frame)]
            if candidates:
                layer_index = min(candidates, key=lambda i: abs(i - layer_index))
                owner, function = layers[layer_index].name, frame.function
            elif layer_index >= 0 and owner == layers[layer_index].name and module in layers[layer_index].modules:
                function = frame.function
            elif harness(module) or module.split(".")[0] in SERVER_PACKAGES:
                owner, function, layer_index = OUTSIDE, frame.function, -1
            elif is_own(module):
                if owner != module:
                    reached_from = layers[layer_index].name if layer_index >= 0 else OUTSIDE
                owner, function = module, frame.function
        result.total += count
        result.owners[owner] += count
        if function:
            result.functions.setdefault(owner, Counter())[function] += count
        if is_own(owner):
            result.reached_from.setdefault(owner, Counter())[reached_from] += count
    return result
