"""API key material and HS256 JWTs: minting and checking, no storage."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from global_chat import ids

API_KEY_PREFIX = "evr_pat_"
DISPLAY_PREFIX_LENGTH = 16  # "evr_pat_" + 8 characters: enough to tell keys apart, useless to an attacker
JWT_ALGORITHM = "HS256"


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def display_prefix(key: str) -> str:
    return key[:DISPLAY_PREFIX_LENGTH]


@dataclass(frozen=True, slots=True)
class TokenClaims:
    organization_id: uuid.UUID
    user_id: uuid.UUID


class InvalidToken(Exception):
    pass


def issue_token(secret: str, claims: TokenClaims, *, now: datetime, ttl: timedelta) -> str:
    payload = {
        "sub": str(claims.user_id),
        "org": ids.format_id(ids.ORGANIZATION, claims.organization_id),
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
    }
    return jwt.encode(payload, secret, algorithm=JWT_ALGORITHM)


def verify_token(secret: str, token: str) -> TokenClaims:
    """The claims of a valid, unexpired token signed with `secret`; InvalidToken otherwise."""
    try:
        payload = jwt.decode(token, secret, algorithms=[JWT_ALGORITHM], options={"require": ["exp", "sub", "org"]})
        user_id = uuid.UUID(str(payload["sub"]))
    except (jwt.PyJWTError, ValueError) as exc:
        raise InvalidToken(str(exc)) from exc
    organization_id = ids.parse_id(ids.ORGANIZATION, str(payload["org"]))
    if organization_id is None:
        raise InvalidToken("org claim is not an org_ id")
    return TokenClaims(organization_id, user_id)
