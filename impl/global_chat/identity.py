"""Who is calling: the (organization, user, principal) every request acts as."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

# Upstream's well-known identities of AUTH_MODE=none, seeded by migration 0001.
DEFAULT_ORGANIZATION_ID = uuid.UUID("00000000-0000-0000-0000-000000000001")
ANONYMOUS_USER_ID = uuid.UUID("00000000-0000-0000-0000-000000000001")


@dataclass(frozen=True, slots=True)
class Identity:
    """Established from credentials alone; the user's principal is resolved when a session is created."""

    organization_id: uuid.UUID
    user_id: uuid.UUID


ANONYMOUS = Identity(DEFAULT_ORGANIZATION_ID, ANONYMOUS_USER_ID)
