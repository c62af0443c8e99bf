"""Our generator proper: from the operation records, the typed interfaces (`api/<tag>.py`), the endpoints
(`server/<tag>.py`), the operations table (`operations.py`, of the records in `records.py`), `bind()`
(`server/__init__.py`) and the runtime (`server/runtime.py`); the last two static modules are copied."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from scripts.generator.operations import OperationSpec, ResponseSpec
from scripts.generator.types import MODELS, RUNTIME, Import, PyType, imports_of

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent
"""records.py and runtime.py: copied into every generated package unchanged, but for the one import
by which the runtime finds the records (scripts.generator.records -> <package>.records)."""
COPIED = "# Copied by scripts/generate.py from scripts/generator/{name} -- do not edit by hand.\n"


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # noqa: S701 - renders source code, not HTML
    )
    env.filters["py"] = repr
    env.filters["py_tuple"] = lambda items: repr(tuple(items))
    env.filters["docstring"] = lambda text: str(text).replace("\\", "\\\\").replace('"', '\\"')
    return env


def base_path(document: dict[str, Any]) -> str:
    """The path of the first server's URL, its variables at their defaults, as Connexion mounts the API."""
    servers = document.get("servers") or [{"url": "/"}]
    url = str(servers[0].get("url", "/"))
    for name, variable in (servers[0].get("variables") or {}).items():
        url = url.replace("{" + name + "}", str(variable.get("default", "")))
    return urlsplit(url).path.rstrip("/")


def render_imports(imports: Iterable[Import], package: str) -> str:
    modules: dict[str, set[str]] = {}
    for module, name in imports:
        module = {MODELS: f"{package}.models", RUNTIME: f"{package}.server.runtime"}.get(module, module)
        modules.setdefault(module, set()).add(name)
    return "\n".join(f"from {module} import {', '.join(sorted(names))}" for module, names in sorted(modules.items()))


class Adapters:
    """The TypeAdapters of one endpoints module: a body or response type that is not one model class."""

    def __init__(self) -> None:
        self.types: dict[str, str] = {}

    def name(self, stem: str, type_: PyType) -> str:
        name = re.sub(r"[^0-9A-Za-z]+", "_", stem).upper()
        self.types[name] = type_.text
        return name


def body_expression(op: OperationSpec, adapters: Adapters) -> str:
    """The argument `body` of the call, from `value` (what the body decoder returned)."""
    assert op.body is not None
    body = op.body.type
    inner = body.inner or body

    def convert(value: str, type_: PyType) -> str:
        if type_.model:
            return f"validate_model({type_.text}, {value})"
        return f"validate_value({adapters.name(op.name + '_body', type_)}, {value})"

    if op.body.required:
        if body.inner is not None and not inner.model:
            return convert("required_body(value)", body)
        if body.inner is not None:
            return f"None if required_body(value) is None else {convert('value', inner)}"
        return convert("required_body(value)", body)
    return f"None if value is NO_BODY or value is None else {convert('value', inner)}"


def send_lines(op: OperationSpec, adapters: Adapters) -> list[str]:
    """The statements that write `result` as the response."""
    if op.simple:
        return [_send(op, op.typed_responses[0], "result", str(op.typed_responses[0].fixed_status), adapters, "")]
    lines: list[str] = []
    responses = op.typed_responses
    for index, response in enumerate(responses):
        status = "result.status" if response.fixed_status is None else str(response.fixed_status)
        headers = ", ".join(f"({h.name.lower().encode('latin-1')!r}, result.{h.attribute})" for h in response.headers)
        if len(responses) > 1:
            last = index == len(responses) - 1
            lines.append(
                "else:" if last else f"{'if' if index == 0 else 'elif'} isinstance(result, {response.result}):"
            )
        send = _send(op, response, "result.body", status, adapters, f"headers_of([{headers}])" if headers else "")
        lines.append(("    " if len(responses) > 1 else "") + send)
    return lines


def _send(op: OperationSpec, response: ResponseSpec, value: str, status: str, adapters: Adapters, headers: str) -> str:
    if response.type is None:
        return f"await send_no_content(send, {status}{', ' + headers if headers else ''})"
    media_type = response.media_type or "application/json"
    if response.type.model and media_type == "application/json" and not headers:
        return f"await send_model(send, {status}, {value})"
    if response.type.model:
        body = f"model_json({value})"
    else:
        body = f"value_json({adapters.name(f'{op.name}_{response.status}', response.type)}, {value})"
    return f"await send_json(send, {status}, {body}, {media_type!r}{', ' + headers if headers else ''})"


def render_server(operations: list[OperationSpec], package_dir: Path, package: str, source: str, base: str) -> None:
    """api/ and server/ of `package_dir`."""
    env = environment()
    api_dir, server_dir = package_dir / "api", package_dir / "server"
    api_dir.mkdir(parents=True)
    server_dir.mkdir(parents=True)
    by_tag: dict[str, list[OperationSpec]] = {}
    for op in operations:
        by_tag.setdefault(op.tag, []).append(op)
    tags = []
    for tag, tag_operations in sorted(by_tag.items(), key=lambda item: item[1][0].module):
        module, interface = tag_operations[0].module, tag_operations[0].interface
        context = {"tag": tag, "module": module, "interface": interface, "operations": tag_operations}
        context.update(package=package, source=source)
        types = [t for op in tag_operations for t in interface_types(op)]
        api_imports = imports_of(types) | {("dataclasses", "dataclass"), ("typing", "TypeAlias")}
        (api_dir / f"{module}.py").write_text(
            env.get_template("api_tag.py.j2").render(**context, imports=render_imports(api_imports, package))
        )
        adapters = Adapters()
        env.filters["body_expression"] = partial(body_expression, adapters=adapters)
        env.filters["send_lines"] = partial(send_lines, adapters=adapters)
        # rendered once to collect the adapters the endpoints use, then with their imports
        env.get_template("server_tag.py.j2").render(**context, imports="", adapters={})
        results = {
            (f"{package}.api.{module}", r.result) for op in tag_operations if not op.simple for r in op.typed_responses
        }
        server_types = [t for op in tag_operations for t in (*[p.field for p in op.parameters], *interface_types(op))]
        server_imports = imports_of(server_types) | results | {(f"{package}.api.{module}", interface)}
        server_imports |= {("typing", "Annotated"), ("pydantic", "Field"), ("typing", "Any")}
        (server_dir / f"{module}.py").write_text(
            env.get_template("server_tag.py.j2").render(
                **context, imports=render_imports(server_imports, package), adapters=adapters.types
            )
        )
        tags.append({"name": tag, "module": module, "interface": interface})
    (api_dir / "__init__.py").write_text(
        f"# Generated by scripts/generate.py from {source} -- do not edit by hand.\n"
        '"""The typed interface of each tag of the contract: implement them to serve the API."""\n\n'
        + "".join(f"from {package}.api.{t['module']} import {t['interface']}\n" for t in tags)
        + f"\n__all__ = {[t['interface'] for t in tags]!r}\n"
    )
    records = (STATIC / "records.py").read_text()
    runtime = (STATIC / "runtime.py").read_text().replace("from scripts.generator.records ", f"from {package}.records ")
    (package_dir / "records.py").write_text(COPIED.format(name="records.py") + records)
    (server_dir / "runtime.py").write_text(COPIED.format(name="runtime.py") + runtime)
    common = {"package": package, "source": source, "operations": operations, "tags": tags, "base_path": base}
    (package_dir / "operations.py").write_text(env.get_template("operations.py.j2").render(**common))
    (server_dir / "__init__.py").write_text(env.get_template("server_init.py.j2").render(**common))


def interface_types(op: OperationSpec) -> list[PyType]:
    """Every annotation of an operation's interface method and typed results."""
    types: list[PyType] = [p.type for p in op.parameters]
    types += [op.body.argument] if op.body else []
    types += [r.type for r in op.typed_responses if r.type is not None]
    types += [h.type for r in op.typed_responses for h in r.headers]
    return types


def copy_contract(contract: Path, package_dir: Path) -> None:
    shutil.copyfile(contract, package_dir / "openapi.yaml")
