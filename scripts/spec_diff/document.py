"""One side of a comparison: a parsed OpenAPI 3.0 document with its $refs resolved and its schemas
normalized (allOf flattened, null-only variants folded into `nullable`), and what the comparison needs to
know of a schema (its types, its canonical form)."""

from __future__ import annotations

import json
from typing import Any

from scripts.spec_diff.model import SpecError

MAX_DEPTH = 64
# keywords that only document: never compared
DOC_KEYWORDS = {"description", "summary", "example", "examples", "title", "externalDocs", "xml"}


class Document:
    """One side of the comparison: the parsed spec, with $ref resolution and schema normalization."""

    def __init__(self, root: Any, label: str) -> None:
        if not isinstance(root, dict) or "openapi" not in root:
            raise SpecError(f"{label}: not an OpenAPI document (no `openapi` field)")
        if not str(root["openapi"]).startswith("3.0"):
            raise SpecError(f"{label}: OpenAPI {root['openapi']} is not supported (3.0.x only)")
        self.root: dict[str, Any] = root
        self.label = label

    def resolve(self, node: Any) -> tuple[Any, str | None]:
        """Follow a chain of local $refs: (target, name of the last component referenced)."""
        name: str | None = None
        seen: set[str] = set()
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not isinstance(ref, str) or not ref.startswith("#/"):
                raise SpecError(f"{self.label}: unsupported $ref {ref!r} (only local #/... references are resolved)")
            if ref in seen:
                raise SpecError(f"{self.label}: $ref cycle at {ref}")
            seen.add(ref)
            target: Any = self.root
            for raw in ref[2:].split("/"):
                token = raw.replace("~1", "/").replace("~0", "~")
                if isinstance(target, dict) and token in target:
                    target = target[token]
                elif isinstance(target, list) and token.isdigit() and int(token) < len(target):
                    target = target[int(token)]
                else:
                    raise SpecError(f"{self.label}: unresolvable $ref {ref}")
            name = ref.rsplit("/", 1)[-1]
            node = target
        return node, name

    def obj(self, node: Any) -> dict[str, Any]:
        """A resolved object (parameter, response, request body, header), {} when absent."""
        target, _ = self.resolve(node)
        return target if isinstance(target, dict) else {}

    def schema(self, node: Any, depth: int = 0) -> tuple[dict[str, Any], str | None]:
        """A schema with $ref resolved, allOf flattened and null-only variants folded into `nullable`."""
        if depth > MAX_DEPTH:
            raise SpecError(f"{self.label}: allOf/oneOf nesting deeper than {MAX_DEPTH} (a recursive allOf?)")
        target, name = self.resolve(node)
        if not isinstance(target, dict):
            return {}, name
        schema = target
        if "allOf" in schema:
            schema = self._flatten_all_of(schema, depth)
        return self._fold_null_variants(schema, depth), name

    def _flatten_all_of(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        parts = [self.schema(part, depth + 1)[0] for part in schema.get("allOf") or []]
        outer = {key: value for key, value in schema.items() if key != "allOf"}
        merged: dict[str, Any] = {}
        for part in [*parts, outer]:
            merged = merge_schemas(merged, part)
        # `nullable: true` next to allOf states the intent for the whole (how generators read it); without it,
        # null is allowed only when every part allows it
        if "nullable" in outer:
            merged["nullable"] = bool(outer["nullable"])
        elif parts and all(part.get("nullable") for part in parts):
            merged["nullable"] = True
        else:
            merged.pop("nullable", None)
        return merged

    def _fold_null_variants(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        for key in ("oneOf", "anyOf"):
            variants = schema.get(key)
            if not isinstance(variants, list):
                continue
            kept = [variant for variant in variants if not is_null_schema(self.resolve(variant)[0])]
            if len(kept) == len(variants):
                continue
            outer = {k: v for k, v in schema.items() if k != key}
            outer["nullable"] = True
            if len(kept) == 1 and "oneOf" not in outer and "anyOf" not in outer:
                inner, _ = self.schema(kept[0], depth + 1)
                schema = merge_schemas(inner, outer)
                schema["nullable"] = True
            else:
                if kept:
                    outer[key] = kept
                schema = outer
        return schema


def is_null_schema(schema: Any) -> bool:
    return isinstance(schema, dict) and (schema.get("type") == "null" or schema.get("enum") == [None])


def merge_schemas(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """The conjunction of two schemas (allOf), as far as the comparison needs it; b's annotations win."""
    out = dict(a)
    for key, value in b.items():
        if key not in out:
            out[key] = value
            continue
        current = out[key]
        if key == "properties" and isinstance(current, dict) and isinstance(value, dict):
            properties = dict(current)
            for name, sub in value.items():
                properties[name] = {"allOf": [properties[name], sub]} if name in properties else sub
            out[key] = properties
        elif key == "required":
            out[key] = list(dict.fromkeys([*current, *value]))
        elif key == "enum":
            out[key] = [item for item in current if item in value]
        elif key in ("maxLength", "maxItems", "maxProperties", "maximum"):
            out[key] = min(current, value)
        elif key in ("minLength", "minItems", "minProperties", "minimum"):
            out[key] = max(current, value)
        elif key == "additionalProperties":
            if current is False or value is False:
                out[key] = False
            elif isinstance(current, dict) and isinstance(value, dict):
                out[key] = {"allOf": [current, value]}
            elif isinstance(value, dict):
                out[key] = value
        elif key == "items":
            out[key] = {"allOf": [current, value]}
        elif key in ("readOnly", "writeOnly", "uniqueItems", "exclusiveMinimum", "exclusiveMaximum"):
            out[key] = bool(current) or bool(value)
        else:
            out[key] = value
    return out


def schema_types(schema: dict[str, Any]) -> set[str] | None:
    """The JSON types a schema allows (None: any), inferring `object`/`array` from the keywords used."""
    declared = schema.get("type")
    if isinstance(declared, list):
        return {str(t) for t in declared if t != "null"} or None
    if isinstance(declared, str):
        return {declared}
    if "properties" in schema or "additionalProperties" in schema:
        return {"object"}
    if "items" in schema:
        return {"array"}
    return None


def accepts(outer: set[str] | None, inner: set[str] | None) -> bool:
    """Does a schema of types `outer` accept every value of types `inner`?"""
    if outer is None:
        return True
    if inner is None:
        return False
    return all(t in outer or (t == "integer" and "number" in outer) for t in inner)


def describe_types(types: set[str] | None) -> str:
    return "any" if types is None else "|".join(sorted(types))


def fingerprint(schema: dict[str, Any]) -> str:
    """Documentation-free canonical form, to spot a property that was renamed but not changed."""

    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k not in DOC_KEYWORDS}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    return json.dumps(strip(schema), sort_keys=True, default=str)


def join(path: str, part: str) -> str:
    if part.startswith("["):
        return f"{path}{part}"
    return f"{path}.{part}" if path else part
