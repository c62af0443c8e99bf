"""Cache-Control and Vary on every answer (web/cache_policy.py): no shared cache can serve one caller's
session, or one caller's error, to another."""

from __future__ import annotations

import httpx
import pytest

from global_chat.web.cache_policy import cache_control, is_public, merged_vary
from tests.fixtures.accounts import Accounts
from tests.fixtures.app import UI_BASE_URL

pytestmark = pytest.mark.anyio
CHAT = "/v1/sessions/chat"
EVERY_FIELD = {"authorization", "cookie", "x-org-id", "origin", "accept"}


def vary_of(response: httpx.Response) -> list[str]:
    return [name.strip().lower() for name in ", ".join(response.headers.get_list("vary")).split(",")]


@pytest.mark.parametrize(
    ("method", "status", "policy"),
    [
        ("GET", 200, "private, no-cache"),
        ("HEAD", 200, "private, no-cache"),
        ("GET", 304, "private, no-cache"),
        ("GET", 404, "no-store"),
        ("GET", 500, "no-store"),
        ("POST", 200, "no-store"),
        ("PATCH", 200, "no-store"),
        ("DELETE", 204, "no-store"),
        ("OPTIONS", 200, "no-store"),
    ],
)
def test_only_a_successful_read_may_be_kept_and_only_by_the_caller(method: str, status: int, policy: str) -> None:
    assert cache_control(method, status) == policy


def test_vary_is_merged_each_field_once() -> None:
    assert merged_vary(None) == "Authorization, Cookie, X-Org-Id, Origin, Accept"
    assert merged_vary("origin, Accept-Encoding") == "origin, Accept-Encoding, Authorization, Cookie, X-Org-Id, Accept"
    assert merged_vary("*") == "*"
    assert merged_vary("Origin, origin", ()) == "Origin"  # a public answer: only what the layers below said


def test_public_is_a_directive_not_a_substring() -> None:
    assert is_public("public, max-age=3600")
    assert is_public("max-age=60,PUBLIC")
    assert not is_public("private, no-cache")
    assert not is_public("no-store")
    assert not is_public('no-cache="public-ish"')


async def test_every_answer_of_a_session_says_who_it_is_for(keys_client: httpx.AsyncClient, accounts: Accounts) -> None:
    caller = await accounts.caller()
    headers = caller.key_headers() | {"Origin": UI_BASE_URL}

    created = await keys_client.post(CHAT, headers=headers)
    session_url = f"/v1/sessions/{created.json()['id']}"
    read = await keys_client.get(session_url, headers=headers)
    pinned = await keys_client.put(f"{session_url}/pin", headers=headers)
    missing = await keys_client.get(f"/v1/sessions/session_{'0' * 32}", headers=headers)
    anonymous = await keys_client.get(session_url)
    unrouted = await keys_client.get("/v1/nowhere")

    assert [r.status_code for r in (created, read, pinned, missing, anonymous, unrouted)] == [
        200,
        200,
        204,
        404,
        401,
        404,
    ]
    assert read.headers["cache-control"] == "private, no-cache"
    for answer in (created, pinned, missing, anonymous, unrouted):
        assert answer.headers["cache-control"] == "no-store", answer.request.url
    for answer in (created, read, pinned, missing, anonymous, unrouted):
        vary = vary_of(answer)
        assert set(vary) >= EVERY_FIELD and len(vary) == len(set(vary)), answer.headers.get_list("vary")


async def test_a_preflight_keeps_its_own_vary_fields(keys_client: httpx.AsyncClient) -> None:
    response = await keys_client.options(CHAT, headers={"Origin": UI_BASE_URL, "Access-Control-Request-Method": "POST"})

    assert response.status_code == 200
    assert {"origin", "access-control-request-method"} | EVERY_FIELD <= set(vary_of(response))
    assert response.headers["cache-control"] == "no-store"
