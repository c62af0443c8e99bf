"""/mcp of a real `global-chat serve` over TCP, as MCP clients use it: the official Python SDK's client, the MCP
inspector's CLI (Node) and the MCP conformance suite (Node), both pinned in package-lock.json and run from
node_modules (nothing fetched at run time)."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from global_chat_generated.mcp_tools import TOOLS
from tests.fixtures.mcp import error_of, mcp_session, success_of
from tests.fixtures.server import global_chat, serving_chat

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
INSPECTOR = NODE_MODULES / "@modelcontextprotocol" / "inspector" / "clients" / "launcher" / "build" / "index.js"
CONFORMANCE = NODE_MODULES / "@modelcontextprotocol" / "conformance" / "dist" / "index.js"
EXPECTED_FAILURES = Path(__file__).resolve().parent / "conformance-expected-failures.yaml"
TOOL_NAMES = {tool.name for tool in TOOLS}


class Served:
    def __init__(self, base_url: str, env: dict[str, str], key: str | None) -> None:
        self.url = f"{base_url}/mcp"
        self.env = env
        self.headers = {"Authorization": key} if key else {}


def serve(folder: Path, **settings: str) -> Iterator[Served]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'mcp.db'}", "API_KEY_CACHE_SECONDS": "0", **settings}
    global_chat(env, "migrate")
    key = None
    if settings.get("AUTH_MODE") == "keys":
        org = global_chat(env, "create-org", "MCP tests")
        key = global_chat(env, "create-api-key", "--org", org, "--user", str(uuid.uuid4()))
    with serving_chat(env) as url:
        yield Served(url.removesuffix("/v1/sessions/chat"), env, key)


@pytest.fixture(scope="module")
def keys_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from serve(tmp_path_factory.mktemp("mcp-keys"), AUTH_MODE="keys", JWT_SECRET="m" * 40)


@pytest.fixture(scope="module")
def open_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """AUTH_MODE=none on loopback: the conformance suite's client sends no credentials."""
    yield from serve(tmp_path_factory.mktemp("mcp-open"), AUTH_MODE="none")


def node(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """A Node program from node_modules, with the Node the Makefile provides (scripts/ensure_node.sh)."""
    return subprocess.run(["node", *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env)


@pytest.mark.anyio
async def test_the_sdk_client_runs_every_tool_over_http(keys_server: Served) -> None:
    async with mcp_session(keys_server.url, keys_server.headers) as session:
        listed = {tool.name for tool in (await session.list_tools()).tools}
        assert listed == TOOL_NAMES
        created = success_of(await session.call_tool("get_or_create_chat_session", {"body": {"locale": "uk-UA"}}))
        session_id = created["id"]
        assert success_of(await session.call_tool("get_session", {"session_id": session_id}))["locale"] == "uk-UA"
        updated = await session.call_tool("update_session", {"session_id": session_id, "body": {"title": "T"}})
        assert success_of(updated)["title"] == "T"
        for name in ("pin_session", "unpin_session", "delete_session"):
            assert not (await session.call_tool(name, {"session_id": session_id})).isError
        assert error_of(await session.call_tool("get_session", {"session_id": session_id}))["code"] == "not_found"


def test_without_credentials_the_endpoint_answers_401_with_the_challenge(keys_server: Served) -> None:
    response = httpx.post(
        keys_server.url,
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
        headers={"Accept": "application/json, text/event-stream"},
        timeout=30,
    )
    assert response.status_code == 401
    assert "ApiKey" in response.headers["WWW-Authenticate"]
    assert response.json()["code"] == "unauthorized"


TOOL_IS_ERROR_EXIT = 5
"""The inspector CLI's exit status for a tool result with isError (the result still on stdout)."""


def inspector(served: Served, catalog: Path, *args: str, status: int = 0) -> Any:
    """The inspector's CLI mode: one method, its answer as JSON on stdout."""
    headers = [part for name, value in served.headers.items() for part in ("--header", f"{name}: {value}")]
    # its catalog of servers in the test's folder, not the user's ~/.mcp-inspector
    env = {**os.environ, "MCP_CATALOG_PATH": str(catalog)}
    result = node(str(INSPECTOR), "--cli", served.url, "--transport", "http", *headers, *args, env=env)
    assert result.returncode == status, result.stdout + result.stderr
    return json.loads(result.stdout)


def test_the_inspector_cli_lists_and_calls_the_tools(keys_server: Served, tmp_path: Path) -> None:
    catalog = tmp_path / "mcp.json"
    listed = inspector(keys_server, catalog, "--method", "tools/list")
    assert {tool["name"] for tool in listed["tools"]} == TOOL_NAMES
    called = inspector(
        keys_server,
        catalog,
        "--method",
        "tools/call",
        "--tool-name",
        "get_or_create_chat_session",
        "--tool-arg",
        "body={}",
    )
    assert called.get("isError") in (None, False), called
    assert called["structuredContent"]["id"].startswith("session_")
    refused = inspector(
        keys_server,
        catalog,
        "--method",
        "tools/call",
        "--tool-name",
        "get_session",
        "--tool-arg",
        "session_id=nope",
        status=TOOL_IS_ERROR_EXIT,
    )
    assert refused["isError"] is True
    assert json.loads(refused["content"][0]["text"])["code"] == "invalid_request"


def test_the_conformance_suite_fails_only_where_expected(open_server: Served, tmp_path: Path) -> None:
    result = node(
        str(CONFORMANCE),
        "server",
        "--url",
        open_server.url,
        "--expected-failures",
        str(EXPECTED_FAILURES),
        "--output-dir",
        str(tmp_path),
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "Baseline check passed" in result.stdout
