"""scripts/diff_report.py (`make diff-spec`'s Markdown report) and scripts/diff_base.sh (what CI compares with)."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from scripts import diff_report

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / "openapi" / "openapi.yaml"
SCHEMAS = ("components", "schemas")


BASE_VERSION = "2.0.1"
"""The version the base contract of these tests says, fixed so that the report's wording checked here does
not move with the contract's own releases."""


def contract() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))
    loaded["info"]["version"] = BASE_VERSION
    return loaded


def schema(document: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = document["components"]["schemas"][name]
    return found


def breaking_head() -> dict[str, Any]:
    """Our contract with a removed response property, a new status value, a narrower request field and a
    reworded description: breaking, breaking, breaking, documentation."""
    head = copy.deepcopy(contract())
    del schema(head, "Session")["properties"]["is_pinned"]
    schema(head, "SessionStatus")["enum"].append("archived")
    schema(head, "UpdateSessionRequest")["properties"]["title"]["maxLength"] = 100
    schema(head, "Session")["properties"]["title"]["description"] = "The title | people *see*."
    return head


def run_diff_spec(base: dict[str, Any], head: dict[str, Any], tmp_path: Path) -> tuple[int, str]:
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(base, sort_keys=False), encoding="utf-8")
    (tmp_path / "head.yaml").write_text(yaml.safe_dump(head, sort_keys=False), encoding="utf-8")
    report = tmp_path / "out" / "diff-spec.md"
    result = subprocess.run(
        [
            *(sys.executable, ROOT / "scripts" / "diff_spec.py", "--base-file", tmp_path / "base.yaml"),
            *("--head-file", tmp_path / "head.yaml", "--report", report),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, report.read_text(encoding="utf-8")


def section_of(report: str, title: str) -> str:
    start = report.index(f"### {title}")
    end = report.find("\n### ", start + 1)
    return report[start : end if end != -1 else len(report)]


def test_a_breaking_change_is_reported_with_what_a_client_notices_and_the_bump_it_needs(tmp_path: Path) -> None:
    status, report = run_diff_spec(contract(), breaking_head(), tmp_path)

    assert status == 1
    assert report.startswith(diff_report.MARKER)
    breaking = section_of(report, "Breaking")
    assert "**`POST /v1/sessions/chat`**" in breaking
    assert "`response 200 application/json: is_pinned`: property removed" in breaking
    assert "generated enums fail to parse" in breaking  # the added status value
    assert "`request body application/json: title`: maxLength changed from 500 to 100" in breaking
    assert "requests valid until now may be refused (400)" in breaking
    assert section_of(report, "Non-breaking").strip().endswith("None.")
    docs = section_of(report, "Documentation only")
    assert "`schema Session: properties.title` description:" in docs
    assert r"The title \| people \*see\*." in docs  # shown as written, not as a table cell or emphasis
    assert "call for a **major** version bump" in report
    assert "2.0.1 → 2.0.1 (none): **not enough**" in report


def test_a_major_bump_is_enough_for_a_breaking_change(tmp_path: Path) -> None:
    head = breaking_head()
    head["info"]["version"] = "3.0.0"

    status, report = run_diff_spec(contract(), head, tmp_path)

    assert status == 0  # diff_spec's gate: acknowledged by the major bump
    assert "2.0.1 → 3.0.0 (major): enough." in report


def test_additions_call_for_a_minor_bump_and_documentation_for_a_patch(tmp_path: Path) -> None:
    added = copy.deepcopy(contract())
    schema(added, "Session")["properties"]["colour"] = {"type": "string"}
    _, report = run_diff_spec(contract(), added, tmp_path)
    assert "call for a **minor** version bump" in report
    assert "`response 200 application/json: colour`: new property" in section_of(report, "Non-breaking")
    assert "tolerant readers ignore it" in report

    reworded = copy.deepcopy(contract())
    reworded["info"]["version"] = "2.0.2"
    reworded["paths"]["/v1/sessions/chat"]["post"]["summary"] = "Get or create the global chat"
    _, report = run_diff_spec(contract(), reworded, tmp_path)
    assert "call for a **patch** version bump" in report and "(patch): enough." in report
    assert "`POST /v1/sessions/chat` summary:" in section_of(report, "Documentation only")


def test_no_change_gives_a_short_report(tmp_path: Path) -> None:
    status, report = run_diff_spec(contract(), contract(), tmp_path)

    assert status == 0
    assert "No change a client can see" in report
    assert "### Breaking" not in report


def test_documentation_changes_tell_keywords_from_names() -> None:
    """A property called `title` or `description` is structure (diff_spec's business), not documentation."""
    base: dict[str, Any] = {
        "components": {"schemas": {"S": {"type": "object", "properties": {"title": {"type": "string"}}}}}
    }
    head = copy.deepcopy(base)
    head["components"]["schemas"]["S"]["properties"]["description"] = {"type": "string"}
    head["components"]["schemas"]["S"]["properties"]["title"]["type"] = "integer"
    assert diff_report.documentation_changes(base, head) == []

    head["components"]["schemas"]["S"]["properties"]["title"]["description"] = "new words"
    head["components"]["schemas"]["S"]["example"] = {"title": "x"}
    found = diff_report.documentation_changes(base, head)
    assert [(c.where, c.keyword, c.old, c.new) for c in found] == [
        ("schema S: properties.title", "description", None, "new words"),
        ("schema S", "example", None, {"title": "x"}),
    ]


def test_the_bump_rules() -> None:
    v = {"info": {"version": "0.3.0"}}
    breaking = [type("C", (), {"level": "breaking"})()]
    assert diff_report.required_bump(breaking, [], v) == "minor"  # below 1.0, as diff_spec's gate
    assert diff_report.required_bump(breaking, [], {"info": {"version": "1.2.3"}}) == "major"
    assert diff_report.required_bump([], [], v) == "none"
    assert diff_report.made_bump({"info": {"version": "2.1.0"}}, {"info": {"version": "2.0.9"}}) == "none"
    assert diff_report.made_bump({"info": {"version": "2.1.0"}}, {"info": {"version": "2.1.1"}}) == "patch"
    assert diff_report.made_bump({"info": {"version": "x"}}, {"info": {"version": "2.1.1"}}) is None


# --------------------------------------------------------------------------- scripts/diff_base.sh


def git(repo: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    identity = ["-c", "user.name=test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false"]
    result = subprocess.run(
        ["git", *identity, *args], cwd=repo, env=env, check=True, capture_output=True, text=True, timeout=60
    )
    return result.stdout.strip()


def commit(repo: Path, message: str) -> str:
    (repo / "file").write_text(message, encoding="utf-8")
    git(repo, "add", "file")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def diff_base(repo: Path, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "CI_TARGET", "GITHUB_BASE"))}
    result = subprocess.run(
        [ROOT / "scripts" / "diff_base.sh"], cwd=repo, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_ci_compares_with_the_merge_base_of_the_target_branch(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    first = commit(repo, "one")
    assert diff_base(repo) == ""  # nothing before the first commit: nothing to compare

    fork = commit(repo, "two")
    assert diff_base(repo) == first  # on main itself (CI's clean clone): the previous commit

    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, "feature 1")
    commit(repo, "feature 2")
    git(repo, "checkout", "-q", "main")
    commit(repo, "main moved on")
    git(repo, "checkout", "-q", "feature")
    assert diff_base(repo) == fork  # not HEAD~1, not main's tip: what this branch changes

    git(repo, "branch", "-q", "release", first)
    assert diff_base(repo, CI_TARGET_BRANCH="release") == first
    assert diff_base(repo, GITHUB_BASE_REF="release") == first
