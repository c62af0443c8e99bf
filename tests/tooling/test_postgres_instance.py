"""scripts/postgres_instance.py: the suite's own PostgreSQL starts, stops, restarts and leaves nothing
behind, reaps what a killed run left, and without binaries runs the installer (or says why it cannot)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from scripts import postgres_instance
from scripts.postgres_instance import PostgresInstance, PostgresUnavailable
from tests.support.instances import (
    OwnedInstance,
    assert_a_killed_owner_is_reaped_by_the_next,
    assert_a_terminated_owner_removes_its_instance,
    fake_installer,
    owner_of_an_instance,
    process_gone,
)


async def _answer(url: str) -> tuple[str, str]:
    connection = await asyncpg.connect(url, timeout=10)
    try:
        return await connection.fetchval("SHOW fsync"), await connection.fetchval("SELECT current_user")
    finally:
        await connection.close()


def answer(url: str) -> tuple[str, str]:
    return asyncio.run(_answer(url))


def test_an_instance_answers_stops_starts_and_leaves_nothing() -> None:
    with PostgresInstance() as instance:
        root, postmaster = instance.root, instance.postmaster_pid()
        assert root is not None and postmaster is not None
        assert answer(instance.url()) == ("off", "postgres")
        instance.stop()
        assert instance.postmaster_pid() is None
        with pytest.raises(OSError):
            answer(instance.url())
        instance.start()
        instance.restart()
        assert answer(instance.url()) == ("off", "postgres")
        postmaster = instance.postmaster_pid()
        assert postmaster is not None
    assert not root.exists()
    assert process_gone(postmaster)


@pytest.fixture
def cluster_owner() -> Iterator[OwnedInstance]:
    """A process that starts a cluster and keeps it."""
    with owner_of_an_instance(
        "postgres_instance.py", "postgres", lambda root: postgres_instance._postmaster_pid(root / "data")
    ) as owned:
        yield owned


def test_an_instance_whose_process_was_killed_is_reaped_by_the_next(cluster_owner: OwnedInstance) -> None:
    assert_a_killed_owner_is_reaped_by_the_next(cluster_owner, postgres_instance.reap_stale)


def test_a_terminated_process_stops_and_removes_its_instance(cluster_owner: OwnedInstance) -> None:
    assert_a_terminated_owner_removes_its_instance(cluster_owner)


@pytest.fixture
def no_binaries(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A machine without PostgreSQL: nothing on PATH, no PG_BIN, an empty Debian folder."""
    monkeypatch.delenv("PG_BIN", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-path"))
    debian = tmp_path / "usr-lib-postgresql"
    debian.mkdir()
    monkeypatch.setattr(postgres_instance, "DEBIAN_ROOT", debian)
    return debian


def test_without_binaries_the_installer_runs_and_what_it_installed_is_used(
    no_binaries: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = no_binaries / "99" / "bin"
    make_programs = "".join(
        f"printf '#!/bin/sh\\n' > {bin_dir}/{p}; chmod +x {bin_dir}/{p}\n" for p in ("initdb", "pg_ctl", "postgres")
    )
    installer = fake_installer(tmp_path, "ensure_postgresql.sh", f"mkdir -p {bin_dir}\n{make_programs}echo {bin_dir}\n")
    monkeypatch.setattr(postgres_instance, "ENSURE_SCRIPT", installer)
    assert postgres_instance.find_bin_dir() is None
    assert postgres_instance.ensure_bin_dir() == bin_dir


def test_without_binaries_and_no_way_to_install_them_the_reason_is_given(
    no_binaries: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    refusal = "echo 'ensure-postgresql: install them as root' >&2\nexit 1\n"
    installer = fake_installer(tmp_path, "ensure_postgresql.sh", refusal)
    monkeypatch.setattr(postgres_instance, "ENSURE_SCRIPT", installer)
    with pytest.raises(PostgresUnavailable, match="install them as root"):
        PostgresInstance().create()


def test_an_explicit_pg_bin_without_the_programs_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PG_BIN", str(tmp_path))
    with pytest.raises(PostgresUnavailable, match="PG_BIN"):
        postgres_instance.find_bin_dir()


def test_the_cluster_never_belongs_to_root() -> None:
    """initdb refuses root: as root the cluster runs as an unprivileged account, otherwise as the user."""
    with PostgresInstance() as instance:
        owner = instance.data.stat().st_uid
        if os.geteuid() == 0:
            assert instance.account is not None
            assert owner == instance.account.pw_uid != 0
        else:
            assert (instance.account, owner) == (None, os.geteuid())
