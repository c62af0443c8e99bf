"""What a request is, as the handlers see it: who calls, which request, which operation."""

from __future__ import annotations

from dataclasses import dataclass

from global_chat.identity import Identity


@dataclass(frozen=True, slots=True)
class RequestContext:
    """Built once per request by the web layer (web/context.py) and passed to every handler."""

    identity: Identity
    """Established by the credentials check."""
    request_id: str
    """The caller's X-Request-Id or a generated one; in every log line and 500 body of the request."""
    operation_id: str
    """The contract operation being served."""
