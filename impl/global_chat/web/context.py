"""The request context every handler receives, built from what the request's way through the
middleware established: the identity (web/security.py) and the request id (web/request_id.py)."""

from __future__ import annotations

from starlette.types import Scope

from global_chat.context import RequestContext
from global_chat.errors import Unauthorized
from global_chat.identity import Identity
from global_chat.web.request_id import current_request_id
from global_chat_generated.operations import OPERATIONS

IDENTITY_SCOPE_KEY = "global_chat.identity"
"""Where the security handler leaves the caller's Identity (or the Unauthorized it raised)."""

PUBLIC = frozenset(operation_id for operation_id, operation in OPERATIONS.items() if not operation.credentials)
"""The operations that declare no security (`security: []`: the API catalog): Connexion asks for no credential."""


def request_context(scope: Scope, operation_id: str) -> RequestContext:
    """The context factory of the generated endpoints (see global_chat_generated.server.bind). An operation
    that declares credentials has a caller (Connexion ran the security check first: web/security.py); one
    that declares none has none, and its context says so (`caller` None)."""
    identity = scope.get(IDENTITY_SCOPE_KEY)
    if not isinstance(identity, Identity):
        if operation_id not in PUBLIC:  # not reached: Connexion refuses a request without a credential first
            raise Unauthorized
        identity = None
    return RequestContext(caller=identity, request_id=current_request_id() or "", operation_id=operation_id)
