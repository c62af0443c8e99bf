"""Sessions as the service knows them: immutable values read from (or written to) storage."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

GLOBAL_CHAT_TAG = "global-chat"


def global_chat_tags(user_id: uuid.UUID) -> tuple[str, ...]:
    """The markers of a user's global chat session; they always stay on it."""
    return (GLOBAL_CHAT_TAG, f"user:{user_id}")


@dataclass(frozen=True, slots=True)
class StoredSession:
    id: uuid.UUID
    organization_id: uuid.UUID
    workspace_id: uuid.UUID
    harness_id: uuid.UUID
    owner_principal_id: uuid.UUID
    global_chat_user_id: uuid.UUID | None
    """The user whose global chat session this is; None for every other session."""
    title: str | None
    locale: str | None
    status: str
    tags: tuple[str, ...]
    is_pinned: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class GlobalChat:
    """A user's global chat session and the organization's current Platform Chat harness."""

    session: StoredSession
    platform_chat_harness_id: uuid.UUID | None

    @property
    def needs_rebinding(self) -> bool:
        """The session follows the organization's Platform Chat harness: True when it no longer does."""
        current = self.platform_chat_harness_id
        return current is not None and self.session.harness_id != current


@dataclass(frozen=True, slots=True)
class SessionChanges:
    """What an update changes; None leaves a field as it is (`clear_locale` sets the locale to null)."""

    title: str | None = None
    locale: str | None = None
    clear_locale: bool = False
    tags: tuple[str, ...] | None = None

    @property
    def is_empty(self) -> bool:
        return self.title is None and self.locale is None and not self.clear_locale and self.tags is None
