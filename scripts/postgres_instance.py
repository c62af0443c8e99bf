"""A PostgreSQL instance of our own: initdb into a temporary folder, on a free 127.0.0.1 port, gone afterwards.

The test suite's PostgreSQL when TEST_POSTGRES_URL is unset (tests/fixtures/postgres.py), and the database
that tests stop and start (tests/deploy/test_outage.py). Nothing of the machine's is used but the server
binaries; nothing of the machine's is touched.

- Binaries: PG_BIN, else `pg_config --bindir`, else `initdb` on PATH, else the newest
  /usr/lib/postgresql/*/bin; with none, scripts/ensure_postgresql.sh installs Debian's package
  (as root or with passwordless sudo) and the search runs again.
- The cluster: trust authentication for user `postgres`, UTF8 and the C locale, no fsync (a throwaway
  cluster need not survive a power cut), listening on 127.0.0.1 only, its Unix socket in its own folder.
- initdb refuses to run as root: as root the cluster belongs to `postgres` (Debian's account) or else to
  `nobody`, and its programs run through `runuser`; as anyone else they run as that user.
- Clean-up: destroy() stops the server and removes the folder; an atexit hook and a SIGTERM/SIGHUP
  handler do it for instances still alive when the process ends; an instance whose owning process is
  gone (killed with SIGKILL, say) is reaped by the next one that starts.

    with PostgresInstance() as pg:          # or: pg = PostgresInstance(); pg.create(); ...; pg.destroy()
        pg.url("postgres")                  # postgresql://postgres@127.0.0.1:<port>/postgres
        pg.stop(); pg.start(); pg.restart() # an outage, on demand

`python scripts/postgres_instance.py` starts one, prints its URL and keeps it until Ctrl-C;
`python scripts/postgres_instance.py --bin-dir` prints where the server programs are, installing them if need be.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from types import FrameType, TracebackType
from typing import ClassVar, Protocol, Self

if __package__ in (None, ""):  # run as a file (python scripts/postgres_instance.py)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts.ports import free_port

PROGRAMS = ("initdb", "pg_ctl", "postgres")
ENSURE_SCRIPT = Path(__file__).resolve().parent / "ensure_postgresql.sh"
DEBIAN_ROOT = Path("/usr/lib/postgresql")  # Debian and Ubuntu: one <major>/bin per installed version
SUPERUSER = "postgres"
START_TIMEOUT = 60
SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",  # deployment tests run several servers, each with its own pool
    "log_min_messages": "warning",
}


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL binaries could be found or installed, or the instance would not start."""


def _has_programs(directory: Path) -> bool:
    return all(os.access(directory / program, os.X_OK) for program in PROGRAMS)


def _version_key(directory: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", directory.parent.name)) or (0,)


def find_bin_dir() -> Path | None:
    """Where initdb, pg_ctl and postgres are, or None. An explicit PG_BIN must hold them."""
    explicit = os.environ.get("PG_BIN")
    if explicit:
        if not _has_programs(Path(explicit)):
            raise PostgresUnavailable(f"PG_BIN={explicit} does not contain {', '.join(PROGRAMS)}")
        return Path(explicit)
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            bindir = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=10).stdout
            candidates.append(Path(bindir.strip()))
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    candidates += sorted(DEBIAN_ROOT.glob("*/bin"), key=_version_key, reverse=True)
    return next((directory for directory in candidates if _has_programs(directory)), None)


def ensure_bin_dir() -> Path:
    """find_bin_dir(), installing Debian's PostgreSQL first when there is none."""
    found = find_bin_dir()
    if found is not None:
        return found
    printed = run_installer(ENSURE_SCRIPT, "PostgreSQL server programs", PostgresUnavailable)
    if printed and _has_programs(Path(printed)):
        return Path(printed)
    found = find_bin_dir()
    if found is None:
        raise PostgresUnavailable(f"{ENSURE_SCRIPT.name} finished but initdb is still missing")
    return found


def run_installer(script: Path, what: str, error: type[RuntimeError]) -> str:
    """Run one of the scripts/ensure_*.sh installers (its progress goes to our stderr); what it printed on
    stdout. Raises `error`, naming `what` and the installer's last line, when it fails."""
    result = subprocess.run([str(script)], capture_output=True, text=True, timeout=900, check=False)
    sys.stderr.write(result.stderr)
    if result.returncode != 0:
        reason = result.stderr.strip().splitlines()[-1:] or [f"exit {result.returncode}"]
        raise error(f"{what} missing, and {script.name} failed: {reason[0]}")
    return result.stdout.strip()


def instances_dir(kind: str = "postgres") -> Path:
    """Where this user's instances live: one folder per instance, each naming its owning process. As root,
    under /tmp, which the service account can reach (root's own TMPDIR may not be). `kind`: postgres, or
    pgbouncer (scripts/pgbouncer_instance.py)."""
    temp = Path("/tmp") if os.geteuid() == 0 and Path("/tmp").is_dir() else Path(tempfile.gettempdir())  # noqa: S108
    return temp / f"global-chat-{kind}-{os.getuid()}"


def owner_record() -> str:
    """What an instance's owner.json says: this process, by PID and start time (see owner_alive)."""
    return json.dumps({"pid": os.getpid(), "start": _process_start(os.getpid())})


def owner_alive(root: Path) -> bool | None:
    """Whether the process that created the instance in `root` still runs; None when root names none (yet)."""
    try:
        owner = json.loads((root / "owner.json").read_text())
    except (OSError, ValueError):
        return None
    return bool(_process_start(int(owner["pid"])) == owner["start"])


def _process_start(pid: int) -> str | None:
    """The start time of a process (field 22 of /proc/PID/stat), to tell it from a later one with its PID."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def service_account() -> pwd.struct_passwd | None:
    """The unprivileged account the cluster runs as when we are root; None when we are not root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise PostgresUnavailable("running as root, and neither a `postgres` nor a `nobody` account exists")


class Owned(Protocol):
    """An instance this process created and must destroy: a PostgresInstance, a PgBouncerInstance."""

    def destroy(self) -> None: ...


_alive: set[Owned] = set()
_alive_lock = threading.Lock()
_hooks_installed = False


def track(instance: Owned) -> None:
    """Destroy `instance` when this process exits or gets SIGTERM/SIGHUP, unless untrack()ed first."""
    with _alive_lock:
        _alive.add(instance)
    _install_hooks()


def untrack(instance: Owned) -> None:
    with _alive_lock:
        _alive.discard(instance)


def _destroy_alive() -> None:
    with _alive_lock:
        instances = list(_alive)
    for instance in instances:
        with contextlib.suppress(Exception):
            instance.destroy()


def _on_signal(signum: int, frame: FrameType | None) -> None:
    _destroy_alive()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _install_hooks() -> None:
    """Destroy live instances at exit and on SIGTERM/SIGHUP (SIGINT is pytest's KeyboardInterrupt, which
    runs fixture finalizers). Only where nobody else handles the signal, and only from the main thread."""
    global _hooks_installed
    if _hooks_installed:
        return
    _hooks_installed = True
    atexit.register(_destroy_alive)
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGHUP):
            if signal.getsignal(signum) in (signal.SIG_DFL, None):
                signal.signal(signum, _on_signal)


class Throwaway:
    """What the suite's throwaway servers share (PostgresInstance, scripts/pgbouncer_instance.py's
    PgBouncerInstance): a folder of its own under instances_dir(KIND) that names this process as its owner,
    handed to the service account when we are root, destroyed at exit or on SIGTERM/SIGHUP if still alive
    (track), and reaped by the next instance of its kind when its process died without cleaning up."""

    KIND: ClassVar[str]
    Unavailable: ClassVar[type[RuntimeError]]

    def __init__(self) -> None:
        self.account = service_account()
        self.root: Path | None = None
        self.port = 0

    @property
    def log(self) -> Path:
        raise NotImplementedError

    def create(self) -> Self:
        raise NotImplementedError

    def destroy(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.create()

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.destroy()

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except (OSError, AssertionError):
            return ""

    @classmethod
    def kill_leftover(cls, root: Path) -> None:
        """SIGKILL what an instance's dead owner left running in `root` (if it is still that program)."""
        raise NotImplementedError

    @classmethod
    def reap_stale(cls) -> list[Path]:
        """Stop and remove the instances of this kind whose owning process has ended; the folders removed."""
        base = instances_dir(cls.KIND)
        reaped: list[Path] = []
        if not base.is_dir():
            return reaped
        for root in base.iterdir():
            alive = owner_alive(root)
            if alive or (alive is None and time.time() - root.stat().st_mtime < 60):
                continue  # its process is alive (or is creating it right now): not ours to touch
            cls.kill_leftover(root)
            shutil.rmtree(root, ignore_errors=True)
            reaped.append(root)
        return reaped

    def _make_root(self) -> Path:
        """A new folder for this instance (reaping those of processes that are gone first), tracked for
        clean-up from here on: create() starts the server in it, and destroy()s it when that fails."""
        self.reap_stale()
        base = instances_dir(self.KIND)
        base.mkdir(mode=0o755, exist_ok=True)
        if base.stat().st_uid != os.getuid():
            raise self.Unavailable(f"{base} belongs to another user; remove it")
        self.root = base / f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.root.mkdir(mode=0o700)
        (self.root / "owner.json").write_text(owner_record())
        track(self)
        if self.account is not None:
            try:
                os.chown(self.root, self.account.pw_uid, self.account.pw_gid)
            except BaseException:
                self.destroy()
                raise
        return self.root


class PostgresInstance(Throwaway):
    KIND = "postgres"
    Unavailable = PostgresUnavailable

    def __init__(self, bin_dir: Path | None = None, settings: dict[str, str] | None = None) -> None:
        """`settings`: postgresql.conf values over SETTINGS (e.g. {"max_connections": "20"})."""
        super().__init__()
        self.bin_dir = bin_dir
        self.settings = {**SETTINGS, **(settings or {})}
        self._started = False

    # -- where things are -------------------------------------------------------------------------------
    @property
    def data(self) -> Path:
        assert self.root is not None, "create() first"
        return self.root / "data"

    @property
    def log(self) -> Path:
        assert self.root is not None, "create() first"
        return self.root / "postgres.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    # -- lifecycle ------------------------------------------------------------------------------------
    def create(self) -> PostgresInstance:
        """initdb a fresh cluster and start it; reaps instances of processes that are gone first."""
        if self.bin_dir is None:
            self.bin_dir = ensure_bin_dir()
        root = self._make_root()
        try:
            self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8", "--locale=C", "-N")
            settings = "".join(f"{name} = {value}\n" for name, value in self.settings.items())
            self._append_settings(settings + f"unix_socket_directories = '{root}'\n")
            self.start()
        except BaseException:
            self.destroy()
            raise
        return self

    def start(self) -> None:
        """Start the server (again, after stop(): on the same port). The first start chooses a free port,
        and another one if some other process bound it in between."""
        for attempt in range(5):
            if not self.port:
                self.port = free_port()
            options = [
                "-D",
                str(self.data),
                "-l",
                str(self.log),
                "-o",
                f"-p {self.port}",
                "-w",
                "-t",
                str(START_TIMEOUT),
            ]
            try:
                self._run("pg_ctl", *options, "start")
            except PostgresUnavailable:
                if self._started or attempt == 4 or "could not bind" not in self.log_tail():
                    raise
                self.port = 0
            else:
                self._started = True
                return

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", str(START_TIMEOUT), "stop")

    def restart(self, mode: str = "fast") -> None:
        self.stop(mode)
        self.start()

    @classmethod
    def kill_leftover(cls, root: Path) -> None:
        _kill_postmaster(root / "data")

    def postmaster_pid(self) -> int | None:
        return _postmaster_pid(self.data) if self.root is not None else None

    def destroy(self) -> None:
        """Stop the server if it runs (pg_ctl, or SIGKILL to its postmaster), then remove the folder."""
        untrack(self)
        if self.root is None:
            return
        try:
            if self.postmaster_pid() is not None:
                try:
                    self.stop("immediate")
                except (PostgresUnavailable, subprocess.SubprocessError, OSError):
                    _kill_postmaster(self.data)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    # -- helpers ----------------------------------------------------------------------------------------
    def _append_settings(self, text: str) -> None:
        conf = self.data / "postgresql.conf"
        with conf.open("a") as handle:  # root may write it; the owner stays the service account
            handle.write("\n# global-chat test instance\n" + text)

    def _run(self, program: str, *args: str) -> None:
        assert self.bin_dir is not None and self.root is not None
        command = [str(self.bin_dir / program), *args]
        if self.account is not None:
            command = ["runuser", "-u", self.account.pw_name, "--", *command]
        result = subprocess.run(
            command, cwd=self.root, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=START_TIMEOUT + 30
        )
        if result.returncode != 0:
            raise PostgresUnavailable(
                f"{program} {' '.join(args[:1])} failed ({result.returncode}):\n{result.stdout}{result.stderr}\n"
                f"--- server log ---\n{self.log_tail()}"
            )


def _postmaster_pid(data: Path) -> int | None:
    try:
        return int((data / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _kill_postmaster(data: Path) -> None:
    """SIGKILL the postmaster of `data`, if the PID it recorded is still that postmaster (not a reused PID)."""
    pid = _postmaster_pid(data)
    if pid is None:
        return
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return
    if cmdline and Path(os.fsdecode(cmdline[0])).name in ("postgres", "postmaster") and str(data).encode() in cmdline:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.05)


def reap_stale() -> list[Path]:
    """Stop and remove the clusters whose owning process has ended; the folders removed."""
    return PostgresInstance.reap_stale()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--bin-dir", action="store_true", help="print the folder of initdb (installing it if need be)")
    if parser.parse_args().bin_dir:
        try:
            print(ensure_bin_dir())
        except PostgresUnavailable as exc:
            print(f"postgres-instance: {exc}", file=sys.stderr)
            return 1
        return 0
    with PostgresInstance() as instance:
        print(instance.url(), flush=True)
        print(f"postgres-instance: running from {instance.root}; Ctrl-C stops and removes it", file=sys.stderr)
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()
    return 0


if __name__ == "__main__":
    sys.exit(main())
