"""What the tests of the suite's throwaway servers (scripts/postgres_instance.py,
scripts/pgbouncer_instance.py) share: an owner process to kill, a process to watch go, an installer to fake."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scripts.postgres_instance import instances_dir

ROOT = Path(__file__).resolve().parents[2]


def process_gone(pid: int, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return not Path(f"/proc/{pid}").exists()


@contextmanager
def owner_of_an_instance(script: str, kind: str, *args: str) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """`python scripts/<script> ARGS` in a process of its own, which starts an instance and keeps it until
    signalled: the process, once it has printed the instance's URL, and the instance's folder. The process is
    killed (if the test left it running) and its pipe closed when the block ends."""
    owner = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / script), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert owner.stdout is not None
    try:
        url = owner.stdout.readline().strip()
        assert url.startswith("postgresql://"), url
        (root,) = [path for path in instances_dir(kind).iterdir() if path.name.startswith(f"{owner.pid}-")]
        yield owner, root
    finally:
        if owner.poll() is None:
            owner.kill()
        owner.wait(timeout=10)
        owner.stdout.close()


def fake_installer(tmp_path: Path, name: str, body: str) -> Path:
    """An executable `name` (an ensure_*.sh stand-in) in `tmp_path` running the shell lines `body`."""
    script = tmp_path / name
    script.write_text("#!/bin/sh\nPATH=/usr/bin:/bin\n" + body)
    script.chmod(0o755)
    return script
