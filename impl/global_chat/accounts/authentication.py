"""Who is calling: the Authorization header's credential (an API key or an HS256 JWT) to an Identity.

Every failure is the same Unauthorized: the answer never says which keys exist or why one failed.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime

from global_chat.accounts.credentials import API_KEY_PREFIX, InvalidToken, hash_api_key, verify_token
from global_chat.accounts.service import AccountService
from global_chat.clock import Clock, utc_now
from global_chat.errors import Unauthorized
from global_chat.identity import ANONYMOUS, Identity
from global_chat.settings import AuthMode, Settings


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
    def __init__(self, settings: Settings, accounts: AccountService, clock: Clock = utc_now) -> None:
        self.mode = settings.auth_mode
        self._secret = settings.jwt_secret.get_secret_value() if settings.jwt_secret else ""
        self._accounts = accounts
        self._clock = clock
        self.cache = ApiKeyCache(settings.api_key_cache_seconds, settings.api_key_cache_size)

    async def authenticate(self, authorization: str | None) -> Identity:
        """`Bearer <JWT>`, `ApiKey <key>` or the bare key (as the Everruns SDK sends it)."""
        if self.mode is AuthMode.NONE:
            return ANONYMOUS
        scheme, _, credential = (authorization or "").strip().partition(" ")
        credential = credential.strip()
        if scheme.lower() == "bearer" and credential:
            return self._bearer(credential)
        if scheme.lower() == "apikey" and credential:
            return await self._api_key(credential)
        if not credential and scheme.startswith(API_KEY_PREFIX):
            return await self._api_key(scheme)
        raise Unauthorized

    def _bearer(self, token: str) -> Identity:
        try:
            claims = verify_token(self._secret, token)
        except InvalidToken:
            raise Unauthorized from None
        return Identity(claims.organization_id, claims.user_id)

    async def _api_key(self, key: str) -> Identity:
        key_hash = hash_api_key(key)
        cached = self.cache.get(key_hash, self._clock())
        if cached is not None:
            return cached
        found = await self._accounts.identity_for_api_key(key_hash)
        if found is None:
            raise Unauthorized
        identity, expires_at = found
        self.cache.put(key_hash, identity, expires_at)
        return identity
