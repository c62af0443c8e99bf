"""Hostile values inside request bodies, on both stores: whatever the bytes, the answer is a 2xx or the
contract's error (a 4xx, application/json), never a 5xx, and the session stays readable afterwards.

The values are the ones parsers and databases disagree on: integers longer than Python converts, NaN and
Infinity, lone surrogates, U+0000, deep nesting, charsets that are not text encodings or that refuse the
bytes, and bytes that are not JSON at all."""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.fixtures.contract import ContractSchemas

pytestmark = pytest.mark.anyio
CHAT = "/v1/sessions/chat"
JSON_HEADERS = {"content-type": "application/json"}
EXAMPLES = 60

# JSON texts that parsers and stores disagree on (as they come over the wire: raw tokens, not Python values)
HOSTILE_TOKENS = [
    "NaN",
    "-Infinity",
    "1e999",
    "-0",
    "1" * 4301,  # one digit over Python's int-string limit
    "-" + "9" * 20_000,
    "0." + "0" * 5000 + "1",
    '"\\ud800"',  # a lone high surrogate
    '"x\\udc00y"',  # a lone low surrogate
    '"\\udc00\\ud800"',  # both halves, in the wrong order
    '"\\ud83d\\ude00"',  # a valid pair: one emoji
    '"\\u0000"',
    '"a\\u0000b"',
    '"\\uffff\\ufeff"',
    '"' + "\\u00e9" * 600 + '"',
    "true",
    "null",
    "[]",
    "{}",
]
FIELDS = ['"title"', '"locale"', '"tags"']

leaves = st.one_of(
    st.sampled_from(HOSTILE_TOKENS),
    st.integers().map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(json.dumps),
    st.text(max_size=30).map(json.dumps),
    st.text(max_size=30).map(lambda text: json.dumps(text, ensure_ascii=False)),
)
keys = st.one_of(
    st.sampled_from(FIELDS), st.sampled_from(['"\\ud800"', '"\\u0000"']), st.text(max_size=8).map(json.dumps)
)
json_texts = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=4).map(lambda items: "[" + ",".join(items) + "]"),
        st.lists(st.tuples(keys, children), max_size=4).map(
            lambda pairs: "{" + ",".join(f"{key}:{value}" for key, value in pairs) + "}"
        ),
    ),
    max_leaves=12,
)
# An object with the contract's own fields, each holding any of the above: the likeliest way past the schema.
field_objects = st.dictionaries(st.sampled_from(FIELDS), json_texts, min_size=1).map(
    lambda fields: "{" + ",".join(f"{key}:{value}" for key, value in fields.items()) + "}"
)
DEEP = ["[" * 60_000, '{"title":' * 6_000 + "1" + "}" * 6_000, "[" * 900 + "]" * 900]
texts = st.one_of(field_objects, json_texts, st.sampled_from(DEEP))
# surrogatepass: the raw UTF-8 forms of surrogates reach the server too, not only their escapes
bodies = st.one_of(texts.map(lambda text: text.encode("utf-8", "surrogatepass")), st.binary(max_size=80))
CHARSETS = [
    None,
    "utf-8",
    "UTF-16",
    "latin-1",
    "undefined",  # a codec that refuses everything (UnicodeError, not UnicodeDecodeError)
    "punycode",  # a codec that fails with UnicodeError on most input
    "idna",
    "utf-7",
    "rot13",  # not a text encoding (LookupError)
    "zlib",
    "no-such-charset",
    "",
]
content_types = st.one_of(
    st.sampled_from(CHARSETS).map(lambda charset: "application/json" + (f"; charset={charset}" if charset else "")),
    st.sampled_from(
        ["application/json;charset", 'application/json; charset="utf-8"', "APPLICATION/JSON", "text/plain"]
    ),
)


def assert_contract_answer(response: httpx.Response, our_schemas: ContractSchemas) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/json"
        assert our_schemas.errors("ErrorResponse", response.json()) == []


@pytest.fixture
async def session_url(client: httpx.AsyncClient) -> str:
    created = await client.post(CHAT)
    assert created.status_code == 200
    return f"/v1/sessions/{created.json()['id']}"


# One app and one session serve every example of a test: the examples are independent requests.
@settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=bodies, content_type=content_types, method=st.sampled_from(["POST", "PATCH"]))
@example(body=b'{"locale": ' + b"1" * 5000 + b"}", content_type="application/json", method="POST")
@example(body=b'{"title": "\\ud800"}', content_type="application/json", method="PATCH")
@example(body=b'{"title": "a\\u0000b"}', content_type="application/json", method="PATCH")
@example(body=b'{"locale": "uk"}', content_type="application/json; charset=punycode", method="POST")
async def test_hostile_bodies_get_a_contract_answer_never_a_5xx(
    client: httpx.AsyncClient,
    session_url: str,
    our_schemas: ContractSchemas,
    body: bytes,
    content_type: str,
    method: str,
) -> None:
    url = CHAT if method == "POST" else session_url

    response = await client.request(method, url, content=body, headers={"content-type": content_type})

    assert_contract_answer(response, our_schemas)
    # whatever was accepted was stored in a form the store gives back (responses are validated in tests)
    assert (await client.get(session_url)).status_code == 200


# (what, body, content type): each a 400 on both stores, leaving the session as it was
UNSTORABLE = [
    ("integer past the int-string limit", b'{"title": ' + b"1" * 4301 + b"}", "application/json"),
    ("NaN", b'{"title": NaN}', "application/json"),
    ("Infinity", b'{"title": -Infinity}', "application/json"),
    ("charset undefined", b'{"title": "x"}', "application/json; charset=undefined"),
    ("charset punycode", b'{"title": "x"}', "application/json; charset=punycode"),
    ("charset not a text encoding", b'{"title": "x"}', "application/json; charset=rot13"),
    ("lone surrogate in title", b'{"title": "\\ud800"}', "application/json"),
    ("lone surrogate in a tag", b'{"tags": ["\\udfff"]}', "application/json"),
    ("lone surrogate in a key", b'{"\\ud800": 1}', "application/json"),
    ("raw surrogate", '{"title": "\ud800"}'.encode("utf-8", "surrogatepass"), "application/json"),
    ("NUL in title", b'{"title": "a\\u0000b"}', "application/json"),
    ("NUL in a tag", b'{"tags": ["\\u0000"]}', "application/json"),
    ("nesting past the parser's recursion", b"[" * 60_000, "application/json"),
]


async def test_values_no_store_can_hold_are_a_400_on_both_stores(
    client: httpx.AsyncClient, session_url: str, our_schemas: ContractSchemas
) -> None:
    before = (await client.get(session_url)).json()
    wrong = {}

    for what, body, content_type in UNSTORABLE:
        response = await client.patch(session_url, content=body, headers={"content-type": content_type})
        if response.status_code != 400 or response.json().get("allowed_actions", [{}])[0].get("rel") != "retry":
            wrong[what] = (response.status_code, response.text[:200])
        else:
            assert_contract_answer(response, our_schemas)

    assert wrong == {}
    assert (await client.get(session_url)).json() == before


async def test_a_valid_surrogate_pair_is_one_character_and_kept(client: httpx.AsyncClient, session_url: str) -> None:
    response = await client.patch(session_url, content=b'{"title": "\\ud83d\\ude00 chat"}', headers=JSON_HEADERS)

    assert response.status_code == 200, response.text
    assert response.json()["title"] == "\U0001f600 chat"
