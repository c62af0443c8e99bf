"""scripts/pgbouncer_instance.py: the suite's own PgBouncer pools in the mode asked for, in front of the
run's PostgreSQL, never as root, and leaves nothing behind: not when it is destroyed, not when its owner
is terminated, and what a killed owner left is reaped by the next one."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from scripts import pgbouncer_instance
from scripts.pgbouncer_instance import PgBouncerInstance, PgBouncerUnavailable
from tests.support.instances import (
    OwnedInstance,
    assert_a_killed_owner_is_reaped_by_the_next,
    assert_a_terminated_owner_removes_its_instance,
    fake_installer,
    owner_of_an_instance,
    process_gone,
)


async def _server_pids(url: str) -> tuple[int, int, str]:
    """The server process of two statements of one client, while another client's transaction holds the
    server connection of the first; and the user sessions run as."""
    connection = await asyncpg.connect(url, timeout=10, statement_cache_size=0)
    other = await asyncpg.connect(url, timeout=10, statement_cache_size=0)
    try:
        first = await connection.fetchval("SELECT pg_backend_pid()")
        async with other.transaction():
            await other.fetchval("SELECT pg_backend_pid()")  # takes the server connection just released
            second = await connection.fetchval("SELECT pg_backend_pid()")
        return int(first), int(second), str(await connection.fetchval("SELECT current_user"))
    finally:
        await other.close()
        await connection.close()


def test_an_instance_pools_transactions_and_leaves_nothing(postgres_server: str) -> None:
    with PgBouncerInstance(postgres_server, pool_size=2) as bouncer:
        root, pid = bouncer.root, bouncer.pid
        assert root is not None and pid is not None
        first, second, user = asyncio.run(_server_pids(bouncer.url()))
        assert "pool_mode = transaction" in bouncer.ini.read_text()
    assert user == "postgres"
    assert first != second  # one client, two server connections: transaction pooling
    assert not root.exists()
    assert process_gone(pid)


def test_pgbouncer_never_runs_as_root(postgres_server: str) -> None:
    with PgBouncerInstance(postgres_server) as bouncer:
        assert bouncer.pid is not None
        owner = Path(f"/proc/{bouncer.pid}").stat().st_uid
    if os.geteuid() == 0:
        assert bouncer.account is not None
        assert owner == bouncer.account.pw_uid != 0
    else:
        assert owner == os.geteuid()


@pytest.fixture
def bouncer_owner(postgres_server: str) -> Iterator[OwnedInstance]:
    """A process that starts a PgBouncer and keeps it."""
    with owner_of_an_instance(
        "pgbouncer_instance.py", "pgbouncer", pgbouncer_instance._pgbouncer_pid, postgres_server
    ) as owned:
        yield owned


def test_an_instance_whose_process_was_killed_is_reaped_by_the_next(bouncer_owner: OwnedInstance) -> None:
    assert_a_killed_owner_is_reaped_by_the_next(bouncer_owner, pgbouncer_instance.reap_stale)


def test_a_terminated_process_stops_and_removes_its_instance(bouncer_owner: OwnedInstance) -> None:
    assert_a_terminated_owner_removes_its_instance(bouncer_owner)


@pytest.fixture
def no_program(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A machine without PgBouncer: nothing on PATH, no PGBOUNCER, nothing where Debian puts it."""
    monkeypatch.delenv("PGBOUNCER", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-path"))
    monkeypatch.setattr(pgbouncer_instance, "DEBIAN_PROGRAM", tmp_path / "sbin" / "pgbouncer")
    return tmp_path / "sbin" / "pgbouncer"


def test_without_pgbouncer_the_installer_runs_and_what_it_installed_is_used(
    no_program: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install = f"mkdir -p {no_program.parent}\nprintf '#!/bin/sh\\n' > {no_program}\nchmod +x {no_program}\n"
    installer = fake_installer(tmp_path, "ensure_pgbouncer.sh", install + f"echo {no_program}\n")
    monkeypatch.setattr(pgbouncer_instance, "ENSURE_SCRIPT", installer)
    assert pgbouncer_instance.find_program() is None
    assert pgbouncer_instance.ensure_program() == no_program


def test_without_pgbouncer_and_no_way_to_install_it_the_reason_is_given(
    no_program: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    refusal = "echo 'ensure-pgbouncer: install it as root' >&2\nexit 1\n"
    installer = fake_installer(tmp_path, "ensure_pgbouncer.sh", refusal)
    monkeypatch.setattr(pgbouncer_instance, "ENSURE_SCRIPT", installer)
    with pytest.raises(PgBouncerUnavailable, match="install it as root"):
        PgBouncerInstance("postgresql://postgres@127.0.0.1:5432/postgres").create()
