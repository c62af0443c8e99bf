"""The contract's schemas as plain JSON Schema, compiled to Python code (fastjsonschema) once per
operation, and their errors described for a person: `locale: 'xx-!!' is not valid. Expected: ...`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import fastjsonschema

_OPENAPI_ONLY = frozenset({"nullable", "example", "examples", "discriminator", "xml", "externalDocs", "deprecated"})

CompiledSchema = Callable[[Any], Any]


def _is_null_only(node: Any) -> bool:
    """The contract's spelling of the JSON null: `{type: string, nullable: true, enum: [null]}`."""
    return isinstance(node, dict) and node.get("nullable") is True and node.get("enum") == [None]


def to_json_schema(node: Any) -> Any:
    """An OpenAPI 3.0 schema (refs resolved) as plain JSON Schema: `nullable: true` admits null,
    `anyOf [X, null]` becomes X admitting null (so errors name X's own rule), OpenAPI-only keywords go."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    branches = node.get("anyOf")
    if isinstance(branches, list) and len(branches) == 2 and any(_is_null_only(b) for b in branches):
        (other,) = [b for b in branches if not _is_null_only(b)]
        if isinstance(other, dict) and "type" in other and "anyOf" not in other:
            merged = {**other, "nullable": True, **{k: v for k, v in node.items() if k != "anyOf"}}
            return to_json_schema(merged)
    converted = {key: to_json_schema(value) for key, value in node.items() if key not in _OPENAPI_ONLY}
    if _is_null_only(node):
        return {"type": "null"}
    if node.get("nullable") is True:
        if "type" in converted:
            converted["type"] = [converted["type"], "null"]
        if "enum" in converted and None not in converted["enum"]:
            converted["enum"] = [*converted["enum"], None]
    return converted


def compile_schema(schema: dict[str, Any]) -> CompiledSchema:
    compiled: CompiledSchema = fastjsonschema.compile(to_json_schema(schema), use_formats=True)
    return compiled


def describe(error: fastjsonschema.JsonSchemaValueException) -> str:
    """`locale: 'xx-!!' is not valid. Expected: ...` with the schema's own description when there is one."""
    where = (error.name or "data").removeprefix("data").lstrip(".") or "body"
    definition = error.definition if isinstance(error.definition, dict) else {}
    expected = definition.get("description")
    if error.rule == "pattern" and expected:
        return f"{where}: {error.value!r} is not valid. Expected: {' '.join(str(expected).split())}"
    message = (error.message or "is not valid").removeprefix(error.name or "").strip()
    return f"{where}: {message}"


def at_pointer(document: Any, pointer: str) -> Any:
    """The node of `document` at a local JSON pointer (`#/components/schemas/Session`, RFC 6901)."""
    node = document
    for token in pointer.removeprefix("#").split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def resolve_refs(document: Any, node: Any, _seen: tuple[str, ...] = ()) -> Any:
    """`node` with every local `$ref` replaced by what it refers to (recursively). A schema that refers
    to itself cannot be inlined: ValueError, at start-up."""
    if isinstance(node, list):
        return [resolve_refs(document, item, _seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str):
        if ref in _seen:
            raise ValueError(f"the schema {ref} refers to itself; it cannot be inlined")
        return resolve_refs(document, at_pointer(document, ref), (*_seen, ref))
    return {key: resolve_refs(document, value, _seen) for key, value in node.items()}
