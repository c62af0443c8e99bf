"""The stores the servers are measured on: SQLite, a PostgreSQL (the run's own or BENCH_PG_URL's) and a
PgBouncer in front of it; each migrated and seeded with an organization and the hot path's API key."""

from __future__ import annotations

import asyncio
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from sqlalchemy import func, select

from global_chat.accounts.service import AccountService
from global_chat.settings import Settings
from global_chat.storage.database import Database
from global_chat.storage.migrate import upgrade
from global_chat.storage.tables import SESSIONS
from scripts.bench.config import Config, progress, warn_loudly
from scripts.pgbouncer_instance import PgBouncerInstance, PgBouncerUnavailable
from scripts.pgbouncer_instance import version as pgbouncer_version
from scripts.postgres_instance import PostgresInstance, PostgresUnavailable


@dataclass
class Backend:
    name: str
    """sqlite, postgresql or pgbouncer"""
    url: str
    settings: Settings
    org_id: uuid.UUID = field(default_factory=uuid.uuid4)
    api_key: str = ""
    pg_database: str | None = None
    pgbouncer: PgBouncerInstance | None = None


def bench_settings(database_url: str, jwt_secret: str, pooler: str = "none") -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        db_pooler=pooler,
        auth_mode="keys",
        jwt_secret=jwt_secret,
        chat_create_rate_limit=0,
        chat_create_rate_limit_per_user=0,
        log_level="WARNING",
    )


def pg_url_for(config: Config, database: str) -> str:
    parts = urlsplit(config.pg_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


async def _pg_admin(config: Config, statement: str) -> None:
    connection = await asyncpg.connect(config.pg_url, timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def pg_reachable(config: Config) -> str | None:
    """None when the PostgreSQL server answers; the reason otherwise."""
    if not config.pg_url:
        return "no PostgreSQL could be started, and BENCH_PG_URL names none"
    try:
        asyncio.run(_pg_admin(config, "SELECT 1"))
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def create_pg_database(config: Config, label: str) -> str:
    name = f"global_chat_bench_{label}_{secrets.token_hex(4)}"
    progress(f"postgresql: CREATE DATABASE {name}")
    asyncio.run(_pg_admin(config, f'CREATE DATABASE "{name}"'))
    return name


async def _pg_sessions(config: Config, database: str) -> int:
    connection = await asyncpg.connect(config.pg_url, timeout=5)
    try:
        query = "SELECT sessions FROM pg_stat_database WHERE datname = $1"  # PostgreSQL 14+
        return int(await connection.fetchval(query, database) or 0)
    finally:
        await connection.close()


def pg_sessions(config: Config, database: str) -> int:
    """Connections PostgreSQL has accepted into `database` so far."""
    return asyncio.run(_pg_sessions(config, database))


def drop_pg_database(config: Config, name: str) -> None:
    progress(f"postgresql: DROP DATABASE {name}")
    try:
        asyncio.run(_pg_admin(config, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        warn_loudly(f"could not drop the PostgreSQL database {name}: {exc}")


async def _seed(backend: Backend, user_id: uuid.UUID) -> None:
    database = Database(backend.settings)
    try:
        service = AccountService(database)
        backend.org_id = await service.create_organization("Benchmark")
        backend.api_key = await service.create_api_key(backend.org_id, user_id, None)
    finally:
        await database.dispose()


def prepare(backend: Backend) -> None:
    """Migrate the database, then create the organization and the hot path's API key."""
    progress(f"{backend.name}: migrating {backend.url.split('@')[-1]}")
    upgrade(backend.settings)
    progress(f"{backend.name}: creating an organization and an API key")
    asyncio.run(_seed(backend, uuid.uuid4()))


async def _count_sessions(settings: Settings) -> int:
    database = Database(settings)
    try:
        async with database.transaction() as tx:
            return int((await tx.execute(select(func.count()).select_from(SESSIONS))).scalar_one())
    finally:
        await database.dispose()


def count_sessions(backend: Backend) -> int:
    return asyncio.run(_count_sessions(backend.settings))


FILL_USERS = """
INSERT INTO users (id, display_name, created_at)
SELECT md5('u' || g)::uuid, 'user ' || g, now() FROM generate_series(1, $1::int) g
"""


FILL_PRINCIPALS = """
INSERT INTO principals (id, kind, subject_id, created_at)
SELECT md5('p' || g)::uuid, 'user', md5('u' || g)::uuid, now() FROM generate_series(1, $1::int) g
"""


FILL_SESSIONS = """
INSERT INTO sessions (id, organization_id, workspace_id, harness_id, owner_principal_id, global_chat_user_id,
                      title, locale, status, tags, is_pinned, created_at, updated_at)
SELECT md5('s' || g)::uuid, $2::uuid, md5('s' || g)::uuid, $3::uuid, md5('p' || g)::uuid, md5('u' || g)::uuid,
       'Platform Chat', 'en-US', 'started', json_build_array('global-chat', 'user:' || md5('u' || g)::uuid),
       false, now(), now()
FROM generate_series(1, $1::int) g
"""


async def _fill(url: str, org_id: uuid.UUID, rows: int) -> None:
    connection = await asyncpg.connect(url, timeout=10)
    try:
        harness_id = await connection.fetchval(
            "SELECT platform_chat_harness_id FROM organizations WHERE id = $1", org_id
        )
        async with connection.transaction():
            await connection.execute("SET LOCAL synchronous_commit = off")
            await connection.execute(FILL_USERS, rows)
            await connection.execute(FILL_PRINCIPALS, rows)
            await connection.execute(FILL_SESSIONS, rows, org_id, harness_id)
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


def fill_sessions(backend: Backend, rows: int) -> None:
    """Bulk-insert `rows` global chat sessions of other users (with their users and principals)."""
    if rows <= 0:
        return
    progress(f"postgresql: inserting {rows:,} sessions (and their users and principals), then VACUUM ANALYZE")
    started = time.monotonic()
    asyncio.run(_fill(backend.url.replace("+asyncpg", ""), backend.org_id, rows))
    progress(f"postgresql: {rows:,} sessions inserted in {time.monotonic() - started:.1f} s")


def backends_for(
    config: Config, workdir: Path, jwt_secret: str, bench_warn: Callable[[str], None], backends: list[Backend]
) -> None:
    """Append to `backends` the ones of BENCH_BACKENDS that can be had (as they are made: whatever fails
    midway, what was made is cleaned up)."""
    for name in config.backends:
        if name == "sqlite":
            url = f"sqlite:///{workdir / 'bench.db'}"
            backends.append(Backend("sqlite", url, bench_settings(url, jwt_secret)))
            continue
        reason = pg_reachable(config)
        if reason is not None:
            bench_warn(
                f"PostgreSQL at {config.pg_url} is unreachable ({reason}): the {name} rows are SKIPPED "
                "and every ratio is computed without them"
            )
            continue
        database = create_pg_database(config, "main" if name == "postgresql" else name)
        url = pg_url_for(config, database)
        if name == "postgresql":
            backends.append(Backend("postgresql", url, bench_settings(url, jwt_secret), pg_database=database))
            continue
        progress(f"pgbouncer: starting one in transaction pooling mode, {config.pgbouncer_pool} server connections")
        bouncer = PgBouncerInstance(config.pg_url, pool_mode="transaction", pool_size=config.pgbouncer_pool)
        try:
            bouncer.create()
        except PgBouncerUnavailable as exc:
            drop_pg_database(config, database)
            bench_warn(f"no PgBouncer ({exc}): the pgbouncer rows are SKIPPED")
            continue
        url = bouncer.url(database)
        settings = bench_settings(url, jwt_secret, pooler="pgbouncer")
        backends.append(Backend("pgbouncer", url, settings, pg_database=database, pgbouncer=bouncer))
        progress(f"pgbouncer: {pgbouncer_version(bouncer.program)} on :{bouncer.port}")


def release(config: Config, backends: list[Backend]) -> None:
    """Stop the PgBouncers and drop the PostgreSQL databases of the run (unless BENCH_KEEP)."""
    for backend in backends:
        if backend.pgbouncer is not None:
            backend.pgbouncer.destroy()
        if backend.pg_database and not config.keep:
            drop_pg_database(config, backend.pg_database)


def start_own_postgres(config: Config) -> tuple[PostgresInstance | None, Config]:
    """The run's own PostgreSQL (scripts/postgres_instance.py, as the test suite's: PostgreSQL 15 from the
    machine or Debian, no fsync, so that the creation rows measure the servers rather than this machine's
    disk) and the config pointing at it; without one, a config whose PostgreSQL rows are skipped, loudly."""
    progress("postgresql: starting a PostgreSQL of the run's own (BENCH_PG_URL measures another server)")
    try:
        instance = PostgresInstance().create()
    except PostgresUnavailable as exc:
        progress(f"postgresql: none could be started: {exc}")
        return None, config  # no pg_url: pg_reachable() says why, and the PostgreSQL rows are skipped
    progress(f"postgresql: {instance.url()} ({instance.root})")
    return instance, replace(config, pg_url=instance.url())
