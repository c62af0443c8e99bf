"""Who is calling, and may they ask for what they ask: the request's credential (the Authorization
header's API key or HS256 JWT, else the web UI's login cookie with a JWT) to an Identity, and the
organization a caller names checked against it.

Every credential failure is the same Unauthorized: the answer never says which keys exist or why one
failed. These are the decision rules only; reading them from the request is the web layer's.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from global_chat import ids
from global_chat.accounts.credentials import API_KEY_PREFIX, InvalidToken, hash_api_key, verify_token
from global_chat.accounts.service import AccountService
from global_chat.clock import Clock, utc_now
from global_chat.errors import InvalidRequest, OrganizationMismatch, Unauthorized
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


@dataclass(frozen=True, slots=True)
class Authentication:
    identity: Identity
    by_cookie: bool
    """Established by the login cookie, which a browser also attaches to requests that pages of other
    sites make: the web layer then checks where the request comes from (web/cross_site.py)."""


def check_organization(identity: Identity, named: str, *, selector: str) -> None:
    """A caller that names an organization (`selector`: where, for the messages) must name the credential's
    own: the credential alone decides whose data is served, and a request meant for another organization
    is refused rather than answered for this one. Not an organization id: a 400."""
    requested = ids.parse_id(ids.ORGANIZATION, named)
    if requested is None:
        raise InvalidRequest(f"{selector} is not an organization id (org_ followed by 32 lower-case hex digits)")
    if requested != identity.organization_id:
        raise OrganizationMismatch(
            selector=selector,
            requested=named,
            credential_organization=ids.format_id(ids.ORGANIZATION, identity.organization_id),
        )


class Authenticator:
    def __init__(self, settings: Settings, accounts: AccountService, clock: Clock = utc_now) -> None:
        self.mode = settings.auth_mode
        self._secret = settings.jwt_secret.get_secret_value() if settings.jwt_secret else ""
        self._accounts = accounts
        self._clock = clock
        self.cache = ApiKeyCache(settings.api_key_cache_seconds, settings.api_key_cache_size)

    async def authenticate_request(self, authorization: str | None, cookie_token: str | None) -> Authentication:
        """The Authorization header when it is sent, whatever it holds (a bad one is a 401, never a fall-back
        to the cookie); without it, the login cookie's token (`cookie_token`, None when absent)."""
        if authorization is None and cookie_token is not None and self.mode is not AuthMode.NONE:
            return Authentication(self.authenticate_cookie(cookie_token), by_cookie=True)
        return Authentication(await self.authenticate(authorization), by_cookie=False)

    def authenticate_cookie(self, token: str) -> Identity:
        """The login cookie carries a JWT and nothing else: an API key there is refused like any invalid
        token, without a look-up (keys belong to programs, which send the Authorization header; a key in a
        cookie would travel with every request a browser makes, other sites' included)."""
        return self._bearer(token.strip())

    async def authenticate(self, authorization: str | None) -> Identity:
        """`Bearer <JWT>`, `ApiKey <key>` or the bare key (as the Everruns SDK sends it)."""
        if self.mode is AuthMode.NONE:
            return ANONYMOUS
        scheme, _, credential = (authorization or "").strip().partition(" ")
        credential, kind = credential.strip(), scheme.lower()
        if kind == "bearer" and credential:
            return self._bearer(credential)
        if kind == "apikey" and credential:
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
