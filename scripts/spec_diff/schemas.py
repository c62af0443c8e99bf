"""The comparison of two schemas, judged from the client's side: a request schema breaks when it accepts
less, a response schema when it can return more or promise less."""

from __future__ import annotations

import re
from typing import Any

from scripts.spec_diff.document import (
    MAX_DEPTH,
    Document,
    accepts,
    describe_types,
    fingerprint,
    join,
    schema_types,
)
from scripts.spec_diff.model import BREAKING, DOCUMENT, INFO, REQUEST, RESPONSE, WARNING, Change

# format changes that widen what a request may carry: the old values are all still valid
WIDER_FORMATS = {("int32", "int64"), ("float", "double")}


class SchemaDiffer:
    """Collects the changes found; compares schemas (and what `Differ` adds: the rest of a document)."""

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
