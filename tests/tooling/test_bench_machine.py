"""The benchmark's reading of a server's peak RSS per worker (scripts/bench/machine.py, from /proc): a server of
one worker is the process itself; a supervisor with workers is its largest worker's."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from scripts.bench.machine import children, peak_rss_per_worker_mb, vm_hwm_mb

MB = 1024 * 1024
HOLD = f"""
import sys, time
block = bytearray({{size}} * {MB})
for i in range(0, len(block), 4096):  # touched: resident, not only reserved
    block[i] = 1
print("ready", flush=True)
time.sleep(60)
"""
SUPERVISOR = f"""
import subprocess, sys, time
code = {HOLD!r}.replace("{{size}}", sys.argv[1])
worker = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
worker.stdout.readline()
print(worker.pid, flush=True)
try:
    time.sleep(60)
finally:
    worker.kill()
"""


@contextmanager
def running(code: str, *args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """A Python process running `code`, once it printed its first line (returned with it); killed by its PID."""
    process = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        yield process, process.stdout.readline().strip()
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()


@pytest.mark.process
def test_a_single_process_server_is_its_own_worker() -> None:
    with running(HOLD.replace("{size}", "64")) as (process, line):
        assert line == "ready"
        own = vm_hwm_mb(process.pid)

        assert children(process.pid) == []
        assert own is not None and own >= 64
        assert peak_rss_per_worker_mb(process.pid) == own


@pytest.mark.process
def test_a_supervisor_is_measured_by_its_largest_worker() -> None:
    with running(SUPERVISOR, "96") as (supervisor, line):
        worker = int(line)
        assert children(supervisor.pid) == [worker]
        peak = peak_rss_per_worker_mb(supervisor.pid)
        supervisors_own = vm_hwm_mb(supervisor.pid)

        assert peak == vm_hwm_mb(worker)
        assert peak is not None and peak >= 96
        assert supervisors_own is not None and supervisors_own < 96  # not the supervisor's


def test_a_process_that_is_gone_has_no_reading() -> None:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()

    assert peak_rss_per_worker_mb(process.pid) is None
