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
from dataclasses import asdict
from pathlib import Path
from typing import Any

import yaml

if __package__ in (None, ""):  # run as a file (python scripts/diff_spec.py)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts.diff_report import write_report
from scripts.spec_diff import Change, SpecError, diff
from scripts.spec_diff.model import BREAKING, INFO, LEVELS, WARNING

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = ROOT / "openapi" / "openapi.yaml"


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
