"""The servers measured: ours, the floor and the peer, each one uvicorn worker pinned to a CPU, started,
waited for and stopped by scripts/servers.py like the tests' servers (and tracked by the run's registry of
processes, so that whatever happens each is stopped by its PID)."""

from __future__ import annotations

import http.client
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from global_chat.web.http_protocol import HTTP_PROTOCOL
from scripts.bench.config import APPS, HOST, OURS, ROOT, Config, progress
from scripts.bench.databases import Backend
from scripts.bench.machine import PROCESSES, peak_rss_per_worker_mb
from scripts.bench.wire import BODY, CHAT_PATH
from scripts.servers import ServerProcess, start_server


class Server(ServerProcess):
    """One measured server: `name` (ours, fastapi, floor, with a label) on `backend`."""

    def __init__(self, started: ServerProcess, name: str, backend: str) -> None:
        super().__init__(started.name, started.port, started.process, started.log_path)
        self.name = name
        self.backend = backend

    def peak_rss_mb(self) -> float | None:
        """The peak resident set of the server's largest worker since it started (machine.py)."""
        return peak_rss_per_worker_mb(self.process.pid)


def server_env(backend: Backend, jwt_secret: str) -> dict[str, str]:
    """Every server's environment: the run's, less any OTEL_* of the caller's (tracing is on in the traced
    rows only, and FastAPI's hooks read the same variables), plus the backend and the credentials."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("OTEL_")}
    env.update(
        DATABASE_URL=backend.url,
        DB_POOLER=backend.settings.db_pooler.value,
        AUTH_MODE="keys",
        JWT_SECRET=jwt_secret,
        RESPONSE_VALIDATION="false",  # the production default
        CHAT_CREATE_RATE_LIMIT="0",
        CHAT_CREATE_RATE_LIMIT_PER_USER="0",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def start(config: Config, name: str, backend: Backend, env: dict[str, str], workdir: Path, label: str = "") -> Server:
    def argv(port: int) -> list[str]:
        command = [
            "taskset", "-c", config.server_cpu,
            sys.executable, "-m", "uvicorn", APPS[name], "--factory",
            "--app-dir", str(ROOT), "--host", HOST, "--port", str(port),
            "--workers", "1", "--no-access-log", "--log-level", "warning", "--timeout-graceful-shutdown", "5",
        ]  # fmt: skip
        if APPS[name] == OURS:  # ours (traced or not) as `global-chat serve` serves it: our HTTP protocol, no WebSocket
            command += ["--http", HTTP_PROTOCOL, "--ws", "none"]
        return command

    # The working directory is the temporary folder, so no stray .env file changes the settings. A session of
    # its own: Ctrl-C reaches this script only, which then stops the server itself.
    started = start_server(
        argv, name=f"{name}{label}-{backend.name}", log_dir=workdir, env=env, cwd=workdir, new_session=True
    )
    PROCESSES.track(f"{name} server", started.process)
    return Server(started, name + label, backend.name)


def wait_ready(server: Server, timeout: float = 60.0) -> None:
    """Until the server answers at all (any status: the floor and the peer have no docs or probes)."""
    server.wait_until_ready("/", timeout=timeout)


def post_chat(server: Server, headers: dict[str, str], path: str = CHAT_PATH, body: bytes = BODY) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, server.port, timeout=10)
    try:
        connection.request("POST", path, body=body, headers={"Content-Type": "application/json", **headers})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@contextmanager
def running(
    config: Config,
    names: list[str],
    backend: Backend,
    env: dict[str, str],
    workdir: Path,
    own_env: Mapping[str, dict[str, str]] | None = None,
) -> Iterator[list[Server]]:
    """The servers `names` on `backend`, each with `env` and what `own_env` adds for it; stopped at the end
    (SIGTERM: a traced row exports the spans it still holds as its lifespan ends, web/tracing.py)."""
    own_env = own_env or {}
    servers = [start(config, name, backend, {**env, **own_env.get(name, {})}, workdir) for name in names]
    try:
        for server in servers:
            wait_ready(server)
        progress(f"{backend.name}: " + ", ".join(f"{s.name} on :{s.port} (pid {s.process.pid})" for s in servers))
        yield servers
    finally:
        for server in servers:
            PROCESSES.stop(server.process)
