"""Prometheus metrics of one app instance (its own registry, so several apps can live in one process).

With `global-chat serve --workers N` the workers are separate processes: the console script sets
PROMETHEUS_MULTIPROC_DIR, every worker writes its samples there, and /metrics, whichever worker
answers it, adds them all up (prometheus-client's multiprocess mode). The database pool gauges are
summed over the live workers ("livesum"): the instance's connections; each worker refreshes its own
every POOL_REFRESH_SECONDS and the one answering /metrics right before it answers.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess
from prometheus_client.exposition import CONTENT_TYPE_LATEST

if TYPE_CHECKING:
    from global_chat.storage.database import PoolStatus

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
CONTENT_TYPE = CONTENT_TYPE_LATEST
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
MULTIPROCESS_DIR_PREFIX = "global-chat-metrics-"
POOL_REFRESH_SECONDS = 1.0
POOL_GAUGES = {
    "max_connections": "The most database connections the pools may open (DB_POOL_SIZE + DB_MAX_OVERFLOW each).",
    "size": "Database connections the pools keep open once opened (DB_POOL_SIZE each).",
    "open": "Database connections open now, idle or in use.",
    "checked_out": "Database connections in use now.",
    "overflow": "Database connections open now beyond the pool size (closed again when returned).",
}


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._children: dict[tuple[str, int], tuple[Any, Any]] = {}
        self.requests = Counter(
            "global_chat_http_requests", "HTTP requests by operation and status.", ["operation", "status"],
            registry=self.registry,
        )  # fmt: skip
        self.latency = Histogram(
            "global_chat_http_request_duration_seconds", "HTTP request latency by operation and status.",
            ["operation", "status"], buckets=LATENCY_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.sessions_created = Counter(
            "global_chat_sessions_created", "Global chat sessions created.", registry=self.registry
        )
        self.singleton_races = Counter(
            "global_chat_singleton_races_resolved",
            "First calls that found the session created by a concurrent call and returned it.",
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "global_chat_rate_limit_rejections", "Creations refused by the rate limit.", registry=self.registry
        )
        self.database_errors = Counter(
            "global_chat_database_errors", "Requests that failed because the database was unavailable.",
            registry=self.registry,
        )  # fmt: skip

        self.pool = {
            name: Gauge(f"global_chat_db_pool_{name}", text, registry=self.registry, multiprocess_mode="livesum")
            for name, text in POOL_GAUGES.items()
        }

    def observe_pool(self, status: PoolStatus) -> None:
        for name, gauge in self.pool.items():
            gauge.set(getattr(status, name))

    def forget_process(self) -> None:
        """On a worker's way out: drop its pool gauges from the sum (the counters stay, as they should)."""
        if os.environ.get(MULTIPROCESS_ENV):
            multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]

    def observe_request(self, operation: str, status: int, seconds: float) -> None:
        children = self._children.get((operation, status))
        if children is None:  # once per (operation, status): label look-ups take a lock each time
            labels = (operation, str(status))
            children = self._children[(operation, status)] = (
                self.requests.labels(*labels),
                self.latency.labels(*labels),
            )
        children[0].inc()
        children[1].observe(seconds)

    def chat_outcome(self, created: bool, race_lost: bool) -> None:
        if created:
            self.sessions_created.inc()
        if race_lost:
            self.singleton_races.inc()

    def exposition(self) -> bytes:
        if os.environ.get(MULTIPROCESS_ENV):
            combined = CollectorRegistry()
            multiprocess.MultiProcessCollector(combined)  # type: ignore[no-untyped-call]
            return generate_latest(combined)
        return generate_latest(self.registry)


@contextmanager
def multiprocess_dir(workers: int) -> Iterator[str | None]:
    """For `serve --workers N` (N > 1): a folder the workers pool their samples in, set as
    PROMETHEUS_MULTIPROC_DIR for them and removed when the server stops (None with one worker, or when
    the operator set the variable). Its name carries the server's PID, so that the folder of a server
    killed before it could remove it (SIGKILL) is removed by the next server that starts."""
    if workers <= 1 or os.environ.get(MULTIPROCESS_ENV):
        yield None
        return
    remove_orphaned_multiprocess_dirs()
    with tempfile.TemporaryDirectory(prefix=f"{MULTIPROCESS_DIR_PREFIX}{os.getpid()}-") as folder:
        os.environ[MULTIPROCESS_ENV] = folder
        try:
            yield folder
        finally:
            del os.environ[MULTIPROCESS_ENV]


def remove_orphaned_multiprocess_dirs() -> list[Path]:
    """Remove this user's metrics folders whose server process is gone; the folders removed."""
    removed = []
    for folder in Path(tempfile.gettempdir()).glob(f"{MULTIPROCESS_DIR_PREFIX}*-*"):
        pid = folder.name.removeprefix(MULTIPROCESS_DIR_PREFIX).split("-", 1)[0]
        try:
            owned = folder.is_dir() and folder.stat().st_uid == os.getuid()
        except OSError:
            continue
        if owned and pid.isdigit() and not _process_exists(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    return True
