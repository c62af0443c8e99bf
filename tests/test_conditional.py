"""Entity tags and the two preconditions (RFC 9110 13.1.1 and 13.1.2), as pure functions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from global_chat.conditional import ANY, EntityTag, if_match_passes, if_none_match_passes, parse_entity_tags

CURRENT = EntityTag("abc")


@pytest.mark.parametrize(
    ("header", "parsed"),
    [
        ('"abc"', (EntityTag("abc"),)),
        ('W/"abc"', (EntityTag("abc", weak=True),)),
        ('""', (EntityTag(""),)),
        ('"a", W/"b" ,"c"', (EntityTag("a"), EntityTag("b", weak=True), EntityTag("c"))),
        ('"a",,  , "b"', (EntityTag("a"), EntityTag("b"))),  # empty list elements (RFC 9110 5.6.1)
        ('"a,b"', (EntityTag("a,b"),)),  # a comma is etagc: one tag, not two
        ("*", ANY),
        (" * ", ANY),
        ("abc", None),  # unquoted
        ('w/"abc"', None),  # the weak prefix is case-sensitive
        ('"abc', None),
        ('"a"b"', None),
        ('"a" "b"', None),
        ('*, "a"', None),
        ("", None),
        (" , ", None),
        ('"caf\xe9"', (EntityTag("caf\xe9"),)),  # obs-text (headers are latin-1)
        ('"a\x7fb"', None),  # DEL is no etagc
    ],
)
def test_parse_entity_tags(header: str, parsed: object) -> None:
    assert parse_entity_tags(header) == parsed


@pytest.mark.parametrize(
    ("header", "current", "passes"),
    [
        (None, CURRENT, True),  # no header: no precondition
        ('"abc"', CURRENT, True),
        ('"x", "abc"', CURRENT, True),
        ('"x"', CURRENT, False),
        ('W/"abc"', CURRENT, False),  # the strong comparison: a weak tag never matches
        ('"abc"', EntityTag("abc", weak=True), False),
        ("*", CURRENT, True),
        ("*", None, False),  # nothing to match
        ('"abc"', None, False),
        ("abc", CURRENT, False),  # unparseable: a write is never let through
        ("", CURRENT, False),
    ],
)
def test_if_match(header: str | None, current: EntityTag | None, passes: bool) -> None:
    assert if_match_passes(header, current) is passes


@pytest.mark.parametrize(
    ("header", "current", "passes"),
    [
        (None, CURRENT, True),
        ('"abc"', CURRENT, False),  # not modified
        ('W/"abc"', CURRENT, False),  # the weak comparison
        ('"abc"', EntityTag("abc", weak=True), False),
        ('"x", W/"abc"', CURRENT, False),
        ('"x", "y"', CURRENT, True),
        ("*", CURRENT, False),
        ("*", None, True),
        ('"abc"', None, True),
        ("abc", CURRENT, True),  # unparseable: ignored, the full answer
    ],
)
def test_if_none_match(header: str | None, current: EntityTag | None, passes: bool) -> None:
    assert if_none_match_passes(header, current) is passes


ETAGC = st.text(st.sampled_from([chr(c) for c in (0x21, *range(0x23, 0x7F), *range(0x80, 0x100))]), max_size=40)


@given(st.lists(st.tuples(ETAGC, st.booleans()), min_size=1, max_size=6), st.sampled_from([",", ", ", " ,\t"]))
def test_any_list_of_tags_parses_back_to_itself(tags: list[tuple[str, bool]], separator: str) -> None:
    expected = tuple(EntityTag(opaque, weak) for opaque, weak in tags)
    assert parse_entity_tags(separator.join(str(tag) for tag in expected)) == expected


@given(st.text(max_size=60))
def test_any_header_value_evaluates_without_error(header: str) -> None:
    if_match_passes(header, CURRENT)
    if_none_match_passes(header, CURRENT)
