"""The metrics folder of `serve --workers N`: made only when there are workers to pool, removed when the
server stops, and the folder of a server killed with SIGKILL removed by the next one that starts."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from global_chat.metrics import MULTIPROCESS_DIR_PREFIX, MULTIPROCESS_ENV, multiprocess_dir


@pytest.fixture
def temp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.delenv(MULTIPROCESS_ENV, raising=False)
    return tmp_path


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait(timeout=30)
    return process.pid


def test_one_worker_needs_no_folder(temp_root: Path) -> None:
    with multiprocess_dir(1) as folder:
        assert folder is None
        assert MULTIPROCESS_ENV not in os.environ
    assert list(temp_root.iterdir()) == []


def test_the_workers_folder_lives_as_long_as_the_server(temp_root: Path) -> None:
    with multiprocess_dir(2) as folder:
        assert folder is not None and Path(folder).is_dir()
        assert os.environ[MULTIPROCESS_ENV] == folder
        assert Path(folder).name.startswith(f"{MULTIPROCESS_DIR_PREFIX}{os.getpid()}-")

    assert not Path(folder).exists()
    assert MULTIPROCESS_ENV not in os.environ


def test_the_folder_of_a_killed_server_is_removed_by_the_next_one(temp_root: Path) -> None:
    orphaned = temp_root / f"{MULTIPROCESS_DIR_PREFIX}{dead_pid()}-x1"
    alive = temp_root / f"{MULTIPROCESS_DIR_PREFIX}{os.getppid()}-x2"  # a running server's
    unrelated = temp_root / f"{MULTIPROCESS_DIR_PREFIX}no-pid"
    for folder in (orphaned, alive, unrelated):
        folder.mkdir()
        (folder / "counter_1.db").write_bytes(b"")

    with multiprocess_dir(2):
        assert not orphaned.exists()
        assert alive.exists() and unrelated.exists()


def test_a_folder_the_operator_chose_is_left_alone(temp_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MULTIPROCESS_ENV, str(temp_root / "chosen"))

    with multiprocess_dir(4) as folder:
        assert folder is None

    assert os.environ[MULTIPROCESS_ENV] == str(temp_root / "chosen")
