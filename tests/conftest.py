"""Fixtures come from tests/fixtures (pytest_plugins); every test is marked by the family it belongs to,
so that `make test-fast` can leave out the slow ones (markers: pyproject.toml)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

pytest_plugins = [
    "tests.fixtures.app",
    "tests.fixtures.clock",
    "tests.fixtures.accounts",
    "tests.fixtures.contract",
    "tests.fixtures.postgres",
    "tests.support.leaks",
]

# Property tests pass or fail the same way on every run of one commit (a fixed seed: CI never flakes
# on a lucky draw), and no health check times generation on a busy 2-core machine.
settings.register_profile("suite", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("suite")

TESTS = Path(__file__).resolve().parent
POSTGRES_FIXTURES = {"postgres", "postgres_url", "postgres_server", "private_postgres", "pgbouncer_server"}
PGBOUNCER_FIXTURES = {"pgbouncer_server", "pgbouncer_url", "private_pgbouncer"}
# test modules (or folders), by their path under tests/ -> the markers of every test in them. The deployment
# tests time real server processes against the test's own client (a SIGKILL in the middle of a burst, say):
# they run without coverage's tracing (pytest-cov's no_cover), which slowed that client enough to change what
# they observe.
FAMILIES: dict[str, tuple[str, ...]] = {
    "deploy": ("deploy", "process", "no_cover"),
    "contract": ("contract",),
    "client": ("process",),
    "docs/test_examples.py": ("process",),
    "web/test_swagger_ui.py": ("browser", "process"),
    "test_cli.py": ("process",),
    "web/test_tracing_export.py": ("process",),
    "test_adding_an_operation.py": ("process",),
    "mcp/test_mcp_server.py": ("process",),
    "hostile": ("hostile",),
    "hostile/test_restart.py": ("process",),
    "hostile/test_server_bounds.py": ("process",),
    "tooling/test_bench_baselines.py": ("bench",),
    "tooling/test_postgres_instance.py": ("postgres", "process"),
    "tooling/test_pgbouncer_instance.py": ("postgres", "pgbouncer", "process"),
    "tooling/test_servers.py": ("process",),
    "tooling/test_bench_layers_run.py": ("process",),
    "tooling/test_strict_tests.py": ("process",),
}


def markers_of(item: pytest.Item) -> set[str]:
    found: set[str] = set()
    relative = Path(str(item.path)).relative_to(TESTS)
    found.update(FAMILIES.get(relative.parts[0], ()))
    found.update(FAMILIES.get(relative.as_posix(), ()))
    callspec = getattr(item, "callspec", None)
    backend = callspec.params.get("backend") if callspec is not None else None
    fixtures = set(getattr(item, "fixturenames", ()))
    if backend == "pgbouncer" or PGBOUNCER_FIXTURES & fixtures:
        found.update(("postgres", "pgbouncer"))
    if backend == "postgresql" or POSTGRES_FIXTURES & fixtures:
        found.add("postgres")
    return found


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for name in sorted(markers_of(item)):
            item.add_marker(name)
