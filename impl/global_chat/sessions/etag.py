"""The entity tag of a session: a strong validator derived from its stored state only.

Every stored field goes into a canonical JSON text (UUIDs as hex, timestamps as microseconds since
the epoch, tags in their stored order) whose SHA-256 names the representation. So the tag

- changes whenever the representation can: any change of a column (title, locale, tags, pin,
  re-binding to another harness) changes the row, and every change bumps `updated_at` too;
- is the same on every instance and on both stores for the same row (no process state, no counter,
  no clock reading: SQLite and PostgreSQL return the same values,
  tests/sessions/test_conditional_writes.py);
- needs no column of its own, so no migration and no extra write.

What is not stored (the public URLs of `self_url`/`view_url`) is the deployment's configuration, the
same for every instance of one deployment. `REPRESENTATION` is bumped when the way a row becomes a
representation changes without any row changing (a new derived field), so that no cache keeps
answering 304 for the old shape.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import fields
from datetime import UTC, datetime, timedelta

from global_chat.conditional import EntityTag
from global_chat.sessions.model import StoredSession

REPRESENTATION = "session/1"
_FIELDS = tuple(field.name for field in fields(StoredSession))
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _canonical(value: object) -> object:
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, datetime):  # exact and zone-independent: microseconds since the epoch
        return (value - _EPOCH) // _MICROSECOND
    if isinstance(value, tuple):
        return list(value)
    return value


def session_etag(session: StoredSession) -> EntityTag:
    """The strong entity tag of `session`'s representation (128 bits of SHA-256, hex)."""
    state = [REPRESENTATION, *(_canonical(getattr(session, name)) for name in _FIELDS)]
    text = json.dumps(state, ensure_ascii=False, separators=(",", ":"))
    return EntityTag(hashlib.sha256(text.encode()).hexdigest()[:32])
