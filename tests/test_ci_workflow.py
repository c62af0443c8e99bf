""".github/workflows/ci.yml: the README's commands, least privilege, actions pinned by commit; and the two
linters of `make lint-ci` (actionlint, zizmor) are live and offline: each fails on a planted mistake."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"
BIN = Path(sys.executable).parent
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def workflow() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return loaded


def steps() -> list[dict[str, Any]]:
    return [step for job in workflow()["jobs"].values() for step in job["steps"]]


def test_every_action_is_pinned_by_commit_sha_with_its_tag_in_a_comment() -> None:
    uses = [step["uses"] for step in steps() if "uses" in step]
    assert uses
    assert [use for use in uses if not PINNED.match(use)] == []
    for line in WORKFLOW.read_text(encoding="utf-8").splitlines():
        if "uses:" in line:
            assert re.search(r"# v\d+\.\d+\.\d+$", line), line


def test_the_token_may_only_read() -> None:
    assert workflow()["permissions"] == {}
    for name, job in workflow()["jobs"].items():
        assert job["permissions"] == {"contents": "read"}, name
    for step in steps():
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False


def test_ci_runs_the_readmes_commands_and_keeps_the_reports_and_docs() -> None:
    ci = workflow()["jobs"]["ci"]
    runs = [step.get("run", "") for step in ci["steps"]]
    assert ".ci/run" in runs
    uploaded = {
        step["with"]["path"] for step in ci["steps"] if step.get("uses", "").startswith("actions/upload-artifact@")
    }
    assert uploaded == {"reports/", "docs/index.html"}
    cached = {step["with"]["path"] for step in ci["steps"] if step.get("uses", "").startswith("actions/cache@")}
    assert cached == {".venv", "~/.npm"}
    # the merge base needs the target branch's history
    assert all(s["with"]["fetch-depth"] == 0 for s in steps() if s.get("uses", "").startswith("actions/checkout@"))


def test_pull_requests_get_the_diff_report() -> None:
    diff = workflow()["jobs"]["contract-diff"]
    assert "pull_request" in diff["if"]
    script = "\n".join(step.get("run", "") for step in diff["steps"])
    assert "scripts/diff_base.sh" in script and "make diff-spec" in script
    assert 'reports/diff-spec.md >> "$GITHUB_STEP_SUMMARY"' in script


def lint(tool: list[str], folder: Path) -> subprocess.CompletedProcess[str]:
    """The linter with no network at all when `unshare` can take it away (it must not need one)."""
    offline = (
        ["unshare", "-rn"]
        if shutil.which("unshare")
        and subprocess.run(["unshare", "-rn", "true"], capture_output=True, check=False).returncode == 0
        else []
    )
    return subprocess.run([*offline, *tool], cwd=folder, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def repo_with(tmp_path: Path) -> Any:
    def make(text: str) -> Path:
        (tmp_path / ".github" / "workflows").mkdir(parents=True, exist_ok=True)
        (tmp_path / ".github" / "workflows" / "ci.yml").write_text(text, encoding="utf-8")
        return tmp_path

    return make


def test_the_linters_pass_our_workflow_offline() -> None:
    assert lint([str(BIN / "actionlint"), "-no-color"], ROOT).returncode == 0
    zizmor = lint([str(BIN / "zizmor"), "--offline", "--no-progress", ".github/workflows/"], ROOT)
    assert zizmor.returncode == 0, zizmor.stdout + zizmor.stderr


def test_actionlint_catches_a_broken_expression(repo_with: Any) -> None:
    broken = WORKFLOW.read_text(encoding="utf-8").replace("${{ !cancelled() }}", "${{ !cancelled( }}", 1)
    result = lint([str(BIN / "actionlint"), "-no-color", ".github/workflows/ci.yml"], repo_with(broken))
    assert result.returncode == 1
    assert "ci.yml" in result.stdout


def test_zizmor_catches_an_unpinned_action_and_a_template_injection(repo_with: Any) -> None:
    text = WORKFLOW.read_text(encoding="utf-8").replace(
        "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2", "actions/checkout@v4", 1
    )
    text = text.replace("run: .ci/run", 'run: echo "${{ github.event.pull_request.title }}"', 1)
    result = lint([str(BIN / "zizmor"), "--offline", "--no-progress", ".github/workflows/"], repo_with(text))
    assert result.returncode != 0
    assert "unpinned-uses" in result.stdout and "template-injection" in result.stdout
