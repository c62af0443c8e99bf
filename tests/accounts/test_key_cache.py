"""The short, bounded cache of verified API keys, and what its staleness means for revocation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from global_chat.accounts.authentication import ApiKeyCache
from global_chat.identity import Identity

NOW = datetime(2026, 11, 29, tzinfo=UTC)
WHO = Identity(uuid.uuid4(), uuid.uuid4())


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_verified_key_is_trusted_until_the_ttl_runs_out() -> None:
    clock = FakeMonotonic()
    cache = ApiKeyCache(ttl=5, size=10, monotonic=clock)
    cache.put("h", WHO, None)

    clock.now += 4.9
    assert cache.get("h", NOW) == WHO
    clock.now += 0.2  # a revocation is seen at the latest now
    assert cache.get("h", NOW) is None


def test_a_key_is_not_trusted_past_its_own_expiry() -> None:
    cache = ApiKeyCache(ttl=60, size=10, monotonic=FakeMonotonic())
    cache.put("h", WHO, NOW + timedelta(seconds=1))

    assert cache.get("h", NOW) == WHO
    assert cache.get("h", NOW + timedelta(seconds=1)) is None


def test_the_cache_is_bounded() -> None:
    cache = ApiKeyCache(ttl=60, size=2, monotonic=FakeMonotonic())
    for name in ("a", "b", "c"):
        cache.put(name, WHO, None)

    assert cache.get("a", NOW) is None
    assert cache.get("c", NOW) == WHO


def test_ttl_zero_disables_the_cache() -> None:
    cache = ApiKeyCache(ttl=0, size=2, monotonic=FakeMonotonic())
    cache.put("a", WHO, None)

    assert cache.get("a", NOW) is None
