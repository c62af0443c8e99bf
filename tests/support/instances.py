"""What the tests of the suite's throwaway servers (scripts/postgres_instance.py,
scripts/pgbouncer_instance.py) share: an owner process to kill and what its death must leave (nothing, or
what the next run reaps), a process to watch go, an installer to fake."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from scripts.postgres_instance import instances_dir

ROOT = Path(__file__).resolve().parents[2]


def process_gone(pid: int, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return not Path(f"/proc/{pid}").exists()


@dataclass(frozen=True)
class OwnedInstance:
    owner: subprocess.Popen[str]
    """The process that started the instance and keeps it until signalled."""
    root: Path
    """The instance's folder."""
    pid: int
    """The instance's server process (the postmaster, PgBouncer)."""


@contextmanager
def owner_of_an_instance(
    script: str, kind: str, server_pid: Callable[[Path], int | None], *args: str
) -> Iterator[OwnedInstance]:
    """`python scripts/<script> ARGS` in a process of its own, which starts an instance and keeps it until
    signalled, once it has printed the instance's URL; `server_pid` reads the server's PID from the
    instance's folder. The process is killed (if the test left it running) and its pipe closed when the
    block ends."""
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
        pid = server_pid(root)
        assert pid is not None
        yield OwnedInstance(owner, root, pid)
    finally:
        if owner.poll() is None:
            owner.kill()
        owner.wait(timeout=10)
        owner.stdout.close()


def assert_a_killed_owner_is_reaped_by_the_next(instance: OwnedInstance, reap_stale: Callable[[], list[Path]]) -> None:
    """SIGKILL leaves the instance running and its folder behind; the next run's `reap_stale()` stops it
    and removes the folder."""
    instance.owner.send_signal(signal.SIGKILL)  # no clean-up of its own
    instance.owner.wait(timeout=10)
    assert instance.root.exists() and not process_gone(instance.pid, timeout=0)

    assert instance.root in reap_stale()
    assert not instance.root.exists()
    assert process_gone(instance.pid)


def assert_a_terminated_owner_removes_its_instance(instance: OwnedInstance) -> None:
    instance.owner.send_signal(signal.SIGTERM)

    assert instance.owner.wait(timeout=30) == -signal.SIGTERM
    assert not instance.root.exists()
    assert process_gone(instance.pid)


def fake_installer(tmp_path: Path, name: str, body: str) -> Path:
    """An executable `name` (an ensure_*.sh stand-in) in `tmp_path` running the shell lines `body`."""
    script = tmp_path / name
    script.write_text("#!/bin/sh\nPATH=/usr/bin:/bin\n" + body)
    script.chmod(0o755)
    return script
