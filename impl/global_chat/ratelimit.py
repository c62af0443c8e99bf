"""The RateLimit-Policy and RateLimit response fields (IETF draft-ietf-httpapi-ratelimit-headers; revision
12, November 2026, is the latest): Structured Field Lists (RFC 9651) of one item per quota policy, the
policy's name as an sf-string and its figures as integer parameters.

    RateLimit-Policy: "user";q=3;w=60, "organization";q=10;w=60
    RateLimit: "user";r=0;t=42, "organization";r=7;t=42

`q` the quota, `w` its window in seconds, `r` what is left of it, `t` the seconds until it is whole
again. Policies are listed tightest first (least remaining), so that a client reading only the first
item reads the one that will refuse it first. Pure: the service computes the states, the renderer of
the answer writes the fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

POLICY_HEADER = "RateLimit-Policy"
STATE_HEADER = "RateLimit"


@dataclass(frozen=True, slots=True)
class QuotaState:
    """One quota policy and where the caller stands in its current window."""

    policy: str
    """The policy's name: a token-like word (it is written as an sf-string)."""
    quota: int
    window_seconds: int
    remaining: int
    reset_seconds: int


def tightest_first(states: Iterable[QuotaState]) -> tuple[QuotaState, ...]:
    return tuple(sorted(states, key=lambda state: (state.remaining, state.quota, state.policy)))


def _name(policy: str) -> str:
    if not policy.isascii() or '"' in policy or "\\" in policy or not policy.isprintable():
        raise ValueError(f"not a plain policy name: {policy!r}")
    return f'"{policy}"'


def ratelimit_headers(states: Iterable[QuotaState]) -> dict[str, str]:
    """The two fields for `states` (none when there is no policy)."""
    ordered = tightest_first(states) if states else ()  # no quotas (every answer but a creation): no sort
    if not ordered:
        return {}
    return {
        POLICY_HEADER: ", ".join(f"{_name(s.policy)};q={s.quota};w={s.window_seconds}" for s in ordered),
        STATE_HEADER: ", ".join(
            f"{_name(s.policy)};r={max(0, s.remaining)};t={max(0, s.reset_seconds)}" for s in ordered
        ),
    }
