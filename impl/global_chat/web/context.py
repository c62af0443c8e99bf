"""The request context every handler receives, built from what the request's way through the
middleware established: the identity (web/security.py) and the request id (web/request_id.py)."""

from __future__ import annotations

from starlette.types import Scope

from global_chat.context import RequestContext
from global_chat.errors import Unauthorized
from global_chat.identity import Identity
from global_chat.web.request_id import current_request_id

IDENTITY_SCOPE_KEY = "global_chat.identity"
"""Where the security handler leaves the caller's Identity (or the Unauthorized it raised)."""


def request_context(scope: Scope, operation_id: str) -> RequestContext:
    """The context factory of the generated endpoints (see global_chat_generated.server.bind)."""
    identity = scope.get(IDENTITY_SCOPE_KEY)
    if not isinstance(identity, Identity):  # an operation without security: never in this contract
        raise Unauthorized
    return RequestContext(identity=identity, request_id=current_request_id() or "", operation_id=operation_id)
