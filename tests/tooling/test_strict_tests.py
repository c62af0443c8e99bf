"""The suite's own configuration (pyproject.toml's filterwarnings, tests/support/leaks.py): every warning is an
error, and a resource a test leaks fails that test, not a later one and not nothing.

Each case runs a small suite of its own, in a pytest process of its own, with this project's warning filters."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FILTERS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["filterwarnings"]

LEAKY_SUITE = '''
import warnings


class Leaky:
    """An open file in a reference cycle: only a full collection frees it, whenever that comes."""

    def __init__(self):
        self.myself = self
        self.file = open(__file__, "rb")


def test_leaks_a_file():
    Leaky()


def test_after_it():
    pass


def test_warns():
    warnings.warn("deprecated here", DeprecationWarning)
'''


def run_suite(tmp_path: Path, *plugins: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_leaky.py").write_text(LEAKY_SUITE)
    ini = "[pytest]\nfilterwarnings =\n" + "".join(f"    {line}\n" for line in FILTERS)
    (tmp_path / "pytest.ini").write_text(ini)
    options = [arg for plugin in plugins for arg in ("-p", plugin)]
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", *options, str(tmp_path)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def outcome(result: subprocess.CompletedProcess[str], test: str) -> set[str]:
    """What pytest's summary says of `test` (PASSED, FAILED, ERROR: one line per phase that did not pass)."""
    lines = [line.split(" ") for line in result.stdout.splitlines()]
    return {words[0] for words in lines if len(words) > 1 and words[1] == f"test_leaky.py::{test}"}


def test_a_leaked_resource_fails_the_test_that_leaked_it(tmp_path: Path) -> None:
    result = run_suite(tmp_path, "tests.support.leaks")

    assert outcome(result, "test_leaks_a_file") == {"PASSED", "ERROR"}, result.stdout  # its teardown fails
    assert "ResourceWarning: unclosed file" in result.stdout
    assert outcome(result, "test_after_it") == {"PASSED"}, result.stdout


def test_without_the_plugin_the_leak_goes_unnoticed(tmp_path: Path) -> None:
    """Why tests/support/leaks.py exists: pytest alone judges only what is freed during a test."""
    result = run_suite(tmp_path)

    assert outcome(result, "test_leaks_a_file") == {"PASSED"}, result.stdout


def test_a_warning_is_an_error(tmp_path: Path) -> None:
    result = run_suite(tmp_path, "tests.support.leaks")

    assert outcome(result, "test_warns") == {"FAILED"}, result.stdout
