"""What a request is, as the handlers see it: who calls, which request, which operation."""

from __future__ import annotations

from dataclasses import dataclass

from global_chat.errors import Unauthorized
from global_chat.identity import Identity


@dataclass(frozen=True, slots=True)
class RequestContext:
    """Built once per request by the web layer (web/context.py) and passed to every handler."""

    caller: Identity | None
    """Established by the credentials check; None for an operation that declares no security (the API
    catalog), which Connexion lets through without any."""
    request_id: str
    """The caller's X-Request-Id or a generated one; in every log line and 500 body of the request."""
    operation_id: str
    """The contract operation being served."""

    @property
    def identity(self) -> Identity:
        """The authenticated caller, for the operations that declare security: Connexion has checked the
        credential before the handler runs, so this never raises there; an operation without security that
        asked for a caller would be a 401, never an answer for nobody."""
        if self.caller is None:
            raise Unauthorized
        return self.caller
