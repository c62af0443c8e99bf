"""/mcp in process, through the official SDK's client over Streamable HTTP: the tools of the contract with the
same credentials, organization rule, validation, rate limits and ErrorResponse as REST (docs/mcp.md)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import jsonschema
import pytest
from connexion import ConnexionMiddleware
from mcp import ClientSession

from global_chat.app import create_app
from global_chat.sessions.service import GlobalChatService
from global_chat.settings import Settings
from global_chat_generated.mcp_tools import TOOLS
from tests.fixtures.accounts import JWT_SECRET, Accounts, Caller
from tests.fixtures.app import API_BASE_URL, UI_BASE_URL
from tests.fixtures.clock import FakeClock
from tests.fixtures.mcp import MCP_URL, error_of, mcp_session, running, success_of

pytestmark = pytest.mark.anyio

TOOL_NAMES = {tool.name for tool in TOOLS}
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "0"}},
}
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
MISSING = "session_" + "0" * 32


@pytest.fixture
async def served(keys_app: ConnexionMiddleware) -> AsyncIterator[ConnexionMiddleware]:
    async with running(keys_app):
        yield keys_app


@pytest.fixture
async def caller(accounts: Accounts) -> Caller:
    return await accounts.caller()


@pytest.fixture
async def tools(served: ConnexionMiddleware, caller: Caller) -> AsyncIterator[ClientSession]:
    async with mcp_session(MCP_URL, caller.key_headers(), served) as session:
        yield session


def operation_ids(body: dict[str, Any]) -> set[str]:
    return {action["operation_id"] for action in body.get("allowed_actions", []) if "operation_id" in action}


async def test_tools_list_is_the_generated_table_with_valid_json_schemas(tools: ClientSession) -> None:
    listed = {tool.name: tool for tool in (await tools.list_tools()).tools}
    assert set(listed) == TOOL_NAMES
    for tool in TOOLS:
        served = listed[tool.name]
        assert served.inputSchema == tool.input_schema
        assert served.outputSchema == tool.output_schema
        for schema in (served.inputSchema, served.outputSchema):
            if schema is not None:
                jsonschema.Draft202012Validator.check_schema(schema)
                text = json.dumps(schema)
                assert '"nullable"' not in text and '"$ref"' not in text
    hints = listed["get_or_create_chat_session"].annotations
    assert hints is not None and (hints.idempotentHint, hints.readOnlyHint, hints.destructiveHint) == (
        True,
        False,
        False,
    )
    deleting = listed["delete_session"].annotations
    assert deleting is not None and deleting.destructiveHint is True
    reading = listed["get_session"].annotations
    assert reading is not None and reading.readOnlyHint is True


async def test_each_tool_runs_the_operation_for_the_caller(tools: ClientSession, caller: Caller) -> None:
    created = success_of(await tools.call_tool("get_or_create_chat_session", {"body": {"locale": "uk-ua"}}))
    assert (created["locale"], created["organization_id"]) == ("uk-UA", caller.org)
    # every follow-up the service offers names a tool an agent can call
    assert operation_ids(created) and operation_ids(created) <= TOOL_NAMES
    output_schema = next(t.output_schema for t in TOOLS if t.name == "get_or_create_chat_session")
    assert output_schema is not None
    jsonschema.validate(created, output_schema)
    again = success_of(await tools.call_tool("get_or_create_chat_session", {}))
    assert again["id"] == created["id"]
    session_id = created["id"]

    assert success_of(await tools.call_tool("get_session", {"session_id": session_id}))["id"] == session_id
    updated = success_of(await tools.call_tool("update_session", {"session_id": session_id, "body": {"title": "Plan"}}))
    assert updated["title"] == "Plan"
    pinned = await tools.call_tool("pin_session", {"session_id": session_id})
    assert not pinned.isError and pinned.structuredContent is None
    assert pinned.content[0].text == "Session pinned"  # type: ignore[union-attr]  # the contract's description
    assert success_of(await tools.call_tool("get_session", {"session_id": session_id}))["is_pinned"] is True
    assert not (await tools.call_tool("unpin_session", {"session_id": session_id})).isError
    assert not (await tools.call_tool("delete_session", {"session_id": session_id})).isError
    gone = error_of(await tools.call_tool("get_session", {"session_id": session_id}))
    assert gone["code"] == "not_found"


async def test_a_request_without_credentials_is_the_rest_401(served: ConnexionMiddleware) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=served), base_url=API_BASE_URL) as client:
        response = await client.post("/mcp", json=INITIALIZE, headers=MCP_HEADERS)
        rest = await client.post("/v1/sessions/chat")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == rest.headers["WWW-Authenticate"]
    assert response.json()["code"] == rest.json()["code"] == "unauthorized"


async def test_another_organization_named_is_the_rest_403(
    served: ConnexionMiddleware, caller: Caller, accounts: Accounts
) -> None:
    other = await accounts.caller()
    headers = {**MCP_HEADERS, **caller.key_headers(), "X-Org-Id": other.org}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=served), base_url=API_BASE_URL) as client:
        response = await client.post("/mcp", json=INITIALIZE, headers=headers)
    assert response.status_code == 403
    assert response.json()["code"] == "organization_mismatch"


async def test_two_organizations_cannot_see_each_others_sessions(
    served: ConnexionMiddleware, caller: Caller, accounts: Accounts
) -> None:
    other = await accounts.caller()
    async with mcp_session(MCP_URL, caller.bearer_headers(), served) as mine:
        session_id = success_of(await mine.call_tool("get_or_create_chat_session", {}))["id"]
    async with mcp_session(MCP_URL, other.key_headers(), served) as theirs:
        for name in ("get_session", "pin_session", "delete_session"):
            assert error_of(await theirs.call_tool(name, {"session_id": session_id}))["code"] == "not_found"
        own = success_of(await theirs.call_tool("get_or_create_chat_session", {}))
    assert own["id"] != session_id and own["organization_id"] == other.org


async def test_the_web_uis_cookie_login_works_from_its_origin(served: ConnexionMiddleware, caller: Caller) -> None:
    headers = {"Cookie": f"access_token={caller.token}", "Origin": UI_BASE_URL}
    async with mcp_session(MCP_URL, headers, served) as session:
        created = success_of(await session.call_tool("get_or_create_chat_session", {}))
    assert created["organization_id"] == caller.org
    evil = {**MCP_HEADERS, **headers, "Origin": "https://evil.example"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=served), base_url=API_BASE_URL) as client:
        refused = await client.post("/mcp", json=INITIALIZE, headers=evil)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"


@pytest.mark.parametrize(
    ("headers", "status"),
    [({"Host": "evil.example"}, 421), ({"Origin": "https://evil.example"}, 403)],
    ids=["host", "origin"],
)
async def test_dns_rebinding_is_refused(
    served: ConnexionMiddleware, caller: Caller, headers: dict[str, str], status: int
) -> None:
    sent = {**MCP_HEADERS, **caller.key_headers(), **headers}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=served), base_url=API_BASE_URL) as client:
        response = await client.post("/mcp", json=INITIALIZE, headers=sent)
    assert response.status_code == status


@pytest.mark.parametrize(
    ("name", "arguments", "code"),
    [
        ("get_session", {"session_id": "not-a-session"}, "invalid_request"),
        ("get_session", {"session_id": MISSING}, "not_found"),
        ("get_session", {}, "invalid_request"),
        ("get_session", {"session_id": MISSING, "extra": 1}, "invalid_request"),
        ("get_session", {"session_id": ["a"]}, "invalid_request"),
        ("get_or_create_chat_session", {"body": {"locale": "xx-!!"}}, "invalid_request"),
        ("get_or_create_chat_session", {"body": {"locale": 5}}, "invalid_request"),
        ("get_or_create_chat_session", {"body": "text"}, "invalid_request"),
        ("update_session", {"session_id": MISSING}, "invalid_request"),
        ("no_such_tool", {}, "invalid_request"),
    ],
)
async def test_refusals_are_tool_errors_carrying_the_error_response(
    tools: ClientSession, name: str, arguments: dict[str, Any], code: str
) -> None:
    result = await tools.call_tool(name, arguments)
    body = error_of(result)
    assert body["code"] == code, body
    assert operation_ids(body) <= TOOL_NAMES
    assert "Traceback" not in result.content[0].text  # type: ignore[union-attr]


async def test_the_rate_limit_is_a_tool_error_with_retry_after(
    make_settings: Callable[..., Settings], keys_settings: Settings, accounts: Accounts, clock: FakeClock
) -> None:
    settings = make_settings(auth_mode="keys", jwt_secret=JWT_SECRET, chat_create_rate_limit_per_user=1)
    caller = await accounts.caller()
    app = create_app(settings, clock=clock)
    async with running(app), mcp_session(MCP_URL, caller.key_headers(), app) as session:
        first = success_of(await session.call_tool("get_or_create_chat_session", {}))
        assert not (await session.call_tool("delete_session", {"session_id": first["id"]})).isError
        limited = error_of(await session.call_tool("get_or_create_chat_session", {}))
    assert limited["code"] == "rate_limited" and limited["retry_after_seconds"] > 0
    assert operation_ids(limited) <= TOOL_NAMES and "get_or_create_chat_session" in operation_ids(limited)


async def test_an_unreachable_database_is_a_tool_error_503(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(database_url="postgresql://127.0.0.1:1/nothing")  # AUTH_MODE=none: no key to look up
    app = create_app(settings)
    async with running(app), mcp_session(MCP_URL, None, app) as session:
        unavailable = error_of(await session.call_tool("get_or_create_chat_session", {}))
    assert unavailable["code"] == "service_unavailable" and unavailable["retry_after_seconds"] > 0


async def test_a_bug_is_a_tool_error_500_with_the_request_id_and_no_details(
    tools: ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(GlobalChatService, "get_or_create", broken)
    result = await tools.call_tool("get_or_create_chat_session", {})
    body = error_of(result)
    assert body["code"] == "internal_error" and body["request_id"]
    text = result.content[0].text  # type: ignore[union-attr]
    assert "secret internals" not in text and "Traceback" not in text


async def test_concurrent_first_calls_through_mcp_and_rest_make_one_session(
    served: ConnexionMiddleware, caller: Caller
) -> None:
    transport = httpx.ASGITransport(app=served)
    async with (
        httpx.AsyncClient(transport=transport, base_url=API_BASE_URL, headers=caller.key_headers()) as rest,
        mcp_session(MCP_URL, caller.key_headers(), served) as first,
        mcp_session(MCP_URL, caller.key_headers(), served) as second,
    ):
        through_mcp, through_rest = await asyncio.gather(
            asyncio.gather(
                *(session.call_tool("get_or_create_chat_session", {}) for session in (first, second, first, second))
            ),
            asyncio.gather(*(rest.post("/v1/sessions/chat") for _ in range(4))),
        )
    ids = {success_of(answer)["id"] for answer in through_mcp} | {answer.json()["id"] for answer in through_rest}
    assert len(ids) == 1


async def test_an_exchange_is_counted_as_mcp_and_its_tool_call_as_the_operation(
    served: ConnexionMiddleware, tools: ClientSession
) -> None:
    success_of(await tools.call_tool("get_or_create_chat_session", {}))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=served), base_url=API_BASE_URL) as client:
        metrics = (await client.get("/metrics")).text
    assert 'global_chat_http_requests_total{operation="mcp",status="200"}' in metrics
    assert 'global_chat_http_requests_total{operation="get_or_create_chat_session",status="200"} 1.0' in metrics


async def test_get_and_delete_are_405_and_a_large_message_is_the_rest_413(
    make_settings: Callable[..., Settings], keys_settings: Settings, accounts: Accounts
) -> None:
    app = create_app(make_settings(auth_mode="keys", jwt_secret=JWT_SECRET, max_body_bytes=2048))
    caller = await accounts.caller()
    headers = {**MCP_HEADERS, **caller.key_headers()}
    async with (
        running(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=API_BASE_URL) as client,
    ):
        for method in ("GET", "DELETE"):  # no stream to open, no session to end: /mcp is stateless
            refused = await client.request(method, "/mcp", headers=headers)
            assert refused.status_code == 405 and refused.headers["Allow"] == "POST"
            assert refused.json()["code"] == "method_not_allowed"
        large = {**INITIALIZE, "params": {**INITIALIZE["params"], "padding": "x" * 4096}}  # type: ignore[dict-item]
        too_large = await client.post("/mcp", json=large, headers=headers)
    assert too_large.status_code == 413 and too_large.json()["code"] == "payload_too_large"
