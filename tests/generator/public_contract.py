"""A public OpenAPI 3.0 contract of another API, generated and type-checked by the suite: a slice of the
Rebilly API contract (PROVENANCE.md), read at test time from the npm package that ships it, pinned by
package-lock.json and by its digest here, rather than copied into this repository (its own `info.license`
is Rebilly's API license, not one this repository can redistribute under)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "node_modules" / "@redocly" / "openapi-core" / "src" / "benchmark" / "benches" / "rebilly.yaml"
SHA256 = "4ff679e5934b060f64344733039c59bb149ffb24b86155f7ca0d182cedc59b15"
PATHS = [
    "/tags/{tag}", "/tags/{tag}/customers", "/authentication-tokens/{token}", "/events", "/custom-fields/{resource}",
    "/integrations", "/reports/disputes", "/coupons-redemptions/{id}/cancel", "/files/{id}/download{extension}",
]  # fmt: skip
"""Nine paths, 13 operations of 8 tags: query, path and header parameters, inline and shared schemas, enums
with defaults, several answers with headers. (The whole contract is refused for 11 of its 356 operations:
JSON answers also offered as text/csv or PDF, and schemas whose names become the same class.)"""


def load() -> dict[str, Any]:
    data = SOURCE.read_bytes()
    if hashlib.sha256(data).hexdigest() != SHA256:
        raise AssertionError(f"{SOURCE} is not the pinned file (package-lock.json: @redocly/openapi-core 1.34.24)")
    document: dict[str, Any] = yaml.load(data, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return document


def refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(refs(item) for item in node))
    return set()


def extract(source: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    """`paths` of `source` and every component they refer to, transitively, in the source's order."""
    kept_paths = {path: source["paths"][path] for path in paths}
    pending, kept = refs(kept_paths), set()
    while pending:
        ref = pending.pop()
        if ref not in kept:
            kept.add(ref)
            _, section, name = ref.removeprefix("#/").split("/", 2)
            pending |= refs(source["components"][section][name])
    components: dict[str, Any] = {}
    for section, entries in source.get("components", {}).items():
        chosen = entries if section == "securitySchemes" else {
            name: node for name, node in entries.items() if f"#/components/{section}/{name}" in kept
        }  # fmt: skip
        if chosen:
            components[section] = chosen
    head: dict[str, Any] = {key: source[key] for key in ("openapi", "info", "servers", "security") if key in source}
    return {**head, "paths": kept_paths, "components": components}
