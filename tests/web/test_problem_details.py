"""Errors as RFC 9457 Problem Details for a client that asks for them; the seed's `{"error": ...}`
body, byte for byte, for every other client (the official SDKs and the web UI read it)."""

from __future__ import annotations

import httpx
import pytest

from global_chat.web.errors import error_media_type
from tests.fixtures.accounts import Accounts
from tests.fixtures.contract import ContractSchemas

pytestmark = pytest.mark.anyio
MISSING = "/v1/sessions/session_0193b2c4e5f67a8b9c0d1e2f3a4b5c6d"
PROBLEM = "application/problem+json"


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, "application/json"),
        ("", "application/json"),
        ("*/*", "application/json"),
        ("application/json", "application/json"),
        ("application/*", "application/json"),
        ("application/json, application/problem+json", "application/json"),  # the same q: the default
        ("application/problem+json", PROBLEM),
        ("Application/Problem+JSON", PROBLEM),  # media types are case-insensitive
        ("application/problem+json, application/json;q=0.9", PROBLEM),
        ("application/problem+json;q=0.5, application/json", "application/json"),
        ("application/problem+json;q=0", "application/json"),
        ("text/html, application/problem+json", PROBLEM),
        ("application/problem+json;q=nonsense", "application/json"),  # an item with an unparseable q is dropped
    ],
)
def test_the_error_media_type_follows_accept(accept: str | None, chosen: str) -> None:
    assert error_media_type(accept) == chosen


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", "application/json, application/problem+json"])
async def test_every_other_client_gets_the_error_response_byte_for_byte(
    keys_client: httpx.AsyncClient, accounts: Accounts, accept: str | None
) -> None:
    caller = await accounts.caller()
    headers = caller.key_headers() | ({"Accept": accept} if accept is not None else {})

    response = await keys_client.get(MISSING, headers=headers)

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.content == b'{"error":"Session not found.","code":"not_found"}'


async def test_a_client_that_asks_gets_problem_details(
    keys_client: httpx.AsyncClient, accounts: Accounts, our_schemas: ContractSchemas
) -> None:
    caller = await accounts.caller()

    response = await keys_client.get(MISSING, headers=caller.key_headers() | {"Accept": PROBLEM})

    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert our_schemas.errors("ProblemDetails", problem) == []
    assert problem == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "Session not found.",
        "instance": MISSING,
        "code": "not_found",
        "request_id": response.headers["x-request-id"],
    }


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("get", MISSING, 401, "unauthorized"),  # no credentials
        ("get", "/v1/sessions/nope", 401, "unauthorized"),
        ("get", "/v1/nowhere", 404, "not_found"),
        ("delete", "/v1/sessions/chat", 405, "method_not_allowed"),
    ],
)
async def test_framework_refusals_are_problem_details_too(
    keys_client: httpx.AsyncClient, our_schemas: ContractSchemas, method: str, path: str, status: int, code: str
) -> None:
    response = await keys_client.request(method.upper(), path, headers={"Accept": PROBLEM})

    assert (response.status_code, response.headers["content-type"]) == (status, PROBLEM)
    problem = response.json()
    assert our_schemas.errors("ProblemDetails", problem) == []
    assert (problem["status"], problem["code"], problem["instance"]) == (status, code, path)


async def test_an_invalid_body_is_a_problem_naming_the_field(
    keys_client: httpx.AsyncClient, accounts: Accounts, our_schemas: ContractSchemas
) -> None:
    caller = await accounts.caller()

    response = await keys_client.post(
        "/v1/sessions/chat", json={"locale": 7}, headers=caller.key_headers() | {"Accept": PROBLEM}
    )

    assert (response.status_code, response.headers["content-type"]) == (400, PROBLEM)
    problem = response.json()
    assert our_schemas.errors("ProblemDetails", problem) == []
    assert problem["code"] == "invalid_request" and "locale" in problem["detail"]
    assert problem["allowed_actions"][0]["operation_id"] == "get_or_create_chat_session"
