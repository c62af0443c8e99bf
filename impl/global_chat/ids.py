"""Wire IDs: `<prefix>_<32 lowercase hex>`, the hex being a UUIDv7 without dashes."""

from __future__ import annotations

import re
import uuid

import uuid_utils

SESSION = "session"
ORGANIZATION = "org"
HARNESS = "harness"
PRINCIPAL = "principal"
WORKSPACE = "wsp"

_HEX32 = re.compile(r"[0-9a-f]{32}")


def new_uuid() -> uuid.UUID:
    """A new time-ordered UUIDv7 (index-friendly primary keys)."""
    return uuid.UUID(bytes=uuid_utils.uuid7().bytes)


def format_id(prefix: str, value: uuid.UUID) -> str:
    return f"{prefix}_{value.hex}"


def parse_id(prefix: str, wire_id: str) -> uuid.UUID | None:
    """The UUID behind `wire_id`, or None when it is not `<prefix>_<32 hex>`."""
    head, sep, tail = wire_id.partition("_")
    if head != prefix or not sep or not _HEX32.fullmatch(tail):
        return None
    return uuid.UUID(hex=tail)
