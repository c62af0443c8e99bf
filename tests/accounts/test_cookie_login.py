"""The web UI's login: a JWT in the `access_token` cookie, as the UI sends it (`credentials: "include"`, no
Authorization header), and the cross-site requests a browser would attach that cookie to."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from global_chat.storage.tables import SESSIONS
from tests.fixtures.accounts import Accounts, Caller
from tests.fixtures.app import UI_BASE_URL
from tests.fixtures.contract import ContractSchemas

pytestmark = pytest.mark.anyio
CHAT = "/v1/sessions/chat"
UI = {"Origin": UI_BASE_URL, "Content-Type": "application/json"}  # what the UI's fetch sends
ELSEWHERE = "https://evil.example"


def cookie(value: str, **more: str) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{name}={v}" for name, v in {"access_token": value, **more}.items())}


async def session_count(accounts: Accounts, caller: Caller) -> int:
    async with accounts.database.transaction() as tx:
        query = select(func.count()).select_from(SESSIONS).where(SESSIONS.c.organization_id == caller.organization_id)
        return int((await tx.execute(query)).scalar_one())


async def test_the_cookie_gets_the_same_session_as_the_bearer_form_of_the_jwt(
    keys_client: httpx.AsyncClient, accounts: Accounts
) -> None:
    caller = await accounts.caller()

    by_cookie = await keys_client.post(CHAT, json={"locale": "uk-UA"}, headers={**UI, **cookie(caller.token)})
    by_bearer = await keys_client.post(CHAT, headers=caller.bearer_headers())

    assert by_cookie.status_code == 200, by_cookie.text
    assert by_cookie.json() == by_bearer.json()
    assert by_cookie.json()["tags"] == ["global-chat", f"user:{caller.user_id}"]


@pytest.mark.parametrize(
    "request_kwargs",
    [
        pytest.param({"content": b"{}"}, id="json body"),
        pytest.param({}, id="no body"),
    ],
)
async def test_the_ui_without_an_origin_but_with_json_is_accepted(
    keys_client: httpx.AsyncClient, accounts: Accounts, request_kwargs: dict[str, Any]
) -> None:
    caller = await accounts.caller()
    headers = {"Content-Type": "application/json", **cookie(caller.token)}

    response = await keys_client.post(CHAT, headers=headers, **request_kwargs)

    assert response.status_code == 200, response.text


async def test_every_operation_works_with_the_cookie_from_the_ui(
    keys_client: httpx.AsyncClient, accounts: Accounts
) -> None:
    caller = await accounts.caller()
    headers = {**UI, **cookie(caller.token)}
    session = (await keys_client.post(CHAT, headers=headers)).json()
    url = f"/v1/sessions/{session['id']}"

    assert (await keys_client.get(url, headers=headers)).status_code == 200
    assert (await keys_client.patch(url, json={"title": "Mine"}, headers=headers)).json()["title"] == "Mine"
    assert (await keys_client.put(f"{url}/pin", headers=headers)).status_code == 204
    assert (await keys_client.delete(f"{url}/pin", headers=headers)).status_code == 204
    assert (await keys_client.delete(url, headers=headers)).status_code == 204


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"Origin": ELSEWHERE, "Content-Type": "application/json"}, id="another site's fetch"),
        pytest.param({"Origin": ELSEWHERE, "Content-Type": "text/plain"}, id="another site's simple request"),
        pytest.param({"Origin": "null", "Content-Type": "application/json"}, id="opaque origin"),
        pytest.param({"Origin": UI_BASE_URL + ".evil.example"}, id="a lookalike origin"),
        pytest.param({"Content-Type": "application/x-www-form-urlencoded"}, id="form without origin"),
        pytest.param({"Content-Type": "text/plain"}, id="text without origin"),
        pytest.param({}, id="no origin and no content type"),
        pytest.param({"Referer": ELSEWHERE + "/page"}, id="another site's referer"),
    ],
)
async def test_a_cross_site_request_with_the_cookie_is_refused(
    keys_client: httpx.AsyncClient, accounts: Accounts, our_schemas: ContractSchemas, headers: dict[str, str]
) -> None:
    caller = await accounts.caller()

    response = await keys_client.post(CHAT, headers={**headers, **cookie(caller.token)})

    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "forbidden"
    assert "cross-site" in body["error"].lower()
    assert our_schemas.errors("ErrorResponse", body) == []
    assert await session_count(accounts, caller) == 0


async def test_a_cross_site_request_changes_nothing(keys_client: httpx.AsyncClient, accounts: Accounts) -> None:
    caller = await accounts.caller()
    session = (await keys_client.post(CHAT, headers=caller.key_headers())).json()
    url = f"/v1/sessions/{session['id']}"
    foreign = {"Origin": ELSEWHERE, **cookie(caller.token)}

    answers = [
        await keys_client.patch(url, json={"title": "Pwned"}, headers=foreign),
        await keys_client.put(f"{url}/pin", headers=foreign),
        await keys_client.delete(url, headers=foreign),
    ]

    assert [a.status_code for a in answers] == [403, 403, 403]
    after = (await keys_client.get(url, headers=caller.key_headers())).json()
    assert (after["title"], after["is_pinned"]) == ("Platform Chat", False)


async def test_the_ui_referer_stands_in_for_a_missing_origin(
    keys_client: httpx.AsyncClient, accounts: Accounts
) -> None:
    caller = await accounts.caller()

    response = await keys_client.post(CHAT, headers={"Referer": UI_BASE_URL + "/chat", **cookie(caller.token)})

    assert response.status_code == 200, response.text


async def test_reading_with_the_cookie_is_not_refused_from_another_origin(
    keys_client: httpx.AsyncClient, accounts: Accounts
) -> None:
    # The answer is unreadable to the other site: CORS gives it no Access-Control-Allow-Origin.
    caller = await accounts.caller()
    session = (await keys_client.post(CHAT, headers=caller.key_headers())).json()

    response = await keys_client.get(
        f"/v1/sessions/{session['id']}", headers={"Origin": ELSEWHERE, **cookie(caller.token)}
    )

    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize("prefix", ["", "ApiKey ", "Bearer "])
async def test_an_api_key_in_the_cookie_is_a_401(
    keys_client: httpx.AsyncClient, accounts: Accounts, our_schemas: ContractSchemas, prefix: str
) -> None:
    caller = await accounts.caller()

    response = await keys_client.post(CHAT, headers={**UI, **cookie(f'"{prefix}{caller.api_key}"')})

    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert our_schemas.errors("ErrorResponse", response.json()) == []


@pytest.mark.parametrize("value", ["", "not.a.jwt", "null"])
async def test_a_bad_cookie_is_a_401(keys_client: httpx.AsyncClient, value: str) -> None:
    response = await keys_client.post(CHAT, headers={**UI, **cookie(value)})

    assert response.status_code == 401
    assert "Bearer" in response.headers["www-authenticate"]


async def test_the_authorization_header_wins_over_the_cookie(
    keys_client: httpx.AsyncClient, accounts: Accounts
) -> None:
    alice, bob = await accounts.caller(), await accounts.caller()

    both = await keys_client.post(CHAT, headers={**alice.key_headers(), **cookie(bob.token)})
    bad_header = await keys_client.post(CHAT, headers={"Authorization": "Bearer x", **UI, **cookie(bob.token)})

    assert both.status_code == 200
    assert both.json()["organization_id"] == alice.org
    assert bad_header.status_code == 401  # a header that fails never falls back to the cookie


async def test_header_credentials_are_not_judged_by_origin(keys_client: httpx.AsyncClient, accounts: Accounts) -> None:
    # Another site's page cannot send an Authorization header without a CORS preflight we refuse.
    caller = await accounts.caller()

    response = await keys_client.post(CHAT, headers={"Origin": ELSEWHERE, **caller.bearer_headers()})

    assert response.status_code == 200


async def test_without_credentials_the_cookie_mode_is_ignored_in_anonymous_mode(client: httpx.AsyncClient) -> None:
    response = await client.post(CHAT, headers={"Origin": ELSEWHERE, **cookie("anything")})

    assert response.status_code == 200  # AUTH_MODE=none: every caller is the anonymous user, cookies or not
