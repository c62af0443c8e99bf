"""Credentials, through Connexion's `security_map`: the handlers of the contract's schemes (ApiKeyAuth,
BearerAuth) ask our Authenticator, which reads the Authorization header once per request (both schemes
read the same header and share its answer)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from connexion.lifecycle import ConnexionRequest
from connexion.security import AbstractSecurityHandler

from global_chat.accounts.authentication import Authenticator
from global_chat.errors import DomainError
from global_chat.web.context import IDENTITY_SCOPE_KEY

TokenInfo = dict[str, Any]


def security_map(authenticator: Authenticator) -> dict[str, type[AbstractSecurityHandler]]:
    """Handler classes for Connexion's `security_map` (by scheme type), bound to `authenticator`."""

    class ContractSecurityHandler(AbstractSecurityHandler):  # type: ignore[misc]
        def get_fn(
            self, security_scheme: dict[str, Any], required_scopes: list[str]
        ) -> Callable[[ConnexionRequest], Awaitable[TokenInfo]]:
            async def verify(request: ConnexionRequest) -> TokenInfo:
                scope = request.scope
                outcome = scope.get(IDENTITY_SCOPE_KEY)
                if outcome is None:  # first of the schemes: decide once for the request
                    try:
                        outcome = await authenticator.authenticate(request.headers.get("authorization"))
                    except DomainError as exc:  # refused, or the key store is unreachable
                        outcome = exc
                    scope[IDENTITY_SCOPE_KEY] = outcome
                if isinstance(outcome, DomainError):
                    raise outcome
                return {"sub": str(outcome.user_id)}

            return verify

    return {"apiKey": ContractSecurityHandler, "bearer": ContractSecurityHandler}
