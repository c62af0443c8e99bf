"""The session repository's statements on both stores, inside a transaction and outside one."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from global_chat import ids
from global_chat.accounts.model import Organization
from global_chat.accounts.repository import AccountRepository
from global_chat.accounts.service import AccountService
from global_chat.sessions.model import GlobalChat, SessionChanges, StoredSession, global_chat_tags
from global_chat.sessions.repository import SessionRepository
from global_chat.storage.database import Database
from global_chat.storage.tables import RATE_LIMIT_WINDOWS as WINDOWS

pytestmark = [pytest.mark.anyio, pytest.mark.pgbouncer_backend]  # backends: tests/fixtures/app.py
NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


async def new_session(database: Database, org: uuid.UUID | None = None) -> StoredSession:
    """A global chat session, not stored yet, of a new user (in a new organization unless `org`)."""
    org = org or await AccountService(database).create_organization("Acme")
    user = uuid.uuid4()
    async with database.transaction() as tx:
        accounts = AccountRepository(tx)
        organization = await accounts.organization(org)
        principal = await accounts.ensure_user_principal(user, NOW, ids.new_uuid())
    assert organization is not None and organization.platform_chat_harness_id is not None
    session_id = ids.new_uuid()
    return StoredSession(
        id=session_id,
        organization_id=org,
        workspace_id=session_id,
        harness_id=organization.platform_chat_harness_id,
        owner_principal_id=principal,
        global_chat_user_id=user,
        title="Platform Chat",
        locale=None,
        status="started",
        tags=global_chat_tags(user),
        is_pinned=False,
        created_at=NOW,
        updated_at=NOW,
    )


async def test_the_singleton_is_inserted_once(database: Database) -> None:
    session = await new_session(database)
    twin = replace(session, id=ids.new_uuid(), workspace_id=ids.new_uuid())

    async with database.transaction() as tx:
        assert await SessionRepository(tx).insert_global_chat(session)
    async with database.transaction() as tx:
        assert not await SessionRepository(tx).insert_global_chat(twin)


async def test_the_same_lookup_runs_in_a_transaction_and_outside_one(database: Database) -> None:
    session = await new_session(database)
    assert session.global_chat_user_id is not None
    async with database.transaction() as tx:
        await SessionRepository(tx).insert_global_chat(session)

    async with database.transaction() as tx:
        inside = await SessionRepository(tx).find_global_chat(session.organization_id, session.global_chat_user_id)
    async with database.outside_transaction() as connection:
        outside = await SessionRepository(connection).find_global_chat(
            session.organization_id, session.global_chat_user_id
        )

    assert inside == outside
    assert inside is not None and inside.session == session and not inside.needs_rebinding


async def test_the_creations_lookup_finds_the_organization_and_the_users_session(database: Database) -> None:
    session = await new_session(database)
    user, org = session.global_chat_user_id, session.organization_id
    assert user is not None
    async with database.transaction() as tx:
        repo = SessionRepository(tx)
        before = await repo.find_organization_chat(org, user)
        await repo.insert_global_chat(session)
        after = await repo.find_organization_chat(org, user)
        other_user = await repo.find_organization_chat(org, uuid.uuid4())
        no_organization = await repo.find_organization_chat(uuid.uuid4(), user)
        hot_path = await repo.find_global_chat(org, user)

    assert before == other_user == Organization(org, session.harness_id)
    assert after == hot_path == GlobalChat(session, session.harness_id)
    assert no_organization is None


async def test_owned_sessions_are_found_changed_and_deleted_only_by_their_owner(database: Database) -> None:
    session = await new_session(database)
    owner = session.global_chat_user_id
    assert owner is not None
    stranger = uuid.uuid4()
    async with database.transaction() as tx:
        repo = SessionRepository(tx)
        await repo.insert_global_chat(session)

        assert await repo.find_owned(session.id, session.organization_id, stranger) is None
        assert await repo.find_owned(session.id, uuid.uuid4(), owner) is None
        assert await repo.find_owned(session.id, session.organization_id, owner, lock=True) == session
        later = session.updated_at + timedelta(minutes=1)
        tags = ("global-chat", "planning")
        changes = SessionChanges(title="Renamed", locale="uk-UA", tags=tags)
        renamed = await repo.change(session.id, changes, later)
        assert renamed == replace(session, title="Renamed", locale="uk-UA", tags=tags, updated_at=later)
        cleared = await repo.change(session.id, SessionChanges(clear_locale=True), later)
        assert cleared == replace(renamed, locale=None)
        pinned = await repo.set_pinned(session.id, True, later)
        assert pinned == replace(cleared, is_pinned=True)
        assert not await repo.delete_owned(session.id, session.organization_id, stranger)
        assert await repo.delete_owned(session.id, session.organization_id, owner)
        assert await repo.find_owned(session.id, session.organization_id, owner) is None
        assert await repo.change(session.id, SessionChanges(title="Gone"), later) is None
        assert await repo.set_pinned(session.id, False, later) is None
        assert await repo.rebind(session.id, uuid.uuid4(), later) is None


async def test_budget_windows_count_atomically_per_organization_bucket_and_window(database: Database) -> None:
    org, other = uuid.uuid4(), uuid.uuid4()
    async with database.transaction() as tx:
        repo = SessionRepository(tx)
        counts = [await repo.charge_budgets(org, ["create"], 60) for _ in range(3)]
        elsewhere = [
            await repo.charge_budgets(org, ["create"], 120),
            await repo.charge_budgets(org, ["other"], 60),
            await repo.charge_budgets(other, ["create"], 60),
        ]
        both = await repo.charge_budgets(org, ["create", "create:user:1"], 60)

    assert counts == [{"create": 1}, {"create": 2}, {"create": 3}]
    assert elsewhere == [{"create": 1}, {"other": 1}, {"create": 1}]
    assert both == {"create": 4, "create:user:1": 1}


async def test_budget_windows_before_a_start_are_deleted_for_every_organization(database: Database) -> None:
    orgs = [uuid.uuid4(), uuid.uuid4()]
    async with database.transaction() as tx:
        repo = SessionRepository(tx)
        for org in orgs:
            for window_start in (0, 60, 120):
                await repo.charge_budgets(org, ["create"], window_start)
        await repo.delete_budget_windows(before=60)

    async with database.outside_transaction() as connection:
        rows = (await connection.execute(select(WINDOWS.c.organization_id, WINDOWS.c.window_start))).all()
    found = sorted((row.organization_id, row.window_start) for row in rows)
    assert found == sorted((org, start) for org in orgs for start in (60, 120))
