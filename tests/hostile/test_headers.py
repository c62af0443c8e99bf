"""Hostile headers, query strings and session ids, on both stores, with credentials required (AUTH_MODE=keys):
whatever a caller sends in them, the answer is a 2xx or the contract's error, never a 5xx, and a refused
credential is always the same 401 with its challenge. (What the HTTP parser itself refuses is checked on a
real server in tests/hostile/test_server_bounds.py; in process, any bytes reach the app.)"""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from global_chat.errors import AUTH_CHALLENGE
from tests.fixtures.accounts import Accounts, Caller
from tests.fixtures.contract import ContractSchemas

pytestmark = pytest.mark.anyio
CHAT = "/v1/sessions/chat"
EXAMPLES = 60

NAMES = [
    b"authorization",
    b"content-type",
    b"content-length",
    b"accept",
    b"x-request-id",
    b"cookie",
    b"origin",
    b"host",
    b"expect",
    b"content-encoding",
    b"transfer-encoding",
    b"x-forwarded-for",
]
# any byte a header value can hold on the wire but CR and LF (in process nothing filters them)
header_bytes = st.binary(max_size=120).map(lambda value: value.replace(b"\r", b"").replace(b"\n", b""))
junk = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=60)
b64 = st.text(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_="), max_size=80)
credentials = st.one_of(
    junk.map(lambda text: f"Bearer {text}"),
    junk.map(lambda text: f"ApiKey {text}"),
    junk.map(lambda text: f"evr_pat_{text}"),
    st.tuples(b64, b64, b64).map(lambda parts: "Bearer " + ".".join(parts)),  # shaped like a JWT
    st.sampled_from(["Bearer", "ApiKey", "Bearer  ", "Basic dXNlcjpwYXNz", "bearer eyJhbGciOiJub25lIn0.e30.", ""]),
).map(lambda text: text.encode())
headers = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(NAMES), header_bytes),
        st.tuples(st.just(b"authorization"), credentials),
        st.tuples(st.from_regex(rb"\A[a-z][a-z0-9-]{0,20}\Z"), header_bytes),
    ),
    max_size=6,
)
query_strings = st.one_of(
    st.just(""),
    st.dictionaries(junk, junk, max_size=3).map(lambda query: str(httpx.QueryParams(query))),
    st.sampled_from(["api_key=evr_pat_x", "a=%ff%fe", "a=%00", "=" * 50, "&&&", "a[]=1&a[]=2"]),
)


@pytest.fixture
async def caller(accounts: Accounts) -> Caller:
    return await accounts.caller()


@pytest.fixture
async def session_url(keys_client: httpx.AsyncClient, caller: Caller) -> str:
    created = await keys_client.post(CHAT, headers=caller.key_headers())
    assert created.status_code == 200
    return f"/v1/sessions/{created.json()['id']}"


@settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    extra=headers,
    query=query_strings,
    keep_credentials=st.booleans(),
    target=st.sampled_from(["POST chat", "GET session", "PATCH session", "PUT pin"]),
)
@example(extra=[(b"authorization", b"Bearer a.b.c")], query="", keep_credentials=False, target="POST chat")
@example(extra=[(b"x-request-id", b"\x00\xff" * 60)], query="", keep_credentials=True, target="GET session")
async def test_hostile_headers_get_a_contract_answer_never_a_5xx(
    keys_client: httpx.AsyncClient,
    caller: Caller,
    session_url: str,
    our_schemas: ContractSchemas,
    extra: list[tuple[bytes, bytes]],
    query: str,
    keep_credentials: bool,
    target: str,
) -> None:
    method, what = target.split()
    url = {"chat": CHAT, "session": session_url, "pin": session_url + "/pin"}[what]
    sent = [(b"authorization", caller.api_key.encode())] if keep_credentials else []
    sent += extra  # a later Authorization may join or replace the caller's

    response = await keys_client.request(
        method, f"{url}?{query}" if query else url, headers=sent, json={"title": "x"} if method == "PATCH" else None
    )

    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/json"
        assert our_schemas.errors("ErrorResponse", response.json()) == []
        assert response.headers["x-request-id"]
    if response.status_code == 401:
        assert response.headers["www-authenticate"] == AUTH_CHALLENGE


@settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    segment=st.one_of(
        st.text(max_size=80),
        st.sampled_from(["session_" + "0" * 31 + "g", "session_" + "f" * 33, "%ff%fe", "%00", "..", "session_%00"]),
    ),
    method=st.sampled_from(["GET", "PATCH", "DELETE", "PUT"]),
)
async def test_hostile_session_ids_get_a_contract_answer_never_a_5xx(
    keys_client: httpx.AsyncClient, caller: Caller, our_schemas: ContractSchemas, segment: str, method: str
) -> None:
    path = "/v1/sessions/" + quote(segment, safe="%") + ("/pin" if method == "PUT" else "")

    response = await keys_client.request(
        method, path, headers=caller.key_headers(), json={"title": "x"} if method == "PATCH" else None
    )

    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert our_schemas.errors("ErrorResponse", response.json()) == []
