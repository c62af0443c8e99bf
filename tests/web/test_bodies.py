"""The body parser (web/bodies.py) against its definition: `json.loads(text, parse_constant=...)` refusing
NaN and Infinity, then a scan for lone surrogates. Its faster form (one decoder for all calls, the scan
skipped for ASCII text without an escape) must accept and refuse exactly what the definition does, with
the same messages: they are the 400's text."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import assume, example, given
from hypothesis import strategies as st

from global_chat.errors import InvalidRequest
from global_chat.web.bodies import JSONBody, _has_unpaired_surrogate, _refuse_constant


def defining_parse(text: str) -> Any:
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
        surrogate = _has_unpaired_surrogate(value)
    except (ValueError, RecursionError) as exc:
        return f"the body is not valid JSON ({exc})"
    return "surrogate" if surrogate else value


def parse(text: str) -> Any:
    try:
        return JSONBody.parse(text.encode("utf-8", "surrogatepass"), "utf-8")
    except InvalidRequest as error:
        message = error.message.removeprefix("Invalid request: ")
        return "surrogate" if "unpaired UTF-16 surrogate" in message else message


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=8,
)
texts = st.one_of(
    json_values.map(json.dumps),
    json_values.map(lambda value: json.dumps(value, ensure_ascii=False)),
    st.text(max_size=20),
)


@given(text=texts)
@example(text="\ufeff{}")  # a byte order mark: json.loads refuses it before decoding
@example(text='{"locale": NaN}')
@example(text='["\\ud800"]')
@example(text='{"\\udfff": 1}')
@example(text='"\\ud83d\\ude00"')
@example(text='"\\\\ud800"')  # an escaped backslash, then "ud800": no surrogate
@example(text='"\ud800"')  # a raw lone surrogate (its UTF-8 form, surrogatepass)
def test_the_parser_accepts_and_refuses_what_json_loads_does(text: str) -> None:
    assume(text != "")  # an empty text is no body: judged by the schema, not parsed
    expected = defining_parse(text)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        expected = "the body is not valid utf-8 text"  # the raw surrogate's bytes are not UTF-8
    assert parse(text) == expected
