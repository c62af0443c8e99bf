"""The entity tag's canonical text (sessions/etag.py): written field by field for speed, it must stay the
text the tag was defined by, `json.dumps` of the stored fields, or every tag a client holds would change."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from global_chat.sessions.etag import REPRESENTATION, session_etag
from global_chat.sessions.model import StoredSession

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SESSION = StoredSession(
    id=uuid.UUID(int=1),
    organization_id=uuid.UUID(int=2),
    workspace_id=uuid.UUID(int=1),
    harness_id=uuid.UUID(int=3),
    owner_principal_id=uuid.UUID(int=4),
    global_chat_user_id=uuid.UUID(int=5),
    title="Platform Chat",
    locale="en-US",
    status="started",
    tags=("global-chat", "user:00000000-0000-0000-0000-000000000005"),
    is_pinned=False,
    created_at=datetime(2026, 12, 5, 12, 0, tzinfo=UTC),
    updated_at=datetime(2026, 12, 5, 12, 0, 0, 1, tzinfo=UTC),
)


def defining_etag(session: StoredSession) -> str:
    """The definition (docs/http-semantics.md): SHA-256 of the compact JSON array of the stored fields."""

    def canonical(value: object) -> object:
        if isinstance(value, uuid.UUID):
            return value.hex
        if isinstance(value, datetime):
            return (value - EPOCH) // timedelta(microseconds=1)
        return list(value) if isinstance(value, tuple) else value

    state = [REPRESENTATION, *(canonical(getattr(session, field.name)) for field in fields(StoredSession))]
    text = json.dumps(state, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def test_a_known_session_keeps_its_tag() -> None:
    """Pinned as a literal (what 2.1.0 gave, before the text was written field by field): a change of the
    canonical text fails here, not in a client's cache."""
    assert str(session_etag(SESSION)) == '"29477ee71814992dcb177150e0c64088"'


@pytest.mark.parametrize(
    "change",
    [
        {"title": "Plans"},
        {"title": None},
        {"locale": "de-DE"},
        {"tags": ("global-chat",)},
        {"is_pinned": True},
        {"harness_id": uuid.UUID(int=7)},  # re-bound to another harness
        {"updated_at": datetime(2026, 11, 30, 12, 0, 45, 1, tzinfo=UTC)},
        {"status": "idle"},
    ],
)
def test_every_change_of_a_stored_field_changes_the_etag(change: dict[str, object]) -> None:
    base = SESSION
    assert session_etag(replace(base, **change)) != session_etag(base)  # type: ignore[arg-type]
    assert session_etag(replace(base)) == session_etag(base)


texts = st.none() | st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
moments = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2300, 1, 1), timezones=st.sampled_from([UTC]))


@given(
    ids=st.tuples(st.uuids(), st.uuids(), st.uuids(), st.uuids(), st.uuids()),
    title=texts,
    locale=texts,
    status=st.text(max_size=12),
    tags=st.lists(st.text(max_size=20), max_size=4).map(tuple),
    is_pinned=st.booleans(),
    user=st.none() | st.uuids(),
    created_at=moments,
    updated_at=moments,
)
def test_the_fast_text_is_the_defining_text(
    ids: tuple[uuid.UUID, uuid.UUID, uuid.UUID, uuid.UUID, uuid.UUID],
    title: str | None,
    locale: str | None,
    status: str,
    tags: tuple[str, ...],
    is_pinned: bool,
    user: uuid.UUID | None,
    created_at: datetime,
    updated_at: datetime,
) -> None:
    session = replace(
        SESSION, id=ids[0], organization_id=ids[1], workspace_id=ids[2], harness_id=ids[3], owner_principal_id=ids[4],
        title=title, locale=locale, status=status, tags=tags, is_pinned=is_pinned,
        global_chat_user_id=user, created_at=created_at, updated_at=updated_at,
    )  # fmt: skip
    assert session_etag(session).opaque == defining_etag(session)
    assert session_etag(replace(session)).opaque == defining_etag(session)  # remembered: the same tag


def test_a_type_the_fast_path_does_not_list_gives_the_same_text() -> None:
    listed = replace(SESSION, tags=list(SESSION.tags))  # type: ignore[arg-type]
    assert session_etag(listed) == session_etag(SESSION)


def test_a_row_read_again_is_remembered_by_its_values() -> None:
    """The memo is keyed on the stored values (its UUIDs as integers): the same row read again is a hit
    (the very tag), whatever objects hold its values; a row that differs in any UUID is not."""
    uuid_fields = [field.name for field in fields(SESSION) if isinstance(getattr(SESSION, field.name), uuid.UUID)]
    copies: dict[str, object] = {name: uuid.UUID(str(getattr(SESSION, name))) for name in uuid_fields}
    assert session_etag(replace(SESSION, **copies)) is session_etag(SESSION)  # type: ignore[arg-type]
    for name in uuid_fields:
        assert session_etag(replace(SESSION, **{name: uuid.UUID(int=99)})) != session_etag(SESSION)  # type: ignore[arg-type]
