"""A server program run for as long as a block needs it: started on a free 127.0.0.1 port with its output in a
log file, waited for until it answers HTTP, stopped by its PID (SIGTERM, then SIGKILL after a bounded wait).

The one way the tests (tests/fixtures/server.py, tests/support/deployment.py), `make contract`
(scripts/contract.py) and the benchmark (scripts/bench/) run `global-chat serve` or another server:

    with serving(global_chat_serve(env, log_dir=folder)) as server:     # waits until it answers
        httpx.get(f"{server.base_url}/healthz")
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

from scripts.ports import free_port

HOST = "127.0.0.1"
BIN = Path(sys.executable).parent
"""The venv's programs (global-chat, uvicorn, schemathesis): beside the interpreter that runs us."""
READY_TIMEOUT = 30.0
STOP_GRACE = 15.0


class ServerNotReady(RuntimeError):
    """The server exited, or did not answer as expected in time; the message ends with its log's tail."""


class ServerProcess:
    """One server process on `port`, its stdout and stderr in `log_path`."""

    def __init__(self, name: str, port: int, process: subprocess.Popen[bytes], log_path: Path) -> None:
        self.name = name
        self.port = port
        self.process = process
        self.log_path = log_path
        self.base_url = f"http://{HOST}:{port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return f"--- {self.name} (pid {self.pid}): no log ---"
        return f"--- {self.name} (pid {self.pid}) log tail ---\n" + "\n".join(text.splitlines()[-lines:])

    def status_of(self, path: str) -> int | None:
        """The status of one GET `path`; None when nothing answers (yet)."""
        connection = http.client.HTTPConnection(HOST, self.port, timeout=5)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            return response.status
        except OSError:  # refused, reset, timed out: not serving (yet)
            return None
        finally:
            connection.close()

    def wait_until_ready(
        self, path: str = "/", ready: Callable[[int], bool] = lambda status: True, timeout: float = READY_TIMEOUT
    ) -> None:
        """Until GET `path` gets an answer `ready` accepts (by default any answer at all); ServerNotReady
        when the process exits first or `timeout` seconds pass."""
        deadline = time.monotonic() + timeout
        last: int | None = None
        while True:
            if self.process.poll() is not None:
                raise ServerNotReady(f"{self.name} exited with {self.process.returncode}\n{self.log_tail()}")
            last = self.status_of(path)
            if last is not None and ready(last):
                return
            if time.monotonic() > deadline:
                answer = "no answer" if last is None else f"last status {last}"
                waited = f"GET {path} not ready within {timeout:.0f} s ({answer})"
                raise ServerNotReady(f"{self.name}: {waited}\n{self.log_tail()}")
            time.sleep(0.1)

    def stop(self, grace: float = STOP_GRACE) -> int:
        """SIGTERM, then SIGKILL if it is still running `grace` seconds later; its exit code."""
        if self.process.poll() is None:
            with suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.process.wait()

    def kill(self) -> None:
        with suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=STOP_GRACE)


def start_server(
    argv: Callable[[int], Sequence[str | os.PathLike[str]]],
    *,
    name: str,
    log_dir: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    new_session: bool = False,
) -> ServerProcess:
    """Start `argv(port)` on a free port, output to `log_dir/<name>-<port>.log`. `new_session`: a process
    group of its own, so that Ctrl-C in a terminal reaches only the caller, which stops the server itself."""
    port = free_port()
    log_path = log_dir / f"{name}-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(part) for part in argv(port)],
            env=None if env is None else dict(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=new_session,
        )
    return ServerProcess(name, port, process, log_path)


def global_chat_serve(
    env: Mapping[str, str], *, log_dir: Path, name: str = "global-chat", workers: int = 1, cwd: Path | None = None
) -> ServerProcess:
    """`global-chat serve` as a user runs it, on a free 127.0.0.1 port."""

    def argv(port: int) -> list[str | os.PathLike[str]]:
        return [BIN / "global-chat", "serve", "--host", HOST, "--port", str(port), "--workers", str(workers)]

    return start_server(argv, name=name, log_dir=log_dir, env=env, cwd=cwd)


@contextmanager
def serving(server: ServerProcess, path: str = "/healthz", timeout: float = READY_TIMEOUT) -> Iterator[ServerProcess]:
    """`server`, once GET `path` answers 200; stopped when the block ends, whatever happens in it."""
    try:
        server.wait_until_ready(path, ready=lambda status: status == 200, timeout=timeout)
        yield server
    finally:
        server.stop()
