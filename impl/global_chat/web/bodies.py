"""Request bodies, for the generated endpoints (their `bodies` hook, global_chat_generated.server.bind):
each operation's JSON body read whole by the endpoint, then decoded, parsed and checked here against the
operation's schema compiled once (fastjsonschema), so that it is read once and parsed once. Anything
that fails is the client's mistake: 415 for a media type the contract does not declare, 400 with a
message naming the field and what it expects for the rest."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import fastjsonschema
from werkzeug.http import parse_options_header

from global_chat.errors import InvalidRequest, UnsupportedMediaType
from global_chat.web.json_schema import at_pointer, compile_schema, describe, resolve_refs
from global_chat_generated.records import Operation
from global_chat_generated.server.runtime import NO_BODY, BodyDecoders


class JSONBody:
    """One operation's JSON request body: its media types, whether it is required, and its schema."""

    def __init__(self, schema: dict[str, Any], *, media_types: Sequence[str], required: bool) -> None:
        self._check = compile_schema(schema)
        self._required = required
        self._declared = list(media_types)
        self._accepted = frozenset(media_type.lower() for media_type in media_types)

    def __call__(self, raw: bytes, content_type: str | None) -> Any:
        """The JSON value of the body, checked against the schema; NO_BODY when there is none."""
        mime_type, charset = _media_type(content_type)
        mime_type = mime_type or self._declared[0].lower()
        if mime_type not in self._accepted:
            raise UnsupportedMediaType(f"Invalid Content-type ({mime_type}), expected {self._declared}")
        if not raw:
            if self._required:
                raise InvalidRequest("the request body is required")
            return NO_BODY
        body = self.parse(raw, charset or "utf-8")
        try:
            self._check(body)
        except fastjsonschema.JsonSchemaValueException as error:
            raise InvalidRequest(describe(error)) from None
        return body

    @staticmethod
    def parse(raw: bytes, encoding: str) -> Any:
        """The JSON value of `raw` (None for no body). A missing or null body is judged by the schema
        itself: the contract spells "nullable" as anyOf [..., null] (OpenAPI 3.0 has no null type).

        Every way the caller's bytes can fail to be JSON is the caller's mistake, whatever the
        standard library calls it: an unknown charset (LookupError), a codec that refuses them
        (UnicodeError of any kind: `undefined`, `punycode`, ...), an integer longer than Python
        converts (ValueError, sys.get_int_max_str_digits()), nesting deeper than the parser
        recurses (RecursionError); and what RFC 8259 / I-JSON (RFC 7493) exclude although Python's
        parser takes it: NaN and Infinity, and strings with an unpaired surrogate, which no UTF-8
        text (so no database, no response) can hold."""
        try:
            text = raw.decode(encoding)
        except (ValueError, LookupError) as exc:  # UnicodeError is a ValueError
            raise InvalidRequest(f"the body is not valid {encoding} text") from exc
        if not text:
            return None
        try:
            if text.startswith("\ufeff"):  # what json.loads refuses before decoding, in its words
                raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
            value = _decode(text)
            # a lone surrogate is a non-ASCII character or a \u escape: ASCII text without one holds none
            surrogate = (not text.isascii() or "\\u" in text) and _has_unpaired_surrogate(value)
        except (ValueError, RecursionError) as exc:  # json.JSONDecodeError is a ValueError
            raise InvalidRequest(f"the body is not valid JSON ({exc})") from exc
        if surrogate:
            raise InvalidRequest("the body is not valid JSON text: a string holds an unpaired UTF-16 surrogate")
        return value


def contract_bodies(contract: Mapping[str, Any]) -> BodyDecoders:
    """The `bodies` hook of bind(): each operation's JSONBody, its schema found in `contract` by the
    pointer the operations table gives, references inlined."""

    def build(operation: Operation) -> JSONBody:
        body = operation.body
        assert body is not None  # bind() asks only for operations with a body
        schema = resolve_refs(contract, at_pointer(contract, body.schema))
        return JSONBody(schema, media_types=body.media_types, required=body.required)

    return build


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)
"""`json.loads(text, parse_constant=_refuse_constant)` without building a decoder per call (about 1.5 us)."""


def _decode(text: str) -> Any:
    """`_DECODER.decode(text)`: the value, or its exception. A text that is one JSON value from its first
    character to its last (what clients send) is read by `raw_decode` alone, without the two whitespace
    matches around it; any other (whitespace around the value, extra data, not JSON) by `decode` itself,
    so that it answers and refuses with its own words."""
    try:
        value, end = _DECODER.raw_decode(text)
    except (ValueError, RecursionError):
        return _DECODER.decode(text)
    return value if end == len(text) else _DECODER.decode(text)


@lru_cache(maxsize=64)
def _media_type(content_type: str | None) -> tuple[str | None, str | None]:
    """A Content-Type header's media type (lower case; None when absent) and charset parameter: a pure
    function of the header's text, and clients send a handful of them, so each is parsed once."""
    mime_type, options = parse_options_header(content_type)
    return mime_type.lower() or None, options.get("charset")


def _has_unpaired_surrogate(value: Any) -> bool:
    """Whether a string anywhere in `value` (keys included) holds a lone surrogate code point. A
    valid pair (\\ud83d\\ude00) is joined into one code point by the parser, so only lone ones remain."""
    if isinstance(value, str):
        return not value.isascii() and _SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_unpaired_surrogate(k) or _has_unpaired_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_unpaired_surrogate(item) for item in value)
    return False


_SURROGATE = re.compile(r"[\ud800-\udfff]")
