"""A PgBouncer of our own in front of a PostgreSQL: a temporary folder, a free 127.0.0.1 port, gone afterwards.

The pooler of tests/deploy/test_pgbouncer.py and of the benchmark's `pgbouncer` backend (scripts/bench/run.py),
run the way operators run it in front of many service processes: Debian's PgBouncer in transaction pooling
mode (by default) with a small server pool. It lives and dies like scripts/postgres_instance.py's clusters:

- The program: PGBOUNCER, else `pgbouncer` on PATH, else /usr/sbin/pgbouncer; with none,
  scripts/ensure_pgbouncer.sh installs Debian's package (as root or with passwordless sudo) and the search
  runs again.
- The configuration: every database name is passed through to the upstream server as one login (its user
  and password from the upstream URL), clients are trusted (it listens on 127.0.0.1 only, on a free port,
  without a Unix socket), `pool_mode` and `default_pool_size` as asked.
- PgBouncer refuses to run as root: as root it runs as `postgres` (Debian's account) or else `nobody`.
- Clean-up: destroy() stops it (SIGTERM to its PID, SIGKILL if it lingers) and removes the folder; an
  atexit hook and a SIGTERM/SIGHUP handler (shared with PostgresInstance) do it for instances still alive
  when the process ends; an instance whose owning process is gone is reaped by the next one that starts.

    with PgBouncerInstance("postgresql://postgres@127.0.0.1:5432/postgres", pool_size=10) as bouncer:
        bouncer.url("global_chat")     # postgresql://postgres@127.0.0.1:<port>/global_chat

`python scripts/pgbouncer_instance.py UPSTREAM_URL [--pool-size N] [--pool-mode M]` starts one, prints its URL
for the upstream's database and keeps it until Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

if __package__ in (None, ""):  # run as a file (python scripts/pgbouncer_instance.py)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts.ports import free_port
from scripts.postgres_instance import Throwaway, run_installer, untrack

ENSURE_SCRIPT = Path(__file__).resolve().parent / "ensure_pgbouncer.sh"
DEBIAN_PROGRAM = Path("/usr/sbin/pgbouncer")  # where Debian installs it (not on a non-root PATH)
KIND = "pgbouncer"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
POOL_MODES = ("session", "transaction", "statement")


class PgBouncerUnavailable(RuntimeError):
    """No pgbouncer could be found or installed, or it would not start."""


def find_program() -> Path | None:
    explicit = os.environ.get("PGBOUNCER")
    if explicit:
        if not os.access(explicit, os.X_OK):
            raise PgBouncerUnavailable(f"PGBOUNCER={explicit} is not an executable program")
        return Path(explicit)
    for candidate in (shutil.which("pgbouncer"), str(DEBIAN_PROGRAM)):
        if candidate and os.access(candidate, os.X_OK):
            return Path(candidate)
    return None


def ensure_program() -> Path:
    """find_program(), installing Debian's PgBouncer first when there is none."""
    found = find_program()
    if found is not None:
        return found
    run_installer(ENSURE_SCRIPT, "pgbouncer", PgBouncerUnavailable)
    found = find_program()
    if found is None:
        raise PgBouncerUnavailable(f"{ENSURE_SCRIPT.name} finished but pgbouncer is still missing")
    return found


def version(program: Path | None = None) -> str:
    program = program or ensure_program()
    out = subprocess.run([str(program), "--version"], capture_output=True, text=True, timeout=10, check=False)
    return (out.stdout or out.stderr).splitlines()[0].strip() if (out.stdout or out.stderr) else "pgbouncer"


def _ini_value(value: str) -> str:
    """A value of a [databases] connection string (quoted when it holds spaces or quotes)."""
    if value and not any(c in value for c in " '\\"):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class PgBouncerInstance(Throwaway):
    KIND = KIND
    Unavailable = PgBouncerUnavailable

    def __init__(
        self,
        upstream_url: str,
        *,
        pool_mode: str = "transaction",
        pool_size: int = 10,
        max_client_conn: int = 500,
        program: Path | None = None,
        settings: dict[str, str] | None = None,
    ) -> None:
        """`upstream_url`: the PostgreSQL server (any database of it: PgBouncer passes every database name
        through); `settings`: more [pgbouncer] settings (e.g. {"ignore_startup_parameters": "..."})."""
        if pool_mode not in POOL_MODES:
            raise ValueError(f"pool_mode must be one of {POOL_MODES}")
        upstream = urlsplit(upstream_url.replace("+asyncpg", ""))
        if not upstream.hostname or not upstream.username:
            raise ValueError("upstream_url needs a host and a user: postgresql://USER[:PASSWORD]@HOST:PORT/DB")
        super().__init__()
        self.upstream = upstream
        self.pool_mode = pool_mode
        self.pool_size = pool_size
        self.max_client_conn = max_client_conn
        self.program = program
        self.settings = settings or {}
        self.process: subprocess.Popen[bytes] | None = None

    # -- where things are -------------------------------------------------------------------------------
    @property
    def ini(self) -> Path:
        assert self.root is not None, "create() first"
        return self.root / "pgbouncer.ini"

    @property
    def log(self) -> Path:
        assert self.root is not None, "create() first"
        return self.root / "pgbouncer.log"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None and self.process.poll() is None else None

    def url(self, database: str = "postgres") -> str:
        """The upstream URL's login, through this PgBouncer, to `database`."""
        login = quote(unquote(self.upstream.username or ""), safe="")
        if self.upstream.password:
            login += ":" + quote(unquote(self.upstream.password), safe="")
        return f"postgresql://{login}@127.0.0.1:{self.port}/{database}"

    # -- lifecycle ------------------------------------------------------------------------------------
    def create(self) -> PgBouncerInstance:
        """Write the configuration and start PgBouncer; reaps instances of processes that are gone first."""
        if self.program is None:
            self.program = ensure_program()
        self._make_root()
        try:
            self._start()
        except BaseException:
            self.destroy()
            raise
        return self

    def destroy(self) -> None:
        """Stop PgBouncer (SIGTERM: its immediate shutdown; SIGKILL when it lingers), remove the folder."""
        untrack(self)
        try:
            if self.process is not None and self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout=STOP_TIMEOUT)
        finally:
            if self.root is not None:
                shutil.rmtree(self.root, ignore_errors=True)
                self.root = None

    @classmethod
    def kill_leftover(cls, root: Path) -> None:
        pid = _pgbouncer_pid(root)
        if pid is None:
            return
        with contextlib.suppress(OSError):
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"pgbouncer" in cmdline and str(root).encode() in cmdline:  # not a reused PID
                os.kill(pid, signal.SIGKILL)

    # -- helpers ----------------------------------------------------------------------------------------
    def _config(self) -> str:
        assert self.root is not None
        upstream = self.upstream
        login = {"host": upstream.hostname or "", "port": str(upstream.port or 5432)}
        login["user"] = unquote(upstream.username or "")
        if upstream.password:
            login["password"] = unquote(upstream.password)
        target = " ".join(f"{key}={_ini_value(value)}" for key, value in login.items())
        settings = {
            "listen_addr": "127.0.0.1",
            "listen_port": str(self.port),
            "unix_socket_dir": "",  # TCP only: no socket file where another PgBouncer may have one
            "auth_type": "trust",  # clients on 127.0.0.1 only; the upstream login is in [databases]
            "auth_file": str(self.root / "userlist.txt"),
            "pool_mode": self.pool_mode,
            "default_pool_size": str(self.pool_size),
            "max_client_conn": str(self.max_client_conn),
            "logfile": str(self.log),
            "log_connections": "0",
            "log_disconnections": "0",
            **self.settings,
        }
        lines = ["[databases]", f"* = {target}", "", "[pgbouncer]"]
        lines += [f"{name} = {value}" for name, value in settings.items()]
        return "\n".join(lines) + "\n"

    def _start(self) -> None:
        """Start it on a free port (another one if some other process took that port in between)."""
        assert self.root is not None and self.program is not None
        for attempt in range(5):
            self.port = free_port()
            # trust still wants the user listed (any password); the one login the clients use
            (self.root / "userlist.txt").write_text(f'"{unquote(self.upstream.username or "")}" ""\n')
            self.ini.write_text(self._config())
            if self.account is not None:
                for path in (self.ini, self.root / "userlist.txt"):
                    os.chown(path, self.account.pw_uid, self.account.pw_gid)
            with contextlib.suppress(FileNotFoundError):
                self.log.unlink()
            account = self.account
            # a session of its own: a Ctrl-C at the terminal reaches us, and we stop it ourselves
            self.process = subprocess.Popen(
                [str(self.program), str(self.ini)],
                cwd=self.root,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
                user=account.pw_uid if account is not None else None,
                group=account.pw_gid if account is not None else None,
                extra_groups=[] if account is not None else None,
            )
            (self.root / "child.pid").write_text(f"{self.process.pid}\n")  # for reap_stale()
            if self._wait_listening():
                return
            if attempt == 4 or "Address already in use" not in self.log_tail():
                raise PgBouncerUnavailable(f"pgbouncer did not start:\n{self.log_tail()}")

    def _wait_listening(self) -> bool:
        """True once it accepts connections; False when it exited."""
        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
            time.sleep(0.05)
        raise PgBouncerUnavailable(f"pgbouncer did not listen within {START_TIMEOUT:.0f} s:\n{self.log_tail()}")


def _pgbouncer_pid(root: Path) -> int | None:
    try:
        return int((root / "child.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def reap_stale() -> list[Path]:
    """Stop and remove the PgBouncers whose owning process has ended; the folders removed."""
    return PgBouncerInstance.reap_stale()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("upstream", help="the PostgreSQL server: postgresql://USER[:PASSWORD]@HOST:PORT/DATABASE")
    parser.add_argument("--pool-mode", default="transaction", choices=POOL_MODES)
    parser.add_argument("--pool-size", type=int, default=10, help="server connections per database (default 10)")
    args = parser.parse_args()
    database = urlsplit(args.upstream).path.lstrip("/") or "postgres"
    with PgBouncerInstance(args.upstream, pool_mode=args.pool_mode, pool_size=args.pool_size) as instance:
        print(instance.url(database), flush=True)
        print(f"pgbouncer-instance: running from {instance.root}; Ctrl-C stops and removes it", file=sys.stderr)
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()
    return 0


if __name__ == "__main__":
    sys.exit(main())
