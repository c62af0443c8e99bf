"""The Makefile's `help` (what `make` alone prints) and the pre-commit configuration `make hooks` installs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTED = re.compile(r"^([a-z][a-z-]*):.*## ", re.M)


def make_help(*variables: str) -> str:
    result = subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), "help", *variables],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_help_lists_every_documented_target_with_real_values_and_no_colour_when_piped() -> None:
    out = make_help("HOST=0.0.0.0", "PORT=9999")

    listed = re.findall(r"^  (\S+)", out, re.M)
    assert listed == DOCUMENTED.findall((ROOT / "Makefile").read_text())
    assert "\033" not in out  # stdout is a pipe here, not a terminal
    assert "$(" not in out
    assert "http://0.0.0.0:9999" in out


def test_pre_commit_runs_only_local_hooks_from_this_checkout() -> None:
    """Nothing is cloned or downloaded: every hook is a program of the venv or a make target."""
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())

    assert [repo["repo"] for repo in config["repos"]] == ["local"]
    hooks = config["repos"][0]["hooks"]
    assert {hook["id"] for hook in hooks} == {"ruff", "ruff-format", "mypy", "check-generated"}
    for hook in hooks:
        assert hook["language"] == "system", hook["id"]
        program = hook["entry"].split()[0]
        assert program == "make" or (ROOT / program).is_file(), hook["entry"]
    validated = subprocess.run(
        [str(Path(sys.executable).parent / "pre-commit"), "validate-config", ".pre-commit-config.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert validated.returncode == 0, validated.stdout + validated.stderr
