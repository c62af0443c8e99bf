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
from collections.abc import Callable
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from json.encoder import encode_basestring
from operator import attrgetter
from typing import Any, get_type_hints

from global_chat.conditional import EntityTag
from global_chat.sessions.model import StoredSession

REPRESENTATION = "session/1"
MEMO_SIZE = 256
"""How many rows' tags are remembered (about 1.25 KiB each, the values they are keyed on: 320 KiB in all)."""
_UUID_FIELDS = tuple(get_type_hints(StoredSession)[field.name] is uuid.UUID for field in fields(StoredSession))
"""For each stored field, in order: whether it is always a UUID (an optional one may be None)."""
_KEY = attrgetter(
    *(
        f"{field.name}.int" if is_uuid else field.name
        for field, is_uuid in zip(fields(StoredSession), _UUID_FIELDS, strict=True)
    )
)
"""A session -> the memo's key: its stored fields' values, in their declared order, each UUID that is
always one as its 128-bit integer (one call). `uuid.UUID` hashes and compares in Python, an `int` in C:
the six UUIDs as they are made the memo's look-up of a row read again (hash, then compare) cost more
than the rest of it (2.4 us a look-up then, 0.9 now; the optional one stays a UUID or None)."""
_REPRESENTATION_JSON = encode_basestring(REPRESENTATION)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _uuid(value: uuid.UUID) -> str:
    return f'"{value.int:032x}"'


def _timestamp(value: datetime) -> str:  # exact and zone-independent: microseconds since the epoch
    return str((value - _EPOCH) // _MICROSECOND)


def _strings(value: tuple[str, ...]) -> str:
    return "[" + ",".join(map(encode_basestring, value)) + "]"


def _boolean(value: bool) -> str:
    return "true" if value else "false"


def _other(value: object) -> str:
    """A type the table does not list (a subclass, a list of tags): the same text, the slow way."""
    if isinstance(value, uuid.UUID):
        value = value.hex
    elif isinstance(value, datetime):
        value = (value - _EPOCH) // _MICROSECOND
    elif isinstance(value, tuple):
        value = list(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


_JSON: dict[type, Callable[[Any], str]] = {
    uuid.UUID: _uuid,
    str: encode_basestring,
    datetime: _timestamp,
    tuple: _strings,
    bool: _boolean,
    type(None): lambda _: "null",
}
"""Each stored field's type -> its canonical JSON text: what `json.dumps([...], ensure_ascii=False,
separators=(",", ":"))` writes for it (UUIDs as hex strings, timestamps as integers, tags as an array),
written directly, as one dict look-up per field (tests/sessions/test_etag.py holds the two equal)."""


def session_etag(session: StoredSession) -> EntityTag:
    """The strong entity tag of `session`'s representation (128 bits of SHA-256, hex)."""
    key = _KEY(session)
    try:
        return _remembered(key)
    except TypeError:  # a value that cannot be a key (a list of tags): computed every time
        return _keyed_tag(key)


def _keyed_tag(key: tuple[Any, ...]) -> EntityTag:
    """The tag from the memo's key: a UUID's text from its integer (what `_uuid` writes), every other value
    by its type's writer."""
    texts = [
        f'"{value:032x}"' if is_uuid else _JSON.get(type(value), _other)(value)
        for value, is_uuid in zip(key, _UUID_FIELDS, strict=True)
    ]
    return EntityTag(hashlib.sha256(f"[{','.join([_REPRESENTATION_JSON, *texts])}]".encode()).hexdigest()[:32])


_remembered = lru_cache(maxsize=MEMO_SIZE)(_keyed_tag)
"""The tag is a pure function of the stored values, so the tags of the rows served last are kept: a
page load reads the same row as the one before it (the hot path), and its canonical text and SHA-256
(about 5.5 us) become one look-up (0.9 us, timeit on a busy machine), keyed on the values themselves
(`_KEY`: equal values give the same text; an aware timestamp equal to another is the same instant, so
the same microseconds)."""
