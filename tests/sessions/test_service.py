"""The session services on their own (no HTTP), on both stores, with a clock the tests move."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from global_chat.accounts.service import AccountService
from global_chat.errors import InvalidLocale, NotFound, RateLimited, SingletonContended
from global_chat.identity import Identity
from global_chat.metrics import Metrics
from global_chat.sessions.model import SessionChanges, StoredSession, global_chat_tags
from global_chat.sessions.repository import SessionRepository
from global_chat.sessions.service import GlobalChatService, SessionService
from global_chat.storage.database import Database
from tests.fixtures.clock import FakeClock

pytestmark = [pytest.mark.anyio, pytest.mark.pgbouncer_backend]  # backends: tests/fixtures/app.py


def chat_service(database: Database, clock: FakeClock, budget: int = 0) -> GlobalChatService:
    return GlobalChatService(database, create_rate_limit=budget, metrics=Metrics(), clock=clock)


async def new_identity(database: Database, org: uuid.UUID | None = None) -> Identity:
    return Identity(org or await AccountService(database).create_organization("Acme"), uuid.uuid4())


async def test_first_call_creates_and_the_next_returns_it_unchanged(database: Database, clock: FakeClock) -> None:
    service = chat_service(database, clock)
    identity = await new_identity(database)

    created_at = clock.now
    first = await service.get_or_create(identity, "uk-ua")
    clock.advance(30)
    second = await service.get_or_create(identity, "en-US")

    assert (first.created, second.created) == (True, False)
    assert second.session == first.session
    assert first.session.locale == "uk-UA"  # canonicalized, and only a creation takes it
    assert first.session.created_at == first.session.updated_at == created_at
    assert first.session.tags == global_chat_tags(identity.user_id)


async def test_an_invalid_locale_is_refused_before_anything_is_stored(database: Database, clock: FakeClock) -> None:
    service = chat_service(database, clock)
    identity = await new_identity(database)

    with pytest.raises(InvalidLocale):
        await service.get_or_create(identity, "en-US-x-!!")

    assert (await service.get_or_create(identity, None)).created


async def test_the_budget_refuses_creations_until_the_next_window(database: Database, clock: FakeClock) -> None:
    service = chat_service(database, clock, budget=2)
    org = await AccountService(database).create_organization("Busy")
    users = [await new_identity(database, org) for _ in range(3)]

    assert [(await service.get_or_create(user, None)).created for user in users[:2]] == [True, True]
    with pytest.raises(RateLimited) as refused:
        await service.get_or_create(users[2], None)
    assert refused.value.retry_after == 15  # the clock is 45 s into its minute

    clock.advance(15)  # the next window, without waiting for it
    assert (await service.get_or_create(users[2], None)).created
    assert not (await service.get_or_create(users[0], None)).created  # reuse is never charged


async def test_budgets_are_per_organization(database: Database, clock: FakeClock) -> None:
    service = chat_service(database, clock, budget=1)
    first, other = await new_identity(database), await new_identity(database)

    await service.get_or_create(first, None)

    assert (await service.get_or_create(other, None)).created


async def test_lifecycle_of_a_session_with_its_markers(database: Database, clock: FakeClock) -> None:
    identity = await new_identity(database)
    session = (await chat_service(database, clock).get_or_create(identity, None)).session
    sessions = SessionService(database, clock=clock)
    wire_id = f"session_{session.id.hex}"

    clock.advance(60)
    updated = await sessions.update(identity, wire_id, SessionChanges(title="Plans", locale="de-de", tags=("x", "x")))
    assert (updated.title, updated.locale, updated.updated_at) == ("Plans", "de-DE", clock.now)
    assert updated.tags == (*global_chat_tags(identity.user_id), "x")

    cleared = await sessions.update(identity, wire_id, SessionChanges(clear_locale=True))
    assert (cleared.locale, cleared.title) == (None, "Plans")

    pinned_at = clock.now
    await sessions.set_pinned(identity, wire_id, pinned=True)
    clock.advance(60)
    await sessions.set_pinned(identity, wire_id, pinned=True)  # idempotent: nothing changes
    pinned = await sessions.get(identity, wire_id)
    assert pinned.is_pinned and pinned.updated_at == pinned_at

    await sessions.delete(identity, wire_id)
    with pytest.raises(NotFound):
        await sessions.get(identity, wire_id)


async def test_another_users_session_is_not_found_for_every_operation(database: Database, clock: FakeClock) -> None:
    owner = await new_identity(database)
    session = (await chat_service(database, clock).get_or_create(owner, None)).session
    stranger = await new_identity(database, owner.organization_id)
    sessions = SessionService(database, clock=clock)
    wire_id = f"session_{session.id.hex}"

    for attempt in (
        sessions.get(stranger, wire_id),
        sessions.update(stranger, wire_id, SessionChanges(title="Mine now")),
        sessions.set_pinned(stranger, wire_id, pinned=True),
        sessions.delete(stranger, wire_id),
    ):
        with pytest.raises(NotFound):
            await attempt
    assert await sessions.get(owner, wire_id) == session


def conflict_on_insert(monkeypatch: pytest.MonkeyPatch, times: int) -> list[int]:
    """The first `times` inserts find the singleton already there, as when a concurrent call created it;
    the re-read then finds nothing, as when a third call deleted it in between (PostgreSQL, READ COMMITTED)."""
    calls: list[int] = []
    insert = SessionRepository.insert_global_chat

    async def racing_insert(self: SessionRepository, session: StoredSession) -> bool:
        calls.append(1)
        return False if len(calls) <= times else await insert(self, session)

    monkeypatch.setattr(SessionRepository, "insert_global_chat", racing_insert)
    return calls


async def test_a_singleton_deleted_under_its_get_or_create_is_made_again(
    database: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    identity = await new_identity(database)
    inserts = conflict_on_insert(monkeypatch, times=1)

    outcome = await chat_service(database, clock).get_or_create(identity, None)

    assert outcome.created and len(inserts) == 2
    assert await SessionService(database, clock=clock).get(identity, f"session_{outcome.session.id.hex}")


async def test_a_singleton_deleted_under_every_attempt_is_a_503_to_retry(
    database: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    identity = await new_identity(database)
    inserts = conflict_on_insert(monkeypatch, times=10)

    with pytest.raises(SingletonContended) as refused:
        await chat_service(database, clock).get_or_create(identity, None)

    assert len(inserts) == 2  # one retry, not a loop
    assert refused.value.status == 503 and refused.value.retry_after == 1


@contextmanager
def engine_log() -> Iterator[list[str]]:
    """SQLAlchemy's own log of what the engines run (what `echo` shows): each statement, then a line that
    says where its compiled form came from: "[cached since ...]" (the engine's compiled cache),
    "[generated in ...]" (compiled now) or "[no key ...]" (a statement that cannot be cached)."""
    lines: list[str] = []
    handler = logging.Handler(logging.INFO)
    handler.emit = lambda record: lines.append(record.getMessage())  # type: ignore[method-assign]
    logger = logging.getLogger("sqlalchemy.engine.Engine")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield lines
    finally:
        logger.setLevel(level)
        logger.removeHandler(handler)


def compilations(lines: list[str]) -> list[str]:
    """The lines of `engine_log` that say where a statement's compiled form came from."""
    return [line for line in lines if line.startswith(("[cached since", "[generated in", "[no key"))]


async def test_a_creation_compiles_none_of_its_statements_again(database: Database, clock: FakeClock) -> None:
    """The creation's statements are built once and executed with their values, so that a creation after
    the first finds every one of them compiled in the engine's cache (both budgets charged, and the
    clean-up of past windows that the first charge of a window runs, included)."""
    service = GlobalChatService(
        database, create_rate_limit=100, create_rate_limit_per_user=100, metrics=Metrics(), clock=clock
    )
    org = await AccountService(database).create_organization("Acme")
    assert (await service.get_or_create(Identity(org, uuid.uuid4()), None)).created
    clock.advance(60)  # a new window: this creation's charge is its first

    with engine_log() as lines:
        outcome = await service.get_or_create(Identity(org, uuid.uuid4()), "uk-UA")

    assert outcome.created and outcome.session.locale == "uk-UA"
    statements = " ".join(lines)
    for table in ("users", "principals", "sessions", "rate_limit_windows"):
        assert f"INSERT INTO {table} " in statements
    assert "DELETE FROM rate_limit_windows " in statements
    found = compilations(lines)
    assert found and all(line.startswith("[cached since") for line in found), lines


async def test_changes_of_a_session_compile_their_statement_once(database: Database, clock: FakeClock) -> None:
    identity = await new_identity(database)
    session = (await chat_service(database, clock).get_or_create(identity, None)).session
    sessions = SessionService(database, clock=clock)
    wire_id = f"session_{session.id.hex}"
    await sessions.set_pinned(identity, wire_id, pinned=True)
    await sessions.update(identity, wire_id, SessionChanges(title="Plans"))

    with engine_log() as lines:
        await sessions.set_pinned(identity, wire_id, pinned=False)
        renamed = await sessions.update(identity, wire_id, SessionChanges(title="Other plans"))

    assert renamed.title == "Other plans" and not renamed.is_pinned
    assert sum(line.startswith("UPDATE sessions SET ") for line in lines) == 2
    found = compilations(lines)
    assert found and all(line.startswith("[cached since") for line in found), lines
