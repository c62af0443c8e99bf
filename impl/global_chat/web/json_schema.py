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
