"""Organizations and API keys as the services know them: immutable values read from storage."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Organization:
    id: uuid.UUID
    platform_chat_harness_id: uuid.UUID | None
    """Its built-in "Platform Chat" harness, which global chat sessions are bound to."""


@dataclass(frozen=True, slots=True)
class StoredApiKey:
    """An API key as stored: never the key itself, only its SHA-256 hash."""

    id: uuid.UUID
    organization_id: uuid.UUID
    user_id: uuid.UUID
    prefix: str
    secret_hash: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None

    def usable_at(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
