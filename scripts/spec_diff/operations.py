"""The comparison of two OpenAPI 3.0 documents: paths, operations, security, parameters, request bodies and
responses; their schemas are compared by schemas.py."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from scripts.spec_diff.document import Document
from scripts.spec_diff.model import BREAKING, DOCUMENT, HTTP_METHODS, INFO, LEVELS, REQUEST, RESPONSE, WARNING, Change
from scripts.spec_diff.schemas import SchemaDiffer, describe_change


class Differ(SchemaDiffer):
    """The changes between two documents, operation by operation (Differ(base, head).run())."""

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
