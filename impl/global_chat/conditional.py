"""Conditional requests (RFC 9110, section 13.1): entity tags and the two preconditions this service
evaluates, pure functions of a header's value and the current entity tag (no HTTP framework here).

- If-None-Match (13.1.2) uses the *weak* comparison: `W/"x"` matches `"x"`; it guards reads (304).
- If-Match (13.1.1) uses the *strong* comparison: a weak tag never matches; it guards writes (412).

A header that does not parse (a tag without its quotes, a character outside `etagc`) never lets a
write through: If-Match then evaluates to false. A malformed If-None-Match evaluates to true (the
full answer is sent), which is what a client that cannot name a tag gets anyway.

Written here rather than taken from a library: werkzeug's `parse_etags` (already installed) accepts
unquoted tags as strong ones and has no notion of a malformed header, so a stale write guarded by a
mistyped tag could land; the grammar is four lines of RFC 9110.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

# entity-tag = [ weak ] opaque-tag ; weak = %s"W/" ; opaque-tag = DQUOTE *etagc DQUOTE
# etagc = %x21 / %x23-7E / obs-text (RFC 9110, 8.8.3); obs-text is %x80-FF, as Starlette decodes
# header bytes as latin-1.
_ENTITY_TAG = re.compile(r'[ \t]*(W/)?"([\x21\x23-\x7e\x80-\xff]*)"[ \t]*')
_EMPTY_ELEMENT = re.compile(r"[ \t]*")


@dataclass(frozen=True, slots=True)
class EntityTag:
    opaque: str
    """The tag between its quotes."""
    weak: bool = False

    def __str__(self) -> str:
        return f'{"W/" if self.weak else ""}"{self.opaque}"'

    def strong_match(self, other: EntityTag) -> bool:
        """RFC 9110 8.8.3.2: both strong and the same opaque tag."""
        return not self.weak and not other.weak and self.opaque == other.opaque

    def weak_match(self, other: EntityTag) -> bool:
        """RFC 9110 8.8.3.2: the same opaque tag, either or both weak."""
        return self.opaque == other.opaque


ANY: Final = "*"


def parse_entity_tags(value: str) -> tuple[EntityTag, ...] | Literal["*"] | None:
    """`If-Match`/`If-None-Match`'s value: `ANY` for `*`, the listed tags, or None when it does not
    parse. Empty list elements are allowed (RFC 9110 5.6.1: `a, , b`)."""
    if value.strip(" \t") == ANY:
        return ANY
    tags: list[EntityTag] = []
    for element in _split(value):
        if _EMPTY_ELEMENT.fullmatch(element):
            continue
        match = _ENTITY_TAG.fullmatch(element)
        if match is None:
            return None
        tags.append(EntityTag(match.group(2), weak=match.group(1) is not None))
    return tuple(tags) if tags else None


def _split(value: str) -> list[str]:
    """The list elements of `value`: commas inside a quoted tag do not split it."""
    elements, start, quoted = [], 0, False
    for index, char in enumerate(value):
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            elements.append(value[start:index])
            start = index + 1
    elements.append(value[start:])
    return elements


def if_match_passes(header: str | None, current: EntityTag | None) -> bool:
    """RFC 9110 13.1.1: True when the write may proceed. `current` is None when there is no
    current representation; no header is no precondition."""
    if header is None:
        return True
    parsed = parse_entity_tags(header)
    if parsed is None or current is None:
        return False
    if isinstance(parsed, str):  # *
        return True
    return any(tag.strong_match(current) for tag in parsed)


def if_none_match_passes(header: str | None, current: EntityTag | None) -> bool:
    """RFC 9110 13.1.2: True when the request proceeds as if unconditional; False means "not
    modified" (304) for a GET. A malformed header is ignored (True)."""
    if header is None:
        return True
    parsed = parse_entity_tags(header)
    if parsed is None:
        return True
    if isinstance(parsed, str):  # *
        return current is None
    return current is None or not any(tag.weak_match(current) for tag in parsed)
