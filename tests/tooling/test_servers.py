"""scripts/servers.py, the one way the suite, `make contract` and the benchmark run a server: started on a free
port, waited for until it answers, stopped by its PID; an early exit or a silent server is an error that shows
the server's log."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import pytest

from scripts.servers import ServerNotReady, ServerProcess, serving, start_server


def python(code: str) -> str:
    return f"import signal, sys, time\n{code}"


def start(tmp_path: Path, code: str) -> ServerProcess:
    return start_server(lambda port: [sys.executable, "-c", python(code), str(port)], name="probe", log_dir=tmp_path)


def test_a_server_is_waited_for_served_and_stopped(tmp_path: Path) -> None:
    server = start_server(
        lambda port: [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        name="http",
        log_dir=tmp_path,
    )
    with serving(server, path="/") as served:
        assert served.status_of("/") == 200
        assert served.status_of("/missing") == 404
    assert server.process.poll() is not None  # stopped with the block
    assert server.status_of("/") is None


def test_a_server_that_exits_first_is_an_error_showing_its_log(tmp_path: Path) -> None:
    server = start(tmp_path, "print('the port is taken', flush=True); sys.exit(3)")

    with pytest.raises(ServerNotReady, match=r"(?s)exited with 3.*the port is taken"):
        server.wait_until_ready()


def test_a_server_that_never_answers_is_an_error_and_is_stopped(tmp_path: Path) -> None:
    server = start(tmp_path, "time.sleep(60)")

    with pytest.raises(ServerNotReady, match="not ready within 1 s"), serving(server, timeout=1):
        pass
    assert server.process.poll() is not None


def test_a_server_that_ignores_sigterm_is_killed_after_the_grace(tmp_path: Path) -> None:
    server = start(tmp_path, "signal.signal(signal.SIGTERM, signal.SIG_IGN); print('up', flush=True); time.sleep(60)")
    deadline_log = tmp_path / f"probe-{server.port}.log"
    while "up" not in deadline_log.read_text():
        assert server.process.poll() is None

    assert server.stop(grace=0.5) == -signal.SIGKILL
