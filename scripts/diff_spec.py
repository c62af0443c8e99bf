"""Breaking-change report for the OpenAPI 3.0 contract: BASE against HEAD, judged from the client's side.

    python scripts/diff_spec.py --base origin/main      # git show origin/main:openapi/openapi.yaml vs the work tree
    python scripts/diff_spec.py --base-file old.yaml --head-file new.yaml
    python scripts/diff_spec.py --base HEAD --format json --fail-on warning
    python scripts/diff_spec.py --base origin/main --report reports/diff-spec.md   # also Markdown, for a PR

Exit status: 0 no breaking change (also when the spec does not exist at BASE), 1 breaking change(s) found
(or warnings with --fail-on warning), 2 usage error (unknown ref, unreadable or unsupported spec).

Every change gets a level and a rule id (named after oasdiff's checks where one exists):
  breaking  an existing client can fail: removed path/operation/response status/media type, changed operationId,
            new required parameter or body property, narrowed request type/enum/pattern/format/bounds, removed
            response property, response property no longer required or newly nullable, widened response enum,
            changed response type, a new response variant (oneOf/anyOf), stricter security
  warning   may break some clients: removed optional request property or header, widened response bounds,
            changed response format, removed optional response header, changed tags (generated client modules)
  info      compatible: additions, widened request constraints, narrowed response constraints, deprecations

Request schemas (parameters, request bodies) break when they accept less; response schemas break when they can
return more or promise less. $refs (local, #/...) are resolved, allOf is flattened, a null-only oneOf/anyOf
variant is folded into `nullable` (so `nullable: true` + `allOf: [$ref]` and `anyOf: [$ref, {enum: [null]}]` are
the same thing), recursive schemas are followed once, and path templates match whatever their parameters are
named. Descriptions, summaries and examples are documentation and are not compared.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

if __package__ in (None, ""):  # run as a file (python scripts/diff_spec.py)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts.diff_report import write_report

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = ROOT / "openapi" / "openapi.yaml"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
BREAKING, WARNING, INFO = "breaking", "warning", "info"
LEVELS = (BREAKING, WARNING, INFO)
REQUEST, RESPONSE = "request", "response"
MAX_DEPTH = 64
DOCUMENT = "(document)"
# format changes that widen what a request may carry: the old values are all still valid
WIDER_FORMATS = {("int32", "int64"), ("float", "double")}
# keywords that only document: never compared
DOC_KEYWORDS = {"description", "summary", "example", "examples", "title", "externalDocs", "xml"}


class SpecError(Exception):
    """The spec cannot be read or uses something this tool does not support."""


@dataclass(frozen=True)
class Change:
    level: str
    rule: str
    operation: str  # "POST /v1/sessions/chat", or "(document)"
    location: str  # "response 200 application/json: owner.id", or "" for the operation itself
    message: str


# --------------------------------------------------------------------------- documents and schemas


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


# --------------------------------------------------------------------------- the comparison


class Differ:
    def __init__(self, base: Document, head: Document) -> None:
        self.base = base
        self.head = head
        self.changes: list[Change] = []
        self.operation = DOCUMENT
        self.context = ""
        self.compared: set[tuple[str, ...]] = set()

    def add(self, level: str, rule: str, message: str, path: str = "") -> None:
        location = self.context
        if path:
            location = f"{location}: {path}" if location else path
        self.changes.append(Change(level, rule, self.operation, location, message))

    # ----------------------------------------------------------------------- document and paths

    def run(self) -> list[Change]:
        base_paths = index_paths(self.base.root.get("paths") or {})
        head_paths = index_paths(self.head.root.get("paths") or {})
        for key, (base_path, base_item) in base_paths.items():
            if key not in head_paths:
                for method in operations(base_item):
                    self.operation = f"{method.upper()} {base_path}"
                    self.context = ""
                    self.add(BREAKING, "api-path-removed", f"path {base_path} was removed with this operation")
                continue
            head_path, head_item = head_paths[key]
            self.compare_path(base_path, self.base.obj(base_item), head_path, self.head.obj(head_item))
        for key, (head_path, head_item) in head_paths.items():
            if key not in base_paths:
                for method in operations(head_item):
                    self.operation = f"{method.upper()} {head_path}"
                    self.context = ""
                    self.add(INFO, "api-path-added", f"new path {head_path}")
        self.operation, self.context = DOCUMENT, ""
        self.compare_security_schemes()
        return self.changes

    def compare_path(
        self, base_path: str, base_item: dict[str, Any], head_path: str, head_item: dict[str, Any]
    ) -> None:
        for method in HTTP_METHODS:
            self.operation = f"{method.upper()} {head_path}"
            self.context = ""
            base_op, head_op = base_item.get(method), head_item.get(method)
            if base_op is None and head_op is None:
                continue
            if head_op is None:
                self.operation = f"{method.upper()} {base_path}"
                self.add(BREAKING, "api-operation-removed", "operation was removed")
            elif base_op is None:
                self.add(INFO, "api-operation-added", "new operation")
            else:
                self.compare_operation(base_path, base_item, base_op, head_path, head_item, head_op)

    def compare_operation(
        self,
        base_path: str,
        base_item: dict[str, Any],
        base_op: dict[str, Any],
        head_path: str,
        head_item: dict[str, Any],
        head_op: dict[str, Any],
    ) -> None:
        base_id, head_id = base_op.get("operationId"), head_op.get("operationId")
        if base_id and base_id != head_id:
            if head_id:
                self.add(
                    BREAKING,
                    "api-operation-id-changed",
                    f"operationId changed from `{base_id}` to `{head_id}` (generated clients and handlers rename)",
                )
            else:
                self.add(BREAKING, "api-operation-id-removed", f"operationId `{base_id}` was removed")
        elif head_id and not base_id:
            self.add(INFO, "api-operation-id-added", f"operationId `{head_id}` added")
        if not base_op.get("deprecated") and head_op.get("deprecated"):
            self.add(INFO, "api-deprecated", "operation deprecated")
        elif base_op.get("deprecated") and not head_op.get("deprecated"):
            self.add(INFO, "api-reactivated", "operation no longer deprecated")
        base_tags, head_tags = list(base_op.get("tags") or []), list(head_op.get("tags") or [])
        if base_tags != head_tags:
            self.add(
                WARNING,
                "api-tags-changed",
                f"tags changed from {base_tags} to {head_tags} (generated client and server modules move)",
            )
        self.compare_security(base_op, head_op)
        self.compare_parameters(
            parameters(self.base, base_path, base_item, base_op), parameters(self.head, head_path, head_item, head_op)
        )
        self.compare_request_body(base_op.get("requestBody"), head_op.get("requestBody"))
        self.compare_responses(base_op.get("responses") or {}, head_op.get("responses") or {})

    # ----------------------------------------------------------------------- security

    def compare_security(self, base_op: dict[str, Any], head_op: dict[str, Any]) -> None:
        self.context = "security"
        base_anon, base_reqs = security_requirements(self.base.root, base_op)
        head_anon, head_reqs = security_requirements(self.head.root, head_op)
        if base_anon and not head_anon:
            schemes = " or ".join(format_requirement(r) for r in sorted(head_reqs, key=sorted))
            self.add(BREAKING, "api-security-added", f"operation now requires authentication ({schemes})")
        if not head_anon:
            for requirement in base_reqs - head_reqs:
                self.add(
                    BREAKING,
                    "api-security-removed",
                    f"security requirement {format_requirement(requirement)} is no longer accepted",
                )
        for requirement in head_reqs - base_reqs if base_reqs or not base_anon else ():
            self.add(
                INFO, "api-security-alternative-added", f"new security requirement {format_requirement(requirement)}"
            )
        if head_anon and not base_anon:
            self.add(INFO, "api-security-optional", "operation no longer requires authentication")
        self.context = ""

    def compare_security_schemes(self) -> None:
        base_schemes = (self.base.root.get("components") or {}).get("securitySchemes") or {}
        head_schemes = (self.head.root.get("components") or {}).get("securitySchemes") or {}
        self.context = "components.securitySchemes"
        for name, base_raw in base_schemes.items():
            if name not in head_schemes:
                continue  # a requirement that used it is reported per operation
            base_scheme, head_scheme = self.base.obj(base_raw), self.head.obj(head_schemes[name])
            for key in ("type", "in", "name", "scheme", "openIdConnectUrl"):
                base_value, head_value = base_scheme.get(key), head_scheme.get(key)
                if key == "scheme" and isinstance(base_value, str) and isinstance(head_value, str):
                    base_value, head_value = base_value.lower(), head_value.lower()
                if base_value != head_value:
                    self.add(
                        BREAKING,
                        "api-security-scheme-changed",
                        f"security scheme `{name}`: {key} changed from {base_value!r} to {head_value!r}",
                    )
        self.context = ""

    # ----------------------------------------------------------------------- parameters

    def compare_parameters(
        self, base: dict[tuple[str, str], dict[str, Any]], head: dict[tuple[str, str], dict[str, Any]]
    ) -> None:
        for key in [*base, *(k for k in head if k not in base)]:
            base_param, head_param = base.get(key), head.get(key)
            self.context = f"request {parameter_label(head_param or base_param or {})}"
            if base_param is None:
                assert head_param is not None
                if head_param.get("required"):
                    self.add(BREAKING, "request-parameter-added-required", "new required parameter")
                else:
                    self.add(INFO, "request-parameter-added", "new optional parameter")
                continue
            if head_param is None:
                if base_param.get("in") == "query":
                    # Connexion's strict_validation (on in this service) rejects unknown query parameters
                    self.add(BREAKING, "request-parameter-removed", "parameter removed; strict servers now reject it")
                else:
                    self.add(WARNING, "request-parameter-removed", "parameter removed; clients still sending it")
                continue
            if head_param.get("required") and not base_param.get("required"):
                self.add(BREAKING, "request-parameter-became-required", "parameter became required")
            elif base_param.get("required") and not head_param.get("required"):
                self.add(INFO, "request-parameter-became-optional", "parameter became optional")
            for key_name in ("style", "explode"):
                if base_param.get(key_name) != head_param.get(key_name):
                    self.add(
                        BREAKING,
                        "request-parameter-serialization-changed",
                        describe_change(key_name, base_param.get(key_name), head_param.get(key_name)),
                    )
            if base_param.get("allowEmptyValue") and not head_param.get("allowEmptyValue"):
                self.add(BREAKING, "request-parameter-empty-value-forbidden", "empty value no longer allowed")
            if not base_param.get("deprecated") and head_param.get("deprecated"):
                self.add(INFO, "request-parameter-deprecated", "parameter deprecated")
            self.compare_schema(parameter_schema(base_param), parameter_schema(head_param), REQUEST, "")
        self.context = ""

    # ----------------------------------------------------------------------- request body

    def compare_request_body(self, base_raw: Any, head_raw: Any) -> None:
        self.context = "request body"
        base = self.base.obj(base_raw) if base_raw is not None else None
        head = self.head.obj(head_raw) if head_raw is not None else None
        if base is None and head is None:
            self.context = ""
            return
        if base is None:
            if head is not None and head.get("required"):
                self.add(BREAKING, "request-body-added-required", "new required request body")
            else:
                self.add(INFO, "request-body-added", "new optional request body")
        elif head is None:
            self.add(WARNING, "request-body-removed", "request body removed; clients still sending one")
        else:
            if head.get("required") and not base.get("required"):
                self.add(BREAKING, "request-body-became-required", "request body became required")
            elif base.get("required") and not head.get("required"):
                self.add(INFO, "request-body-became-optional", "request body became optional")
            base_content, head_content = base.get("content") or {}, head.get("content") or {}
            for media_type in base_content:
                if media_type not in head_content:
                    self.add(BREAKING, "request-media-type-removed", f"media type {media_type} no longer accepted")
            for media_type in head_content:
                if media_type not in base_content:
                    self.add(INFO, "request-media-type-added", f"media type {media_type} now accepted")
            for media_type in base_content:
                if media_type in head_content:
                    self.context = f"request body {media_type}"
                    self.compare_schema(
                        (base_content[media_type] or {}).get("schema"),
                        (head_content[media_type] or {}).get("schema"),
                        REQUEST,
                        "",
                    )
        self.context = ""

    # ----------------------------------------------------------------------- responses

    def compare_responses(self, base: dict[Any, Any], head: dict[Any, Any]) -> None:
        base_codes = {str(code).upper(): value for code, value in base.items()}
        head_codes = {str(code).upper(): value for code, value in head.items()}
        for code, base_raw in base_codes.items():
            self.context = f"response {code}"
            if code not in head_codes:
                self.add(BREAKING, "response-status-removed", f"response status {code} was removed")
                continue
            self.compare_response(self.base.obj(base_raw), self.head.obj(head_codes[code]), code)
        for code in head_codes:
            if code not in base_codes:
                self.context = f"response {code}"
                self.add(INFO, "response-status-added", f"new response status {code}")
        self.context = ""

    def compare_response(self, base: dict[str, Any], head: dict[str, Any], code: str) -> None:
        base_content, head_content = base.get("content") or {}, head.get("content") or {}
        for media_type in base_content:
            if media_type not in head_content:
                self.add(BREAKING, "response-media-type-removed", f"media type {media_type} is no longer returned")
        for media_type in head_content:
            if media_type not in base_content:
                self.add(INFO, "response-media-type-added", f"media type {media_type} may now be returned")
        for media_type in base_content:
            if media_type in head_content:
                self.context = f"response {code} {media_type}"
                self.compare_schema(
                    (base_content[media_type] or {}).get("schema"),
                    (head_content[media_type] or {}).get("schema"),
                    RESPONSE,
                    "",
                )
        base_headers = {str(k).lower(): (k, v) for k, v in (base.get("headers") or {}).items()}
        head_headers = {str(k).lower(): (k, v) for k, v in (head.get("headers") or {}).items()}
        for key, (name, base_raw) in base_headers.items():
            self.context = f"response {code} header {name}"
            base_header = self.base.obj(base_raw)
            if key not in head_headers:
                level = BREAKING if base_header.get("required") else WARNING
                self.add(level, "response-header-removed", "response header removed")
                continue
            head_header = self.head.obj(head_headers[key][1])
            if base_header.get("required") and not head_header.get("required"):
                self.add(BREAKING, "response-header-became-optional", "response header no longer required")
            self.compare_schema(parameter_schema(base_header), parameter_schema(head_header), RESPONSE, "")
        for key, (name, _) in head_headers.items():
            if key not in base_headers:
                self.context = f"response {code} header {name}"
                self.add(INFO, "response-header-added", "new response header")
        self.context = f"response {code}"

    # ----------------------------------------------------------------------- schemas

    def compare_schema(
        self, base_node: Any, head_node: Any, direction: str, path: str, stack: tuple[Any, ...] = ()
    ) -> None:
        if base_node is None and head_node is None:
            return
        if base_node is None or head_node is None:
            if direction == REQUEST and base_node is None:
                self.add(BREAKING, "request-schema-added", "a schema now constrains what was free", path)
            elif direction == RESPONSE and head_node is None:
                self.add(WARNING, "response-schema-removed", "no longer described by a schema", path)
            return
        base, base_name = self.base.schema(base_node)
        head, head_name = self.head.schema(head_node)
        if base_name and head_name:
            key = (base_name, head_name, direction)
            if key in stack or len(stack) > MAX_DEPTH:
                return  # a recursive schema: this pair is being compared further up
            # a component reached again in the same request or response has the same changes: they are reported
            # once, where it is first reached (owner.id, not again as effective_owner.id or parent.owner.id)
            seen = (self.operation, self.context, *key)
            if seen in self.compared:
                return
            self.compared.add(seen)
            stack = (*stack, key)
        self.compare_nullable(base, head, direction, path)
        base_variants, head_variants = variants(base), variants(head)
        if base_variants is not None or head_variants is not None:
            self.compare_variants(base, head, base_variants, head_variants, direction, path, stack)
            return
        if not self.compare_types(base, head, direction, path):
            return  # a changed type makes the finer checks noise
        self.compare_enum(base, head, direction, path)
        self.compare_format(base, head, direction, path)
        self.compare_constraints(base, head, direction, path)
        if direction == REQUEST and "default" in base and base.get("default") != head.get("default"):
            self.add(
                WARNING,
                "request-default-changed",
                describe_change("default", base.get("default"), head.get("default")),
                path,
            )
        base_types, head_types = schema_types(base), schema_types(head)
        if "object" in (base_types or set()) or "object" in (head_types or set()):
            self.compare_object(base, head, direction, path, stack)
        if "items" in base or "items" in head:
            self.compare_schema(base.get("items"), head.get("items"), direction, join(path, "[]"), stack)

    def compare_nullable(self, base: dict[str, Any], head: dict[str, Any], direction: str, path: str) -> None:
        base_null, head_null = bool(base.get("nullable")), bool(head.get("nullable"))
        if base_null == head_null:
            return
        if direction == REQUEST:
            if base_null:
                self.add(BREAKING, "request-property-became-not-nullable", "null is no longer accepted", path)
            else:
                self.add(INFO, "request-property-became-nullable", "null is now accepted", path)
        elif head_null:
            self.add(BREAKING, "response-property-became-nullable", "may now be null", path)
        else:
            self.add(INFO, "response-property-became-not-nullable", "is no longer null", path)

    def compare_variants(
        self,
        base: dict[str, Any],
        head: dict[str, Any],
        base_variants: list[Any] | None,
        head_variants: list[Any] | None,
        direction: str,
        path: str,
        stack: tuple[Any, ...],
    ) -> None:
        base_list = base_variants if base_variants is not None else [without(base, "nullable")]
        head_list = head_variants if head_variants is not None else [without(head, "nullable")]
        base_keys = [self.variant_key(self.base, v) for v in base_list]
        head_keys = [self.variant_key(self.head, v) for v in head_list]
        pairs: list[tuple[int, int]] = []
        unmatched_head = list(range(len(head_list)))
        unmatched_base: list[int] = []
        for rank in (0, 1):  # by component name first, then by type
            unmatched_base = []
            for i in [i for i in range(len(base_list)) if all(p[0] != i for p in pairs)]:
                match = next(
                    (j for j in unmatched_head if base_keys[i][rank] and base_keys[i][rank] == head_keys[j][rank]), None
                )
                if match is None:
                    unmatched_base.append(i)
                else:
                    pairs.append((i, match))
                    unmatched_head.remove(match)
        if len(unmatched_base) == 1 and len(unmatched_head) == 1:
            pairs.append((unmatched_base.pop(), unmatched_head.pop()))
        for i, j in sorted(pairs):
            label = head_keys[j][0] or base_keys[i][0] or head_keys[j][1] or str(j)
            sub_path = join(path, f"<{label}>") if len(base_list) > 1 or len(head_list) > 1 else path
            self.compare_schema(base_list[i], head_list[j], direction, sub_path, stack)
        for i in unmatched_base:
            label = base_keys[i][0] or base_keys[i][1] or str(i)
            if direction == REQUEST:
                self.add(BREAKING, "request-schema-variant-removed", f"variant {label} is no longer accepted", path)
            else:
                self.add(INFO, "response-schema-variant-removed", f"variant {label} is no longer returned", path)
        for j in unmatched_head:
            label = head_keys[j][0] or head_keys[j][1] or str(j)
            if direction == REQUEST:
                self.add(INFO, "request-schema-variant-added", f"variant {label} is now accepted", path)
            else:
                self.add(BREAKING, "response-schema-variant-added", f"variant {label} may now be returned", path)

    @staticmethod
    def variant_key(document: Document, node: Any) -> tuple[str | None, str | None]:
        schema, name = document.schema(node)
        types = schema_types(schema)
        return name, describe_types(types) if types else None

    def compare_types(self, base: dict[str, Any], head: dict[str, Any], direction: str, path: str) -> bool:
        base_types, head_types = schema_types(base), schema_types(head)
        if base_types == head_types:
            return True
        change = f"type changed from {describe_types(base_types)} to {describe_types(head_types)}"
        if direction == REQUEST:
            if not accepts(head_types, base_types):
                self.add(BREAKING, "request-type-changed", f"{change}: old values are rejected", path)
                return False
            self.add(INFO, "request-type-widened", change, path)
        else:
            if not accepts(base_types, head_types):
                self.add(BREAKING, "response-type-changed", f"{change}: clients may not parse it", path)
                return False
            self.add(INFO, "response-type-narrowed", change, path)
        return True

    def compare_enum(self, base: dict[str, Any], head: dict[str, Any], direction: str, path: str) -> None:
        base_enum = [v for v in base["enum"] if v is not None] if isinstance(base.get("enum"), list) else None
        head_enum = [v for v in head["enum"] if v is not None] if isinstance(head.get("enum"), list) else None
        if base_enum == head_enum:
            return
        if base_enum is None or head_enum is None:
            restricted = head_enum is not None
            values = ", ".join(map(repr, head_enum or base_enum or []))
            if direction == REQUEST:
                level, rule = (BREAKING, "request-enum-added") if restricted else (INFO, "request-enum-removed")
            else:
                level, rule = (INFO, "response-enum-added") if restricted else (BREAKING, "response-enum-removed")
            message = f"now restricted to [{values}]" if restricted else f"no longer restricted to [{values}]"
            self.add(level, rule, message, path)
            return
        removed = [v for v in base_enum if v not in head_enum]
        added = [v for v in head_enum if v not in base_enum]
        if removed:
            level, rule = (
                (BREAKING, "request-enum-value-removed")
                if direction == REQUEST
                else (INFO, "response-enum-value-removed")
            )
            self.add(level, rule, f"enum values removed: {', '.join(map(repr, removed))}", path)
        if added:
            level, rule = (
                (INFO, "request-enum-value-added") if direction == REQUEST else (BREAKING, "response-enum-value-added")
            )
            self.add(level, rule, f"enum values added: {', '.join(map(repr, added))}", path)

    def compare_format(self, base: dict[str, Any], head: dict[str, Any], direction: str, path: str) -> None:
        base_format, head_format = base.get("format"), head.get("format")
        if base_format == head_format:
            return
        change = describe_change("format", base_format, head_format)
        if direction == REQUEST:
            widened = head_format is None or (base_format, head_format) in WIDER_FORMATS
            self.add(INFO if widened else BREAKING, "request-format-changed", change, path)
        else:
            narrowed = base_format is None or (head_format, base_format) in WIDER_FORMATS
            self.add(INFO if narrowed else WARNING, "response-format-changed", change, path)

    def compare_constraints(self, base: dict[str, Any], head: dict[str, Any], direction: str, path: str) -> None:
        for key in ("maxLength", "maxItems", "maxProperties", "maximum"):
            self.compare_bound(base, head, key, upper=True, direction=direction, path=path)
        for key in ("minLength", "minItems", "minProperties", "minimum"):
            self.compare_bound(base, head, key, upper=False, direction=direction, path=path)
        for key in ("exclusiveMaximum", "exclusiveMinimum", "uniqueItems"):
            base_flag, head_flag = bool(base.get(key)), bool(head.get(key))
            if base_flag != head_flag:
                self.judge(
                    direction,
                    narrowed=head_flag,
                    rule=f"{key}-changed",
                    message=f"{key} {base_flag} -> {head_flag}",
                    path=path,
                )
        base_pattern, head_pattern = base.get("pattern"), head.get("pattern")
        if base_pattern != head_pattern:
            # whether one regular expression accepts less than another is not decidable here: any new or changed
            # pattern counts as narrowing, a removed one as widening
            message = describe_change("pattern", base_pattern, head_pattern)
            self.judge(direction, narrowed=head_pattern is not None, rule="pattern-changed", message=message, path=path)
        base_multiple, head_multiple = base.get("multipleOf"), head.get("multipleOf")
        if base_multiple != head_multiple:
            # widened only when every old multiple is still a multiple (the new step divides the old one)
            widened = head_multiple is None or (base_multiple is not None and base_multiple % head_multiple == 0)
            narrowed = not widened
            message = describe_change("multipleOf", base_multiple, head_multiple)
            self.judge(direction, narrowed=narrowed, rule="multiple-of-changed", message=message, path=path)

    def compare_bound(
        self, base: dict[str, Any], head: dict[str, Any], key: str, *, upper: bool, direction: str, path: str
    ) -> None:
        base_value, head_value = base.get(key), head.get(key)
        if base_value == head_value:
            return
        if head_value is None:
            narrowed = False
        elif base_value is None:
            narrowed = True
        else:
            narrowed = head_value < base_value if upper else head_value > base_value
        message = describe_change(key, base_value, head_value)
        rule = re.sub(r"(?<!^)(?=[A-Z])", "-", key).lower() + ("-decreased" if upper == narrowed else "-increased")
        self.judge(direction, narrowed=narrowed, rule=rule, message=message, path=path)

    def judge(self, direction: str, *, narrowed: bool, rule: str, message: str, path: str) -> None:
        """Constraints: narrowing breaks requests; widening in a response may surprise strict clients."""
        if direction == REQUEST:
            self.add(BREAKING if narrowed else INFO, f"request-{rule}", message, path)
        else:
            self.add(INFO if narrowed else WARNING, f"response-{rule}", message, path)

    def compare_object(
        self, base: dict[str, Any], head: dict[str, Any], direction: str, path: str, stack: tuple[Any, ...]
    ) -> None:
        base_props: dict[str, Any] = base.get("properties") or {}
        head_props: dict[str, Any] = head.get("properties") or {}
        base_required, head_required = set(base.get("required") or []), set(head.get("required") or [])
        names = list(dict.fromkeys([*base_props, *base_required, *head_props, *head_required]))
        added = [n for n in names if n in head_props and n not in base_props]
        for name in names:
            sub = join(path, name)
            base_node, head_node = base_props.get(name), head_props.get(name)
            was_required, is_required = name in base_required, name in head_required
            if direction == REQUEST:
                self.compare_request_property(base_node, head_node, was_required, is_required, head, sub, stack)
            else:
                self.compare_response_property(
                    base_node, head_node, was_required, is_required, added, head_props, sub, stack
                )
        self.compare_additional(base, head, direction, path, stack)

    def compare_request_property(
        self,
        base_node: Any,
        head_node: Any,
        was_required: bool,
        is_required: bool,
        head: dict[str, Any],
        path: str,
        stack: tuple[Any, ...],
    ) -> None:
        """One property of a request object: what the client sends (readOnly properties it never sends)."""
        server_only = head_node is not None and bool(self.head.schema(head_node)[0].get("readOnly"))
        if base_node is None and head_node is not None and not was_required:
            if is_required and not server_only:
                self.add(BREAKING, "request-property-added-required", "new required property", path)
            else:
                self.add(INFO, "request-property-added", "new optional property", path)
            return
        if base_node is not None and head_node is None and not is_required:
            if head.get("additionalProperties") is False:
                self.add(BREAKING, "request-property-removed", "property removed; the server now rejects it", path)
            else:
                self.add(WARNING, "request-property-removed", "property removed; clients still sending it", path)
            return
        if is_required and not was_required and not server_only:
            self.add(BREAKING, "request-property-became-required", "property became required", path)
        elif was_required and not is_required:
            self.add(INFO, "request-property-became-optional", "property became optional", path)
        if base_node is not None or head_node is not None:
            self.compare_schema(base_node or {}, head_node or {}, REQUEST, path, stack)

    def compare_response_property(
        self,
        base_node: Any,
        head_node: Any,
        was_required: bool,
        is_required: bool,
        added: list[str],
        head_props: dict[str, Any],
        path: str,
        stack: tuple[Any, ...],
    ) -> None:
        """One property of a response object: what the client reads (writeOnly properties it never gets)."""
        client_only = base_node is not None and bool(self.base.schema(base_node)[0].get("writeOnly"))
        if base_node is not None and head_node is None:
            if client_only:
                self.add(INFO, "response-write-only-property-removed", "write-only property removed", path)
            else:
                hint = self.rename_hint(base_node, head_props, added)
                if is_required:
                    hint += " (still listed in `required`, now without a schema)"
                self.add(BREAKING, "response-property-removed", f"property removed{hint}", path)
            return
        if base_node is None and head_node is not None and not was_required:
            self.add(INFO, "response-property-added", "new property", path)
            return
        if was_required and not is_required and not client_only:
            self.add(BREAKING, "response-property-became-optional", "property is no longer required", path)
        elif is_required and not was_required:
            self.add(INFO, "response-property-became-required", "property is now always present", path)
        if base_node is not None or head_node is not None:
            self.compare_schema(base_node or {}, head_node or {}, RESPONSE, path, stack)

    def rename_hint(self, base_node: Any, head_props: dict[str, Any], added: list[str]) -> str:
        if base_node is None:
            return ""
        old = fingerprint(self.base.schema(base_node)[0])
        same = [name for name in added if fingerprint(self.head.schema(head_props[name])[0]) == old]
        return f" (renamed to `{same[0]}`?)" if len(same) == 1 else ""

    def compare_additional(
        self, base: dict[str, Any], head: dict[str, Any], direction: str, path: str, stack: tuple[Any, ...]
    ) -> None:
        base_extra, head_extra = base.get("additionalProperties", True), head.get("additionalProperties", True)
        sub = join(path, "*")
        if isinstance(base_extra, dict) and isinstance(head_extra, dict):
            self.compare_schema(base_extra, head_extra, direction, sub, stack)
            return
        base_open, head_open = base_extra is not False, head_extra is not False
        base_free, head_free = base_extra is True or base_extra == {}, head_extra is True or head_extra == {}
        if base_free == head_free and base_open == head_open:
            return
        narrowed = (base_open and not head_open) or (base_free and not head_free)
        message = f"additionalProperties changed from {describe_extra(base_extra)} to {describe_extra(head_extra)}"
        if direction == REQUEST:
            self.add(BREAKING if narrowed else INFO, "request-additional-properties-changed", message, path)
        else:
            self.add(INFO if narrowed else WARNING, "response-additional-properties-changed", message, path)


def describe_change(keyword: str, old: Any, new: Any) -> str:
    if old is None:
        return f"{keyword} {new!r} added"
    if new is None:
        return f"{keyword} {old!r} removed"
    return f"{keyword} changed from {old!r} to {new!r}"


def describe_extra(value: Any) -> str:
    if value is False:
        return "forbidden"
    if value is True or value == {}:
        return "any"
    return "a schema"


def without(schema: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k != key}


def variants(schema: dict[str, Any]) -> list[Any] | None:
    for key in ("oneOf", "anyOf"):
        if isinstance(schema.get(key), list):
            return list(schema[key])
    return None


def operations(item: Any) -> Iterator[str]:
    if isinstance(item, dict):
        yield from (method for method in HTTP_METHODS if method in item)


def index_paths(paths: dict[str, Any]) -> dict[str, tuple[str, Any]]:
    """Paths keyed by their template with parameter names erased: /a/{id} and /a/{name} are the same path."""
    return {re.sub(r"\{[^}/]*\}", "{}", path): (path, item) for path, item in paths.items()}


def parameters(
    document: Document, path: str, item: dict[str, Any], op: dict[str, Any]
) -> dict[tuple[str, str], dict[str, Any]]:
    """The operation's effective parameters (path-level overridden by operation-level), keyed for matching.

    Path parameters are keyed by their position in the template, so renaming one is not a change."""
    positions = {name: index for index, name in enumerate(re.findall(r"\{([^}/]*)\}", path))}
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for raw in [*(item.get("parameters") or []), *(op.get("parameters") or [])]:
        param = document.obj(raw)
        where, name = str(param.get("in")), str(param.get("name"))
        if where == "path":
            key = (where, f"#{positions.get(name, name)}")
        elif where == "header":
            key = (where, name.lower())
        else:
            key = (where, name)
        merged[key] = param
    return merged


def parameter_label(param: dict[str, Any]) -> str:
    where, name = param.get("in"), param.get("name")
    if where == "path":
        return f"path parameter {{{name}}}"
    return f"{where} parameter {name}"


def parameter_schema(param: dict[str, Any]) -> Any:
    if "schema" in param:
        return param["schema"]
    for media in (param.get("content") or {}).values():
        return (media or {}).get("schema")
    return None


def security_requirements(root: dict[str, Any], op: dict[str, Any]) -> tuple[bool, set[frozenset[str]]]:
    """(anonymous access allowed, the alternative sets of scheme names) for one operation."""
    security = op.get("security", root.get("security"))
    if not security:
        return True, set()
    requirements = {frozenset((requirement or {}).keys()) for requirement in security}
    return frozenset() in requirements, {r for r in requirements if r}


def format_requirement(requirement: Iterable[str]) -> str:
    return " + ".join(sorted(requirement))


def diff(base: Any, head: Any, base_label: str = "base", head_label: str = "head") -> list[Change]:
    """Every difference between two parsed OpenAPI 3.0 documents, classified from the client's side."""
    changes = Differ(Document(base, base_label), Document(head, head_label)).run()
    unique = list(dict.fromkeys(changes))
    return sorted(unique, key=lambda c: (c.operation == DOCUMENT, c.operation, LEVELS.index(c.level)))


# --------------------------------------------------------------------------- reading and reporting


def load_yaml(text: str, label: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SpecError(f"{label}: not valid YAML ({exc})") from exc


def git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)


def read_at_ref(ref: str, spec: Path) -> tuple[str | None, str]:
    """(the spec's text at `ref`, or None when it does not exist there; a label for the report)."""
    top = git(["rev-parse", "--show-toplevel"], spec.parent)
    if top.returncode != 0:
        raise SpecError(f"{spec.parent} is not in a git work tree: {top.stderr.strip()}")
    root = Path(top.stdout.strip())
    relative = spec.resolve().relative_to(root.resolve()).as_posix()
    commit = git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], root)
    if commit.returncode != 0:
        raise SpecError(f"unknown git ref {ref!r}")
    label = f"{relative} at {ref} ({commit.stdout.strip()[:12]})"
    if git(["cat-file", "-e", f"{ref}:{relative}"], root).returncode != 0:
        return None, label
    shown = git(["show", f"{ref}:{relative}"], root)
    if shown.returncode != 0:
        raise SpecError(f"git show {ref}:{relative} failed: {shown.stderr.strip()}")
    return shown.stdout, label


def render_text(changes: list[Change], base_label: str, head_label: str) -> str:
    counts = {level: sum(1 for c in changes if c.level == level) for level in LEVELS}
    lines = [
        f"diff-spec: {base_label} -> {head_label}",
        f"{counts[BREAKING]} breaking, {counts[WARNING]} warning, {counts[INFO]} info",
    ]
    if not changes:
        lines.append("no API changes")
    operation = None
    for change in changes:
        if change.operation != operation:
            operation = change.operation
            lines += ["", operation]
        where = f"{change.location}: " if change.location else ""
        lines.append(f"  {change.level.upper():<8}  {where}{change.message}  [{change.rule}]")
    return "\n".join(lines)


def render_json(changes: list[Change], base_label: str, head_label: str) -> str:
    summary = {level: sum(1 for c in changes if c.level == level) for level in LEVELS}
    document = {"base": base_label, "head": head_label, "summary": summary, "changes": [asdict(c) for c in changes]}
    return json.dumps(document, indent=2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Breaking-change report of an OpenAPI 3.0 document (BASE -> HEAD).",
        epilog="Exit status: 0 no breaking change, 1 breaking change (or warning with --fail-on warning), 2 error.",
    )
    base = parser.add_mutually_exclusive_group(required=True)
    base.add_argument("--base", metavar="REF", help="git ref to read the spec at (git show REF:<spec>)")
    base.add_argument("--base-file", type=Path, metavar="FILE", help="the base spec as a file")
    parser.add_argument(
        "--head-file", type=Path, metavar="FILE", help="the head spec (default: --spec in the work tree)"
    )
    parser.add_argument(
        "--spec", type=Path, default=DEFAULT_SPEC, help="the spec in the work tree (default: %(default)s)"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--fail-on", choices=(BREAKING, WARNING), default=BREAKING, help="lowest level that exits 1")
    parser.add_argument(
        "--report", type=Path, metavar="FILE", help="also write the Markdown report (scripts/diff_report.py)"
    )
    args = parser.parse_args(argv)
    try:
        spec = args.spec.resolve()
        if args.base is not None:
            base_text, base_label = read_at_ref(args.base, spec)
            if base_text is None:
                print(f"diff-spec: {base_label} does not exist; nothing to compare")
                if args.report:
                    write_report(args.report, [], None, None, base_label, display(spec))
                return 0
        else:
            base_text, base_label = read_file(args.base_file), str(args.base_file)
        head_path = args.head_file or spec
        head_label = str(args.head_file) if args.head_file else f"{display(spec)} (work tree)"
        head_text = read_file(head_path)
        base_doc, head_doc = load_yaml(base_text, base_label), load_yaml(head_text, head_label)
        changes = diff(base_doc, head_doc, base_label, head_label)
    except SpecError as exc:
        print(f"diff-spec: error: {exc}", file=sys.stderr)
        return 2
    render = render_json if args.format == "json" else render_text
    print(render(changes, base_label, head_label))
    if args.report:
        write_report(args.report, changes, base_doc, head_doc, base_label, head_label)
        print(f"diff-spec: Markdown report in {display(args.report.resolve())}")
    failing = {BREAKING} if args.fail_on == BREAKING else {BREAKING, WARNING}
    if not any(change.level in failing for change in changes):
        return 0
    bumped = major_version_bump(base_doc, head_doc)
    if bumped:
        print(f"diff-spec: breaking changes acknowledged by the major version bump {bumped}")
        return 0
    return 1


def major_version_bump(base: Any, head: Any) -> str | None:
    """'1.4.0 -> 2.0.0' when info.version's major number grew (0.x: the minor), else None.

    A breaking change is allowed to land only together with the version that announces it.
    """

    def parts(doc: Any) -> tuple[int, int] | None:
        version = str(doc.get("info", {}).get("version", "")) if isinstance(doc, dict) else ""
        match = re.match(r"(\d+)\.(\d+)", version)
        return (int(match.group(1)), int(match.group(2))) if match else None

    old, new = parts(base), parts(head)
    if old is None or new is None:
        return None
    grew = new[0] > old[0] or (old[0] == 0 and new[0] == 0 and new[1] > old[1])
    return f"{base['info']['version']} -> {head['info']['version']}" if grew else None


def read_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"cannot read {path}: {exc.strerror}") from exc


def display(path: Path) -> str:
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
