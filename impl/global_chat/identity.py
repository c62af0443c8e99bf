"""Who is calling: the (organization, user, principal) every request acts as."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

# Upstream's well-known identities of AUTH_MODE=none, seeded by migration 0001.
DEFAULT_ORGANIZATION_ID = uuid.UUID("00000000-0000-0000-0000-000000000001")
ANONYMOUS_USER_ID = uuid.UUID("00000000-0000-0000-0000-000000000001")
ANONYMOUS_PRINCIPAL_ID = uuid.UUID("00000000-0000-7000-8000-000000000001")


@dataclass(frozen=True, slots=True)
class Identity:
    organization_id: uuid.UUID
    user_id: uuid.UUID
    principal_id: uuid.UUID


ANONYMOUS = Identity(DEFAULT_ORGANIZATION_ID, ANONYMOUS_USER_ID, ANONYMOUS_PRINCIPAL_ID)
