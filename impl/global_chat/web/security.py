"""Credentials, through Connexion's own extension point: the security handlers of the contract's
schemes (ApiKeyAuth, BearerAuth) are replaced by ones that ask our Authenticator.

Both schemes read the same `Authorization` header, so the Authenticator looks at it once per
request and Connexion's handlers for the two schemes share its answer.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from connexion.lifecycle import ConnexionRequest
from connexion.security import AbstractSecurityHandler

from global_chat.accounts.credentials import API_KEY_PREFIX, InvalidToken, hash_api_key, verify_token
from global_chat.accounts.repository import ApiKeyReader
from global_chat.accounts.service import AccountService
from global_chat.errors import Unauthorized
from global_chat.identity import ANONYMOUS, Identity
from global_chat.sessions.service import utc_now
from global_chat.settings import AuthMode, Settings
from global_chat.storage.database import Database

TokenInfo = dict[str, Any]
IDENTITY_SCOPE_KEY = "global_chat.identity"
MISSING = "Authentication required: send an API key or a bearer token in the Authorization header."
INVALID = "Invalid or expired credentials."


class ApiKeyCache:
    """Verified keys (by hash) for a short, bounded time, so the hot path skips the key look-up."""

    def __init__(self, ttl: float, size: int, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl
        self._size = size
        self._monotonic = monotonic
        self._entries: OrderedDict[str, tuple[Identity, float, datetime | None]] = OrderedDict()

    def get(self, key_hash: str, now: datetime) -> Identity | None:
        entry = self._entries.get(key_hash)
        if entry is None:
            return None
        identity, fresh_until, expires_at = entry
        if self._monotonic() >= fresh_until or (expires_at is not None and expires_at <= now):
            del self._entries[key_hash]
            return None
        return identity

    def put(self, key_hash: str, identity: Identity, expires_at: datetime | None) -> None:
        if self._ttl <= 0:
            return
        self._entries[key_hash] = (identity, self._monotonic() + self._ttl, expires_at)
        self._entries.move_to_end(key_hash)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)


class Authenticator:
    """Maps the Authorization header to an Identity, or raises Unauthorized (never saying which keys exist)."""

    def __init__(
        self, settings: Settings, database: Database, accounts: AccountService, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self.mode = settings.auth_mode
        self._secret = settings.jwt_secret.get_secret_value() if settings.jwt_secret else ""
        self._database = database
        self._accounts = accounts
        self._clock = clock
        self.cache = ApiKeyCache(settings.api_key_cache_seconds, settings.api_key_cache_size)

    async def authenticate(self, authorization: str | None) -> Identity:
        if self.mode is AuthMode.NONE:
            return ANONYMOUS
        if not authorization or not authorization.strip():
            raise Unauthorized(MISSING)
        scheme, _, credential = authorization.strip().partition(" ")
        credential = credential.strip()
        if scheme.lower() == "bearer" and credential:
            return self._bearer(credential)
        if scheme.lower() == "apikey" and credential:
            return await self._api_key(credential)
        if not credential and scheme.startswith(API_KEY_PREFIX):
            return await self._api_key(scheme)  # the bare key, as the Everruns SDK sends it
        raise Unauthorized(INVALID)

    def _bearer(self, token: str) -> Identity:
        try:
            claims = verify_token(self._secret, token)
        except InvalidToken:
            raise Unauthorized(INVALID) from None
        return Identity(claims.organization_id, claims.user_id)

    async def _api_key(self, key: str) -> Identity:
        now = self._clock()
        key_hash = hash_api_key(key)
        cached = self.cache.get(key_hash, now)
        if cached is not None:
            return cached
        found = await self._accounts.identity_for_api_key(ApiKeyReader(self._database), key)
        if found is None:
            raise Unauthorized(INVALID)
        identity, expires_at = found
        self.cache.put(key_hash, identity, expires_at)
        return identity


def security_map(authenticator: Authenticator) -> dict[str, type[AbstractSecurityHandler]]:
    """Handler classes for Connexion's `security_map`, bound to `authenticator`."""

    class ContractSecurityHandler(AbstractSecurityHandler):  # type: ignore[misc]
        def get_fn(
            self, security_scheme: dict[str, Any], required_scopes: list[str]
        ) -> Callable[[ConnexionRequest], Awaitable[TokenInfo]]:
            async def verify(request: ConnexionRequest) -> TokenInfo:
                scope = request.scope
                outcome = scope.get(IDENTITY_SCOPE_KEY)
                if outcome is None:  # first of the two schemes: decide once for the request
                    try:
                        outcome = await authenticator.authenticate(request.headers.get("authorization"))
                    except Unauthorized as exc:
                        outcome = exc
                    scope[IDENTITY_SCOPE_KEY] = outcome
                if isinstance(outcome, Unauthorized):
                    raise outcome
                return {"sub": str(outcome.user_id), "identity": outcome}

            return verify

    return {"apiKey": ContractSecurityHandler, "bearer": ContractSecurityHandler}
