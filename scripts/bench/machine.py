"""The machine under the benchmark: the processes it starts (each stopped by its PID, whatever happens), the
tools it needs (wrk, taskset), what it runs on, and the CPU each process takes meanwhile (from /proc)."""

from __future__ import annotations

import os
import platform
import resource
import shutil
import signal
import subprocess
import time
from contextlib import suppress
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from types import FrameType
from typing import Any

from scripts.bench.config import Config, progress, warn_loudly
from scripts.pgbouncer_instance import PgBouncerInstance
from scripts.pgbouncer_instance import version as pgbouncer_version


class Processes:
    """Every process this run starts, so that each is stopped by its PID, whatever happens."""

    def __init__(self) -> None:
        self._running: dict[int, tuple[str, subprocess.Popen[Any]]] = {}

    def start(self, name: str, argv: list[str], **kwargs: Any) -> subprocess.Popen[Any]:
        # A session of its own: Ctrl-C reaches this script only, which then stops the process itself.
        return self.track(name, subprocess.Popen(argv, start_new_session=True, **kwargs))

    def track(self, name: str, process: subprocess.Popen[Any]) -> subprocess.Popen[Any]:
        """`process`, started elsewhere (scripts/servers.py), stopped with the others."""
        self._running[process.pid] = (name, process)
        return process

    def stop(self, process: subprocess.Popen[Any], grace: float = 10.0) -> None:
        self._running.pop(process.pid, None)
        if process.poll() is not None:
            return
        with suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGKILL)
            process.wait()

    def pids(self) -> set[int]:
        return set(self._running)

    def stop_all(self) -> None:
        for pid, (name, process) in reversed(list(self._running.items())):
            if process.poll() is None:
                progress(f"stopping {name} (pid {pid})")
            self.stop(process)


PROCESSES = Processes()


def interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def ensure_tools() -> str:
    """wrk (installed with apt-get when missing) and taskset; wrk's version line."""
    if shutil.which("wrk") is None:
        if os.geteuid() != 0:
            raise SystemExit("bench: wrk is missing and this is not root: install it (apt-get install -y wrk)")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        progress("wrk is missing: apt-get update")
        subprocess.run(["apt-get", "update", "-q"], check=True, stdout=subprocess.DEVNULL, env=env)
        progress("installing wrk: apt-get install -y wrk")
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, stdout=subprocess.DEVNULL, env=env)
    if shutil.which("taskset") is None:
        raise SystemExit("bench: taskset is missing (Debian package util-linux)")
    out = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    return (out.stdout or out.stderr).splitlines()[0].strip()


def check_cpus(config: Config) -> None:
    available = sorted(os.sched_getaffinity(0))
    for name, cpu in (("BENCH_SERVER_CPU", config.server_cpu), ("BENCH_WRK_CPU", config.wrk_cpu)):
        if int(cpu) not in available:
            raise SystemExit(f"bench: {name}={cpu} is not one of this process's CPUs {available}")
    if config.server_cpu == config.wrk_cpu:
        warn_loudly("the server and wrk share one CPU: the numbers measure both of them")


def versions(wrk: str, pgbouncer: PgBouncerInstance | None = None) -> dict[str, str]:
    found = {"python": platform.python_version(), "wrk": wrk}
    if pgbouncer is not None:
        found["pgbouncer"] = pgbouncer_version(pgbouncer.program)
    for package in ("connexion", "fastapi", "starlette", "uvicorn", "uvloop", "httptools", "pydantic", "sqlalchemy"):
        with suppress(metadata.PackageNotFoundError):
            found[package] = metadata.version(package)
    return found


def machine() -> dict[str, Any]:
    model = ""
    with suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"cpu": model, "cpus": os.cpu_count(), "kernel": platform.release()}


def vm_hwm_mb(pid: int) -> float | None:
    """VmHWM: one process's resident-set high-water mark since it started, in MiB (None: no such process)."""
    with suppress(OSError, ValueError, IndexError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return None


def children(pid: int) -> list[int]:
    """The process's child processes (every thread's, from /proc/<pid>/task/<tid>/children)."""
    found: list[int] = []
    with suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with suppress(OSError, ValueError):
                found += [int(child) for child in (task / "children").read_text().split()]
    return found


def peak_rss_per_worker_mb(pid: int) -> float | None:
    """The peak resident set of a server's largest worker: the highest VmHWM among the processes it forked
    when it has any (`uvicorn --workers N`: a supervisor and its workers), else its own (one worker, the
    benchmark's servers: uvicorn serves in the process it started in)."""
    workers = [mb for child in children(pid) if (mb := vm_hwm_mb(child)) is not None]
    return max(workers) if workers else vm_hwm_mb(pid)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
NOISY = 0.10
"""Foreign or stolen CPU (in CPUs) over which a run is flagged: the machine was doing other work."""


def _process_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime, all threads


def _steal_ticks() -> int:
    return int(Path("/proc/stat").read_text().split("\n", 1)[0].split()[8])


def _ticks_by_process() -> dict[int, tuple[str, int]]:
    found: dict[int, tuple[str, int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with suppress(OSError, ValueError, IndexError):
                found[int(entry.name)] = ((entry / "comm").read_text().strip(), _process_ticks(int(entry.name)))
    return found


@dataclass
class CpuUse:
    """CPU time spent during a run, in CPUs (1.0: one CPU busy the whole time)."""

    server: float
    wrk: float
    database: float
    """PostgreSQL's and PgBouncer's processes (ours and anybody else's)."""
    foreign: float
    """Every other process on the machine: what makes a run noisy."""
    steal: float
    """Time the hypervisor gave to other guests."""
    top_foreign: list[str]


class CpuMeter:
    def __init__(self, server_pid: int | None) -> None:
        self.server_pid = server_pid
        self.started = time.monotonic()
        self.children = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.steal = _steal_ticks()
        self.processes = _ticks_by_process()

    def stop(self) -> CpuUse:
        seconds = max(time.monotonic() - self.started, 1e-6)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk, once it has been waited for
        wrk = (children.ru_utime + children.ru_stime) - (self.children.ru_utime + self.children.ru_stime)
        steal = (_steal_ticks() - self.steal) / CLOCK_TICKS
        ours = {os.getpid(), *PROCESSES.pids()}
        server = database = 0.0
        foreign: list[tuple[float, str]] = []
        for pid, (comm, ticks) in _ticks_by_process().items():
            used = (ticks - self.processes.get(pid, (comm, 0))[1]) / CLOCK_TICKS
            if used <= 0:
                continue
            if pid == self.server_pid:
                server = used
            elif comm in ("postgres", "pgbouncer"):
                database += used
            elif pid not in ours:
                foreign.append((used, f"{comm}[{pid}]"))
        foreign.sort(reverse=True)
        return CpuUse(
            server=round(server / seconds, 3),
            wrk=round(wrk / seconds, 3),
            database=round(database / seconds, 3),
            foreign=round(sum(u for u, _ in foreign) / seconds, 3),
            steal=round(steal / seconds, 3),
            top_foreign=[f"{name} {used / seconds:.0%}" for used, name in foreign[:3]],
        )


def check_quiet(seconds: float = 2.0) -> CpuUse:
    """What the machine does without us; a loud warning when it is busy."""
    meter = CpuMeter(None)
    time.sleep(seconds)
    idle = meter.stop()
    if idle.foreign + idle.database + idle.steal > NOISY:
        warn_loudly(
            f"the machine is busy before the benchmark starts: {idle.foreign:.0%} of a CPU in other processes "
            f"({', '.join(idle.top_foreign)}), {idle.database:.0%} in PostgreSQL, {idle.steal:.0%} stolen; "
            "with 2 CPUs the numbers will be noisy (the noise column shows each row's worst round)"
        )
    return idle
