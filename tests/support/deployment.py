"""Real `global-chat serve` processes on free 127.0.0.1 ports against real PostgreSQL, for the
deployment tests (tests/deploy) and any other test that needs the server as a user runs it.

Every process a test starts is stopped by its PID when the test ends, failed or not (SIGTERM, then
SIGKILL after a bounded wait); a server's output goes to a file whose tail is shown when it fails.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from global_chat.accounts.credentials import TokenClaims, issue_token
from global_chat.clock import utc_now
from global_chat.ids import ORGANIZATION, parse_id
from scripts.servers import ServerProcess, global_chat_serve
from tests.fixtures.postgres import PostgresDatabases
from tests.fixtures.server import global_chat

JWT_SECRET = "deploy-test-secret-" + "x" * 40
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0
DB_TIMEOUT = 10.0


def base_env(**overrides: str) -> dict[str, str]:
    """The environment of a server or command: this one, with the service's settings made explicit."""
    env = dict(os.environ)
    env.update(
        {
            "AUTH_MODE": "none",
            "RESPONSE_VALIDATION": "true",
            "CHAT_CREATE_RATE_LIMIT": "0",
            "CHAT_CREATE_RATE_LIMIT_PER_USER": "0",
            "API_KEY_CACHE_SECONDS": "5",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(overrides)
    return env


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def children(pid: int) -> list[int]:
    """The PIDs of the direct children of `pid` (from /proc/<pid>/task/*/children)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:  # the task ended while we looked
            continue
    return sorted(set(found))


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


class Server(ServerProcess):
    """One `global-chat serve` process (the uvicorn supervisor when workers > 1), and its workers."""

    def __init__(self, env: dict[str, str], workdir: Path, name: str, workers: int = 1) -> None:
        started = global_chat_serve(env, log_dir=workdir, name=name, workers=workers, cwd=workdir)
        super().__init__(started.name, started.port, started.process, started.log_path)
        self.chat_url = f"{self.base_url}/v1/sessions/chat"
        self.known_children: set[int] = set()

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        """Until /readyz answers 200 (the database answers and is migrated)."""
        self.wait_until_ready("/readyz", ready=lambda status: status == 200, timeout=timeout)
        self.known_children.update(children(self.pid))

    def stop(self, grace: float = STOP_TIMEOUT) -> int:
        """SIGTERM, then SIGKILL after `grace`; worker processes are killed by PID if they outlive it."""
        if self.process.poll() is None:
            self.known_children.update(children(self.pid))
        code = super().stop(grace)
        for child in self.known_children:
            # a worker that outlived its supervisor (SIGKILLed, say); the command line guards against a reused PID
            if process_exists(child) and "multiprocessing" in cmdline(child):
                os.kill(child, signal.SIGKILL)
        return code


class Servers:
    """Starts servers (in parallel: all spawned, then each awaited) and stops all of them on close."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.started: list[Server] = []

    def start(self, env: dict[str, str], count: int = 1, workers: int = 1, name: str = "server") -> list[Server]:
        servers: list[Server] = []
        for _ in range(count):
            servers.append(Server(env, self.workdir, f"{name}-{len(self.started)}", workers=workers))
            self.started.append(servers[-1])
        for server in servers:
            server.wait_ready()
        return servers

    def close(self) -> None:
        for server in self.started:
            server.stop()


@contextmanager
def running_servers(workdir: Path) -> Iterator[Servers]:
    servers = Servers(workdir)
    try:
        yield servers
    finally:
        servers.close()


async def query(url: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(url, timeout=DB_TIMEOUT)
    try:
        return list(await connection.fetch(sql, *args, timeout=DB_TIMEOUT))
    finally:
        await connection.close(timeout=DB_TIMEOUT)


def fetch(url: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    return asyncio.run(query(url, sql, *args))


class Deployment:
    """One migrated PostgreSQL database and the environment of everything that runs against it."""

    def __init__(self, database_url: str, workdir: Path, **settings: str) -> None:
        self.database_url = database_url
        self.workdir = workdir
        self.env = base_env(DATABASE_URL=database_url, **settings)

    def cli(self, *args: str) -> str:
        return global_chat(self.env, *args, cwd=self.workdir)

    def create_org(self, name: str) -> str:
        return self.cli("create-org", name)

    def api_key(self, org: str, user: uuid.UUID) -> str:
        return self.cli("create-api-key", "--org", org, "--user", str(user))

    def token(self, org: str, user: uuid.UUID) -> str:
        """What `global-chat issue-token --org ORG --user USER` prints (the same function, without a process)."""
        organization_id = parse_id(ORGANIZATION, org)
        assert organization_id is not None
        secret = self.env["JWT_SECRET"]
        return issue_token(secret, TokenClaims(organization_id, user), now=utc_now(), ttl=timedelta(hours=1))

    def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        return fetch(self.database_url, sql, *args)


def keys_deployment(postgres: PostgresDatabases, workdir: Path, **settings: str) -> Deployment:
    return Deployment(postgres.fresh(), workdir, AUTH_MODE="keys", JWT_SECRET=JWT_SECRET, **settings)


async def post_all(
    targets: list[tuple[str, dict[str, str]]], json: dict[str, Any] | None = None, timeout: float = 30.0
) -> list[httpx.Response]:
    """POST every (url, headers) at once, each on its own connection; the answers in the same order."""
    limits = httpx.Limits(max_connections=len(targets), max_keepalive_connections=len(targets))
    async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
        return list(await asyncio.gather(*(client.post(url, headers=headers, json=json) for url, headers in targets)))


def wait_for_room_in_the_minute(seconds: float) -> None:
    """Sleep into the next one-minute window (the creation budget's) unless `seconds` remain in this one."""
    remaining = 60 - time.time() % 60
    if remaining < seconds:
        time.sleep(remaining + 0.2)


def server_connections(pid: int, port: int) -> int:
    """Established TCP connections on local `port` whose socket is open in process `pid`."""
    inodes: set[str] = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "01" and int(local.rsplit(":", 1)[1], 16) == port and inode in inodes:
                count += 1
    return count
