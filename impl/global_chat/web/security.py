"""Credentials, through Connexion's own extension point: the security handlers of the contract's
schemes (ApiKeyAuth, BearerAuth) are replaced by ones that ask our Authenticator.

Both schemes read the same `Authorization` header, so one Authenticator looks at it once and
Connexion's handlers for the two schemes share its answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from connexion.lifecycle import ConnexionRequest
from connexion.security import AbstractSecurityHandler

from global_chat.errors import Unauthorized
from global_chat.identity import ANONYMOUS, Identity
from global_chat.settings import AuthMode

TokenInfo = dict[str, Any]


class Authenticator:
    """Maps a request's credentials to an Identity, or raises Unauthorized."""

    def __init__(self, mode: AuthMode) -> None:
        self.mode = mode

    async def authenticate(self, authorization: str | None) -> Identity:
        if self.mode is AuthMode.NONE:
            return ANONYMOUS
        raise Unauthorized()


def security_map(authenticator: Authenticator) -> dict[str, type[AbstractSecurityHandler]]:
    """Handler classes for Connexion's `security_map`, bound to `authenticator`."""

    class ContractSecurityHandler(AbstractSecurityHandler):  # type: ignore[misc]
        def get_fn(
            self, security_scheme: dict[str, Any], required_scopes: list[str]
        ) -> Callable[[ConnexionRequest], Awaitable[TokenInfo]]:
            async def verify(request: ConnexionRequest) -> TokenInfo:
                identity = await authenticator.authenticate(request.headers.get("authorization"))
                return {"sub": str(identity.user_id), "identity": identity}

            return verify

    return {"apiKey": ContractSecurityHandler, "bearer": ContractSecurityHandler}
