"""Which credential a request is judged by (accounts/authentication.py), without HTTP: the Authorization
header when it is sent, else the login cookie, which carries JWTs only."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import cast

import pytest

from global_chat.accounts.authentication import Authenticator
from global_chat.accounts.credentials import TokenClaims, hash_api_key, issue_token, new_api_key
from global_chat.accounts.service import AccountService
from global_chat.clock import utc_now
from global_chat.errors import Unauthorized
from global_chat.identity import ANONYMOUS, Identity
from global_chat.settings import Settings
from tests.fixtures.accounts import JWT_SECRET

pytestmark = pytest.mark.anyio
ALICE = Identity(uuid.UUID(int=1), uuid.UUID(int=2))
BOB = Identity(uuid.UUID(int=3), uuid.UUID(int=4))


class KeyStore:
    """Knows one API key, Bob's; records every look-up."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.lookups = 0

    async def identity_for_api_key(self, key_hash: str) -> tuple[Identity, None] | None:
        self.lookups += 1
        return (BOB, None) if key_hash == hash_api_key(self.key) else None


def token(identity: Identity) -> str:
    claims = TokenClaims(identity.organization_id, identity.user_id)
    return issue_token(JWT_SECRET, claims, now=utc_now(), ttl=timedelta(minutes=5))


@pytest.fixture
def keys() -> KeyStore:
    return KeyStore(new_api_key())


def authenticator(keys: KeyStore, auth_mode: str = "keys") -> Authenticator:
    settings = Settings(_env_file=None, auth_mode=auth_mode, jwt_secret=JWT_SECRET, api_key_cache_seconds=0)
    return Authenticator(settings, cast(AccountService, keys))


async def test_the_cookie_alone_is_a_login_by_cookie(keys: KeyStore) -> None:
    outcome = await authenticator(keys).authenticate_request(None, token(ALICE))

    assert (outcome.identity, outcome.by_cookie) == (ALICE, True)


async def test_the_header_wins_over_the_cookie(keys: KeyStore) -> None:
    outcome = await authenticator(keys).authenticate_request(keys.key, token(ALICE))

    assert (outcome.identity, outcome.by_cookie) == (BOB, False)


@pytest.mark.parametrize("header", ["", "Bearer nope", "Basic eDp5"])
async def test_a_failing_header_never_falls_back_to_the_cookie(keys: KeyStore, header: str) -> None:
    with pytest.raises(Unauthorized):
        await authenticator(keys).authenticate_request(header, token(ALICE))


@pytest.mark.parametrize("form", ["{key}", "ApiKey {key}", "Bearer {key}"])
async def test_an_api_key_in_the_cookie_is_refused_without_a_look_up(keys: KeyStore, form: str) -> None:
    with pytest.raises(Unauthorized):
        await authenticator(keys).authenticate_request(None, form.format(key=keys.key))

    assert keys.lookups == 0


async def test_the_same_key_in_the_header_is_accepted(keys: KeyStore) -> None:
    outcome = await authenticator(keys).authenticate_request(keys.key, None)

    assert outcome.identity == BOB and keys.lookups == 1


async def test_nothing_at_all_is_refused(keys: KeyStore) -> None:
    with pytest.raises(Unauthorized):
        await authenticator(keys).authenticate_request(None, None)


async def test_the_anonymous_mode_ignores_the_cookie(keys: KeyStore) -> None:
    outcome = await authenticator(keys, auth_mode="none").authenticate_request(None, "anything")

    assert (outcome.identity, outcome.by_cookie) == (ANONYMOUS, False)
