"""Every locale the contract admits is one the service canonicalizes: no schema-valid tag is refused."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from global_chat.errors import InvalidLocale
from global_chat.sessions.locale import canonical_locale
from tests.fixtures.contract import load_contract

SCHEMAS: dict[str, Any] = load_contract()["components"]["schemas"]
LOCALE = SCHEMAS["GetOrCreateChatSessionRequest"]["properties"]["locale"]
PATTERN: str = LOCALE["pattern"]


def test_both_request_schemas_share_the_locale_pattern() -> None:
    assert SCHEMAS["UpdateSessionRequest"]["properties"]["locale"]["pattern"] == PATTERN


@settings(max_examples=500, deadline=None)
@given(st.from_regex(PATTERN, fullmatch=True).filter(lambda tag: len(tag) <= LOCALE["maxLength"]))
def test_every_schema_valid_locale_is_canonicalized(tag: str) -> None:
    canonical = canonical_locale(tag)

    assert re.fullmatch(PATTERN, canonical)
    assert canonical_locale(canonical) == canonical  # canonical forms are fixed points
    assert canonical.lower() == canonical_locale(tag.upper()).lower()


@pytest.mark.parametrize(("given_tag", "expected"), [("uk-ua", "uk-UA"), ("zh-hant-tw", "zh-Hant-TW"), ("EN", "en")])
def test_known_canonical_forms(given_tag: str, expected: str) -> None:
    assert canonical_locale(given_tag) == expected


@pytest.mark.parametrize("tag", ["", "xx-!!", "a", "en--US"])
def test_malformed_tags_are_refused(tag: str) -> None:
    with pytest.raises(InvalidLocale):
        canonical_locale(tag)
