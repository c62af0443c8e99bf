"""The Markdown report of `make diff-spec` (scripts/diff_spec.py --report FILE), fit for a pull-request comment.

diff_spec.py finds the API changes (breaking, warning, info) with its rules; this module sorts them for a
reviewer into three sections, adds the one kind of change diff_spec leaves out on purpose (documentation:
descriptions, summaries, examples, titles), says for each what a client notices, and works out the
version bump the changes call for against the one `info.version` actually made:

    breaking (diff_spec's `breaking`)                              -> major
    non-breaking (its `warning`: may break some clients; `info`)   -> minor
    documentation only                                             -> patch

Below 1.0.0 a breaking change calls for a new minor version (Semantic Versioning 4; diff_spec's gate does
the same). The report is written whatever the verdict; diff_spec's exit status stays the gate.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

MARKER = "<!-- diff-spec-report -->"  # lets a bot find and update its earlier comment
DOC_KEYWORDS = ("description", "summary", "example", "examples", "title", "externalDocs")
# maps whose keys are names chosen by the author, not keywords (a property may be called `title`)
NAME_MAPS = {
    "properties",
    "paths",
    "schemas",
    "responses",
    "parameters",
    "headers",
    "links",
    "securitySchemes",
    "content",
    "callbacks",
    "requestBodies",
    "variables",
    "mapping",
    "encoding",
    "scopes",
}
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
BUMPS = ("none", "patch", "minor", "major")
SHOWN = 160  # characters of an old or new description shown in the report


class ApiChange(Protocol):
    """diff_spec.Change, as this module reads it."""

    @property
    def level(self) -> str: ...
    @property
    def rule(self) -> str: ...
    @property
    def operation(self) -> str: ...
    @property
    def location(self) -> str: ...
    @property
    def message(self) -> str: ...


@dataclass(frozen=True)
class DocChange:
    where: str
    keyword: str
    old: Any
    new: Any


# ------------------------------------------------------------------------- what a client notices

NOTICES = {
    "api-path-removed": "every call to it fails (404)",
    "api-operation-removed": "every call to it fails (405 or 404)",
    "api-operation-id-removed": "generated clients lose or rename the method; code calling it stops compiling",
    "api-security-added": "calls without the newly required credentials are refused (401)",
    "request-body-added-required": "calls without a body are refused (400)",
    "request-body-became-required": "calls without a body are refused (400)",
    "request-parameter-added-required": "calls without the new parameter are refused (400)",
    "request-parameter-became-required": "calls without the parameter are refused (400)",
    "request-property-added-required": "bodies without the new property are refused (400)",
    "request-property-became-required": "bodies without the property are refused (400)",
    "request-property-removed": "bodies that still send the property are refused (400, strict validation)",
    "request-parameter-removed": "calls that still send the parameter are refused (400, strict validation)",
    "request-media-type-removed": "bodies of that media type are refused (415)",
    "response-status-removed": "clients that handle the status keep code that never runs; nothing fails",
    "response-property-removed": "code and generated models reading the property get nothing (or fail to parse)",
    "response-property-became-optional": "code that relies on the property being there can fail",
    "response-property-became-nullable": "code that does not expect null can fail",
    "response-enum-value-added": "a value the client's enum does not know can arrive (generated enums fail to parse)",
    "response-schema-variant-added": "a shape the client does not know can arrive",
    "response-type-changed": "the value arrives as another type: parsers and generated models fail",
    "response-media-type-removed": "clients that ask for that media type get 406 or another one",
    "response-header-became-optional": "code that reads the header can find it missing",
    "api-deprecated": "still works; plan to move off it",
    "api-path-added": "a new operation to call; existing calls unchanged",
    "api-operation-added": "a new operation to call; existing calls unchanged",
    "response-property-added": "a new field in answers; tolerant readers ignore it, regenerated clients get it",
    "response-status-added": "a new status a client may now receive; handle it or treat it as its class (4xx/5xx)",
    "request-property-added": "a new optional field a client may send; existing calls unchanged",
    "request-parameter-added": "a new optional parameter a client may send; existing calls unchanged",
}


def notice(change: ApiChange) -> str:
    """One line a client author understands: what happens to code written against the base contract."""
    if change.rule in NOTICES:
        return NOTICES[change.rule]
    request = change.rule.startswith("request-")
    if change.level == "breaking":
        return (
            "requests valid until now may be refused (400)"
            if request
            else "answers may now hold what the client's parser or generated model does not expect"
        )
    if change.level == "warning":
        return "may break clients that depended on it" + (" in requests" if request else " in answers")
    return "existing calls keep working" + ("; requests may send more" if request else "; answers may differ")


# ------------------------------------------------------------------------- documentation changes


def documentation_changes(base: Any, head: Any) -> list[DocChange]:
    """Descriptions, summaries, examples and titles that differ where both documents have the same node."""
    return list(_walk(base, head, ()))


def _walk(base: Any, head: Any, path: tuple[str, ...]) -> Iterator[DocChange]:
    if isinstance(base, dict) and isinstance(head, dict):
        names = bool(path) and path[-1] in NAME_MAPS and not (len(path) >= 2 and path[-2] == "properties")
        for key in list(base) + [key for key in head if key not in base]:
            if not names and key in DOC_KEYWORDS:
                if base.get(key) != head.get(key):
                    yield DocChange(where(path), str(key), base.get(key), head.get(key))
            elif key in base and key in head:
                yield from _walk(base[key], head[key], (*path, str(key)))
    elif isinstance(base, list) and isinstance(head, list) and len(base) == len(head):
        for index, (old, new) in enumerate(zip(base, head, strict=True)):
            yield from _walk(old, new, (*path, str(index)))


def where(path: tuple[str, ...]) -> str:
    """A reviewer's name for a place in the document: `POST /v1/sessions/chat: responses.200` or
    `schema Session: properties.title`."""
    if len(path) >= 3 and path[0] == "paths" and path[2] in HTTP_METHODS:
        head, rest = f"{path[2].upper()} {path[1]}", path[3:]
    elif len(path) >= 2 and path[0] == "paths":
        head, rest = path[1], path[2:]
    elif len(path) >= 3 and path[0] == "components":
        head, rest = f"{path[1].removesuffix('s')} {path[2]}", path[3:]
    else:
        head, rest = (path[0] if path else "(document)"), path[1:]
    return f"{head}: {'.'.join(rest)}" if rest else head


# ------------------------------------------------------------------------- the version bump


def semver(document: Any) -> tuple[int, int, int] | None:
    version = str(document.get("info", {}).get("version", "")) if isinstance(document, dict) else ""
    match = re.match(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?", version)
    if not match:
        return None
    return (int(match.group(1)), int(match.group(2) or 0), int(match.group(3) or 0))


def required_bump(changes: Sequence[ApiChange], docs: Sequence[DocChange], base: Any) -> str:
    if any(change.level == "breaking" for change in changes):
        version = semver(base)
        return "minor" if version is not None and version[0] == 0 else "major"
    if changes:
        return "minor"
    return "patch" if docs else "none"


def made_bump(base: Any, head: Any) -> str | None:
    """The bump from base's info.version to head's; None when either is not a version number."""
    old, new = semver(base), semver(head)
    if old is None or new is None:
        return None
    if new[0] != old[0]:
        return "major" if new[0] > old[0] else "none"
    if new[1] != old[1]:
        return "minor" if new[1] > old[1] else "none"
    return "patch" if new[2] > old[2] else "none"


# ------------------------------------------------------------------------- Markdown


def escape(text: str) -> str:
    """Text in Markdown that shows as written (patterns are full of `*`, `_`, `|` and backslashes)."""
    return re.sub(r"([\\`*_{}\[\]<>()#+!|~])", r"\\\1", " ".join(text.split()))


def code(text: str) -> str:
    """A code span: shown as written, no escaping inside (a backtick would end it)."""
    return "`" + " ".join(text.split()).replace("`", "'") + "`"


def shown(value: Any) -> str:
    if value is None:
        return "(none)"
    text = " ".join(str(value).split())
    return escape(text if len(text) <= SHOWN else text[: SHOWN - 1] + "…")


def render_markdown(changes: Sequence[ApiChange], base: Any, head: Any, base_label: str, head_label: str) -> str:
    docs = documentation_changes(base, head) if base is not None else []
    breaking = [change for change in changes if change.level == "breaking"]
    compatible = [change for change in changes if change.level != "breaking"]
    lines = [MARKER, "## Contract changes (`openapi/openapi.yaml`)", ""]
    lines.append(f"{code(base_label)} → {code(head_label)}")
    lines.append("")
    if base is None:
        lines += ["The contract does not exist at the base: nothing to compare.", ""]
        return "\n".join(lines)
    lines += [verdict(changes, docs, base, head), ""]
    if not changes and not docs:
        return "\n".join(lines)
    lines.append(
        f"| breaking | non-breaking | documentation only |\n| ---: | ---: | ---: |\n"
        f"| {len(breaking)} | {len(compatible)} | {len(docs)} |"
    )
    lines += ["", *section("Breaking", breaking), *section("Non-breaking", compatible), *doc_section(docs)]
    lines.append("<sub>`make diff-spec` (scripts/diff_spec.py, scripts/diff_report.py)</sub>")
    return "\n".join(lines) + "\n"


def verdict(changes: Sequence[ApiChange], docs: Sequence[DocChange], base: Any, head: Any) -> str:
    needed = required_bump(changes, docs, base)
    made = made_bump(base, head)
    old = base.get("info", {}).get("version", "?")
    new = head.get("info", {}).get("version", "?")
    if needed == "none":
        return f"No change a client can see. `info.version`: {escape(str(old))} → {escape(str(new))}."
    went = f"`info.version` went {escape(str(old))} → {escape(str(new))}"
    calls = f"These changes call for a **{needed}** version bump; {went}"
    if made is None:
        return f"{calls}: **not a version number**, cannot judge."
    if BUMPS.index(made) >= BUMPS.index(needed):
        return f"{calls} ({made}): enough."
    return f"{calls} ({made}): **not enough**: bump it, and add the entry to `CHANGELOG.md`."


def section(title: str, changes: Sequence[ApiChange]) -> list[str]:
    if not changes:
        return [f"### {title}", "", "None.", ""]
    lines = [f"### {title}", ""]
    operation = None
    for change in changes:
        if change.operation != operation:
            operation = change.operation
            lines.append(f"- **{code(operation)}**")
        where_ = f"{code(change.location)}: " if change.location else ""
        tag = " (may break some clients)" if change.level == "warning" else ""
        lines.append(f"  - {where_}{escape(change.message)}{tag}. *A client notices:* {notice(change)}.")
    lines.append("")
    return lines


def doc_section(docs: Sequence[DocChange]) -> list[str]:
    if not docs:
        return ["### Documentation only", "", "None.", ""]
    lines = ["### Documentation only", "", "*A client notices:* nothing on the wire; generated docstrings change.", ""]
    for doc in docs:
        lines.append(f"- {code(doc.where)} {doc.keyword}: {shown(doc.old)} → {shown(doc.new)}")
    lines.append("")
    return lines


def write_report(
    path: Path, changes: Sequence[ApiChange], base: Any, head: Any, base_label: str, head_label: str
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_markdown(changes, base, head, base_label, head_label), encoding="utf-8")
