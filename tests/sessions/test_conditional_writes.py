"""Entity tags of sessions and the If-Match guarded writes of the session service, on both stores."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from global_chat.accounts.service import AccountService
from global_chat.conditional import EntityTag
from global_chat.errors import NotFound, PreconditionFailed
from global_chat.identity import Identity
from global_chat.metrics import Metrics
from global_chat.sessions.etag import session_etag
from global_chat.sessions.model import SessionChanges, StoredSession
from global_chat.sessions.repository import SessionRepository
from global_chat.sessions.service import GlobalChatService, SessionService
from global_chat.storage.database import Database
from tests.fixtures.clock import FakeClock
from tests.sessions.test_repository import new_session

pytestmark = [pytest.mark.anyio, pytest.mark.pgbouncer_backend]  # backends: tests/fixtures/app.py


async def new_chat(database: Database, clock: FakeClock) -> tuple[Identity, StoredSession, str]:
    identity = Identity(await AccountService(database).create_organization("Acme"), uuid.uuid4())
    service = GlobalChatService(database, create_rate_limit=0, metrics=Metrics(), clock=clock)
    session = (await service.get_or_create(identity, None)).session
    return identity, session, f"session_{session.id.hex}"


async def test_the_etag_of_a_stored_session_is_that_of_the_values_stored(database: Database) -> None:
    """What comes back from the store hashes like what went in: the same tag on every backend and
    instance for the same row (microseconds and time zone included)."""
    stored = replace(
        await new_session(database), created_at=datetime(2026, 11, 30, 12, 0, 45, 123456, tzinfo=UTC), locale="uk-UA"
    )
    stored = replace(stored, updated_at=stored.created_at)
    async with database.transaction() as tx:
        assert await SessionRepository(tx).insert_global_chat(stored)
    async with database.outside_transaction() as connection:
        found = await SessionRepository(connection).find_global_chat(stored.organization_id, stored.global_chat_user_id)  # type: ignore[arg-type]

    assert found is not None and found.session == stored
    tag = session_etag(found.session)
    assert tag == session_etag(stored) and not tag.weak and len(tag.opaque) == 32


async def test_a_write_guarded_by_the_current_etag_lands_and_a_stale_one_does_not(
    database: Database, clock: FakeClock
) -> None:
    identity, session, wire_id = await new_chat(database, clock)
    sessions = SessionService(database, clock=clock)
    read = str(session_etag(session))

    clock.advance(1)
    first = await sessions.update(identity, wire_id, SessionChanges(title="Mine"), if_match=read)
    assert first.title == "Mine"

    # another client, still holding the first read's tag
    with pytest.raises(PreconditionFailed) as refused:
        await sessions.update(identity, wire_id, SessionChanges(title="Theirs"), if_match=read)
    assert refused.value.status == 412 and refused.value.headers() == {"ETag": str(session_etag(first))}
    for stale in (
        sessions.set_pinned(identity, wire_id, pinned=True, if_match=read),
        sessions.delete(identity, wire_id, if_match=read),
        sessions.update(identity, wire_id, SessionChanges(), if_match=read),  # nothing to change: still checked
        sessions.update(identity, wire_id, SessionChanges(title="Weak"), if_match=f"W/{session_etag(first)}"),
    ):
        with pytest.raises(PreconditionFailed):
            await stale
    assert await sessions.get(identity, wire_id) == first  # nothing changed

    pinned = await sessions.set_pinned(identity, wire_id, pinned=True, if_match=f'"x", {session_etag(first)}')
    assert pinned.is_pinned and session_etag(pinned) != session_etag(first)
    await sessions.delete(identity, wire_id, if_match="*")
    with pytest.raises(NotFound):
        await sessions.get(identity, wire_id)
    with pytest.raises(NotFound):  # gone: a 404 first (RFC 9110 13.2.1), never a 412
        await sessions.update(identity, wire_id, SessionChanges(title="Late"), if_match="*")


async def test_without_if_match_writes_behave_as_before(database: Database, clock: FakeClock) -> None:
    identity, _session, wire_id = await new_chat(database, clock)
    sessions = SessionService(database, clock=clock)

    clock.advance(1)
    await sessions.update(identity, wire_id, SessionChanges(title="A"))
    await sessions.set_pinned(identity, wire_id, pinned=True)
    await sessions.delete(identity, wire_id)
    with pytest.raises(NotFound):
        await sessions.delete(identity, wire_id)


async def test_two_guarded_writes_with_the_same_etag_one_lands(database: Database, clock: FakeClock) -> None:
    """Concurrent PATCHes with the same If-Match: the check and the write are one transaction on the
    locked row, so exactly one lands and the other is refused, whatever the interleaving."""
    identity, session, wire_id = await new_chat(database, clock)
    sessions = SessionService(database, clock=clock)
    read = str(session_etag(session))
    clock.advance(1)

    for _round in range(5):
        outcomes = await asyncio.gather(
            *(sessions.update(identity, wire_id, SessionChanges(title=f"T{n}"), if_match=read) for n in range(2)),
            return_exceptions=True,
        )
        landed = [outcome for outcome in outcomes if isinstance(outcome, StoredSession)]
        refused = [outcome for outcome in outcomes if isinstance(outcome, PreconditionFailed)]
        assert (len(landed), len(refused)) == (1, 1), outcomes
        assert await sessions.get(identity, wire_id) == landed[0]
        assert refused[0].current_etag == str(session_etag(landed[0]))
        read = str(session_etag(landed[0]))
        clock.advance(1)


def test_an_entity_tag_is_written_quoted() -> None:
    assert str(EntityTag("a1")) == '"a1"' and str(EntityTag("a1", weak=True)) == 'W/"a1"'
