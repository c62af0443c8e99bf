"""ETag, If-None-Match (304) and If-Match (412) on the wire, on both stores (the contract declares them;
the generated endpoints read and write them)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.fixtures.accounts import Accounts, Caller
from tests.fixtures.contract import ContractSchemas

pytestmark = [pytest.mark.anyio, pytest.mark.pgbouncer_backend]  # backends: tests/fixtures/app.py
CHAT = "/v1/sessions/chat"


@pytest.fixture
async def caller(accounts: Accounts) -> Caller:
    return await accounts.caller()


async def created(client: httpx.AsyncClient, caller: Caller) -> tuple[str, str, dict[str, Any]]:
    response = await client.post(CHAT, headers=caller.key_headers())
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return f"/v1/sessions/{body['id']}", response.headers["etag"], body


async def test_every_representation_carries_the_same_etag_for_the_same_state(
    keys_client: httpx.AsyncClient, caller: Caller
) -> None:
    url, etag, _ = await created(keys_client, caller)
    headers = caller.key_headers()

    again = await keys_client.post(CHAT, headers=headers)
    read = await keys_client.get(url, headers=headers)

    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")
    assert again.headers["etag"] == read.headers["etag"] == etag
    pinned = await keys_client.put(f"{url}/pin", headers=headers)
    assert pinned.status_code == 204 and pinned.headers["etag"] not in (etag, None)
    assert (await keys_client.get(url, headers=headers)).headers["etag"] == pinned.headers["etag"]
    unpinned = await keys_client.delete(f"{url}/pin", headers=headers)
    patched = await keys_client.patch(url, json={"title": "Plans"}, headers=headers)
    assert len({etag, pinned.headers["etag"], unpinned.headers["etag"], patched.headers["etag"]}) == 4


@pytest.mark.parametrize(
    ("if_none_match", "status"),
    [
        ("{etag}", 304),
        ("W/{etag}", 304),  # the weak comparison
        ('"other", {etag}', 304),
        ("*", 304),
        ('"other"', 200),
        ("not-a-tag", 200),  # ignored: the full answer
    ],
)
async def test_a_conditional_get_is_304_without_a_body_when_nothing_changed(
    keys_client: httpx.AsyncClient, caller: Caller, if_none_match: str, status: int
) -> None:
    url, etag, body = await created(keys_client, caller)

    response = await keys_client.get(
        url, headers=caller.key_headers() | {"If-None-Match": if_none_match.format(etag=etag)}
    )

    assert response.status_code == status
    assert response.headers["etag"] == etag
    assert response.headers["cache-control"] == "private, no-cache"
    assert response.content == b"" if status == 304 else response.json() == body


async def test_a_stale_patch_after_another_clients_patch_is_412_and_changes_nothing(
    keys_client: httpx.AsyncClient, caller: Caller, our_schemas: ContractSchemas
) -> None:
    url, etag, _ = await created(keys_client, caller)
    headers = caller.key_headers()

    mine = await keys_client.patch(url, json={"title": "Mine"}, headers=headers | {"If-Match": etag})
    theirs = await keys_client.patch(url, json={"title": "Theirs"}, headers=headers | {"If-Match": etag})

    assert mine.status_code == 200 and mine.json()["title"] == "Mine"
    assert theirs.status_code == 412
    assert theirs.headers["etag"] == mine.headers["etag"] != etag
    assert theirs.headers["content-type"] == "application/json"
    body = theirs.json()
    assert our_schemas.errors("PreconditionFailedResponse", body) == []
    assert (body["code"], body["allowed_actions"][0]["operation_id"]) == ("precondition_failed", "update_session")
    assert (await keys_client.get(url, headers=headers)).json()["title"] == "Mine"

    retried = await keys_client.patch(
        url, json={"title": "Theirs"}, headers=headers | {"If-Match": theirs.headers["etag"]}
    )
    assert retried.status_code == 200 and retried.json()["title"] == "Theirs"


async def test_every_guarded_write_refuses_a_stale_etag(keys_client: httpx.AsyncClient, caller: Caller) -> None:
    url, etag, _ = await created(keys_client, caller)
    headers = caller.key_headers()
    fresh = (await keys_client.patch(url, json={"title": "New"}, headers=headers)).headers["etag"]
    stale = headers | {"If-Match": etag}

    answers = [
        await keys_client.put(f"{url}/pin", headers=stale),
        await keys_client.delete(f"{url}/pin", headers=stale),
        await keys_client.delete(url, headers=stale),
        await keys_client.delete(url, headers=headers | {"If-Match": f"W/{fresh}"}),  # a weak tag never matches
        await keys_client.delete(url, headers=headers | {"If-Match": "garbage"}),
    ]

    assert [a.status_code for a in answers] == [412] * 5
    assert {a.headers["etag"] for a in answers} == {fresh}
    assert (await keys_client.delete(url, headers=headers | {"If-Match": fresh})).status_code == 204


async def test_a_client_that_asks_gets_the_412_as_problem_details(
    keys_client: httpx.AsyncClient, caller: Caller, our_schemas: ContractSchemas
) -> None:
    url, _, _ = await created(keys_client, caller)

    response = await keys_client.put(
        f"{url}/pin", headers=caller.key_headers() | {"If-Match": '"stale"', "Accept": "application/problem+json"}
    )

    assert (response.status_code, response.headers["content-type"]) == (412, "application/problem+json")
    problem = response.json()
    assert our_schemas.errors("ProblemDetails", problem) == []
    assert (problem["status"], problem["title"], problem["code"]) == (412, "Precondition Failed", "precondition_failed")


async def test_concurrent_guarded_patches_with_one_etag_one_200_one_412(
    keys_client: httpx.AsyncClient, caller: Caller
) -> None:
    url, etag, _ = await created(keys_client, caller)
    headers = caller.key_headers()

    for round_ in range(5):
        answers = await asyncio.gather(
            *(
                keys_client.patch(url, json={"title": f"R{round_}C{n}"}, headers=headers | {"If-Match": etag})
                for n in range(2)
            )
        )
        assert sorted(a.status_code for a in answers) == [200, 412]
        winner = next(a for a in answers if a.status_code == 200)
        loser = next(a for a in answers if a.status_code == 412)
        assert loser.headers["etag"] == winner.headers["etag"]
        assert (await keys_client.get(url, headers=headers)).json()["title"] == winner.json()["title"]
        etag = winner.headers["etag"]


@pytest.mark.parametrize(("method", "name"), [("PATCH", "If-Match"), ("GET", "If-None-Match")])
async def test_an_oversized_precondition_is_a_400_naming_it(
    keys_client: httpx.AsyncClient, caller: Caller, method: str, name: str
) -> None:
    url, _, _ = await created(keys_client, caller)
    oversized = '"' + "a" * 5000 + '"'  # over the contract's maxLength

    response = await keys_client.request(
        method,
        url,
        json={"title": "x"} if method == "PATCH" else None,
        headers=caller.key_headers() | {name: oversized},
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request" and name in response.json()["error"]
    assert (await keys_client.get(url, headers=caller.key_headers())).json()["title"] != "x"
