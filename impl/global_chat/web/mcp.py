"""/mcp: the contract's operations as MCP tools (docs/mcp.md), on the official `mcp` SDK.

The tool table is generated from the contract (global_chat_generated/mcp_tools.py). The endpoint is a
route of the same router as the contract's operations, so an MCP exchange passes the same outer layers as
a REST request (CORS, request id, metrics and access log, errors, body limit); it then asks for the same
credentials (web/security.py's one decision: a refusal is the REST 401/403, with its WWW-Authenticate)
before the SDK's Streamable HTTP transport (stateless, JSON responses, DNS-rebinding protection) reads it.

A tool call is the operation itself, in process: an ASGI request (httpx's ASGITransport, no socket) through
the whole app, with the caller's credential headers and cookies, its X-Org-Id and this exchange's request
id. Routing, credentials, the organization rule, request validation, rate limits, handlers and the
ErrorResponse of every failure are therefore the REST ones, not copies. Its answer becomes the tool result:
a 2xx body as structured content (and as text), a 2xx without a body as its description, anything else
as `isError: true` with the ErrorResponse JSON as text.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from mcp import types
from mcp.server.lowlevel import Server
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

import global_chat
from global_chat.errors import DomainError, InternalError, InvalidRequest, render
from global_chat.logs import get_logger
from global_chat.origins import origin_of
from global_chat.settings import Settings
from global_chat.web.request_id import HEADER as REQUEST_ID_HEADER
from global_chat.web.request_id import current_request_id
from global_chat.web.security import ORGANIZATION_HEADER, CredentialCheck
from global_chat_generated.mcp_tools import BODY_ARGUMENT, TOOLS, McpTool

log = get_logger("global_chat.mcp")

MCP_PATH = "/mcp"
SERVER_NAME = "global-chat"
FORWARDED_HEADERS = ("authorization", "cookie", ORGANIZATION_HEADER.lower(), "origin", "referer", "user-agent")
"""What a tool call carries over from the MCP request: the credential, the organization, the cross-site
evidence of a cookie login (web/cross_site.py) and the client's name."""
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
SCALARS = (str, int, float, bool)
QUIET_LOGGERS = ("httpx", "mcp.server.lowlevel.server", "mcp.server.streamable_http")
"""Their INFO lines would repeat the access log for every exchange and tool call ("Processing request of type
CallToolRequest", "HTTP Request: POST ...", "Terminating session: None"): warnings and errors only."""


def transport_security(settings: Settings) -> TransportSecuritySettings:
    """DNS-rebinding protection: the Host must be API_BASE_URL's (any port) or a loopback one; an Origin, when
    sent, must be API_BASE_URL's, one of the web UI's (UI_ORIGINS) or a loopback one."""
    api = urlsplit(settings.api_base_url)
    hosts = {api.netloc, f"{api.hostname}:*"}
    for host in LOOPBACK_HOSTS:
        hosts |= {host, f"{host}:*"}
    origins = {str(origin_of(settings.api_base_url)), *settings.allowed_ui_origins}
    for host in LOOPBACK_HOSTS:
        origins |= {f"http://{host}", f"http://{host}:*"}
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True, allowed_hosts=sorted(hosts), allowed_origins=sorted(origins)
    )


def mcp_tool(tool: McpTool) -> types.Tool:
    return types.Tool(
        name=tool.name,
        title=tool.title,
        description=tool.description,
        inputSchema=tool.input_schema,
        outputSchema=tool.output_schema,
        annotations=types.ToolAnnotations(**tool.annotations),
    )


def error_result(error: DomainError) -> types.CallToolResult:
    """A refusal decided here (an argument that is not the tool's), as the REST ErrorResponse would say it."""
    _status, body, _headers = render(error, request_id=current_request_id())
    return types.CallToolResult(content=[types.TextContent(type="text", text=body.decode())], isError=True)


def http_request(tool: McpTool, arguments: Mapping[str, Any]) -> tuple[str, dict[str, str], dict[str, str], bytes]:
    """(path, query, headers, body) of the operation for `arguments`; InvalidRequest for an argument the tool
    does not have, a missing required one, or a parameter that is not a scalar. The values themselves are
    judged by the operation, as over REST."""
    known = {p.name for p in tool.parameters} | ({BODY_ARGUMENT} if tool.body else set())
    unknown = sorted(set(arguments) - known)
    if unknown:
        raise InvalidRequest(f"{tool.name} has no argument {', '.join(unknown)}")
    path, query, headers = tool.path, {}, {}
    for parameter in tool.parameters:
        value = arguments.get(parameter.name)
        if value is None:
            if parameter.required:
                raise InvalidRequest(f"{tool.name}: the argument {parameter.name} is required")
            continue
        if not isinstance(value, SCALARS):
            raise InvalidRequest(f"{tool.name}: the argument {parameter.name} must be a string or a number")
        text = json.dumps(value) if isinstance(value, bool) else str(value)
        if parameter.location == "path":
            path = path.replace("{" + parameter.name + "}", quote(text, safe=""))
        elif parameter.location == "query":
            query[parameter.name] = text
        else:
            headers[parameter.name] = text
    body = b""
    if BODY_ARGUMENT in arguments:
        try:
            body = json.dumps(arguments[BODY_ARGUMENT], ensure_ascii=False, allow_nan=False).encode()
        except ValueError:  # NaN or an infinity: not JSON (RFC 8259), refused like such a REST body
            raise InvalidRequest(f"{tool.name}: the argument {BODY_ARGUMENT} is not JSON") from None
        headers["content-type"] = "application/json"
    elif tool.body == "required":
        raise InvalidRequest(f"{tool.name}: the argument {BODY_ARGUMENT} is required")
    return path, query, headers, body


def tool_result(tool: McpTool, response: httpx.Response) -> types.CallToolResult:
    text = response.text
    if not 200 <= response.status_code < 300:
        return types.CallToolResult(content=[types.TextContent(type="text", text=text)], isError=True)
    if not response.content:
        description = tool.no_content.get(response.status_code) or f"HTTP {response.status_code}"
        return types.CallToolResult(content=[types.TextContent(type="text", text=description)])
    content: list[types.ContentBlock] = [types.TextContent(type="text", text=text)]
    if tool.output_schema is None:  # a body MCP cannot carry as structured content (an array, a scalar)
        return types.CallToolResult(content=content)
    return types.CallToolResult(content=content, structuredContent=response.json())


class McpEndpoint:
    """The /mcp endpoint of one app: the SDK's server, its session manager (run by the app's lifespan, see
    `running`) and the in-process client that dispatches each tool call to the app."""

    def __init__(self, settings: Settings, check_credentials: CredentialCheck, tools: tuple[McpTool, ...] = TOOLS):
        for name in QUIET_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)
        self.settings = settings
        self.check_credentials = check_credentials
        self.tools = {tool.name: tool for tool in tools}
        self.listed = [mcp_tool(tool) for tool in tools]
        self.server: Server[Any, Request] = Server(SERVER_NAME, version=global_chat.__version__)
        self.server.list_tools()(self.list_tools)  # type: ignore[no-untyped-call]
        self.server.call_tool(validate_input=False)(self.call_tool)
        self.manager: StreamableHTTPSessionManager | None = None
        self.dispatch: httpx.AsyncClient | None = None

    def route(self) -> Route:
        # POST only: stateless and answering in JSON, /mcp has no stream to open with GET and no session to end
        # with DELETE: both are 405s with Allow: POST, as the specification allows
        return Route(MCP_PATH, self, methods=["POST"], name="mcp")

    @asynccontextmanager
    async def running(self, app: ASGIApp) -> AsyncIterator[None]:
        """Serve /mcp for as long as the block runs (the app's lifespan), tool calls going to `app`."""
        # a manager runs once: a new one each time the app starts
        manager = StreamableHTTPSessionManager(
            self.server, json_response=True, stateless=True, security_settings=transport_security(self.settings)
        )
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        # no timeout of httpx's own (5 s by default): the operation's bounds are the app's (statement timeout)
        async with httpx.AsyncClient(transport=transport, timeout=None) as dispatch, manager.run():  # noqa: S113
            self.manager, self.dispatch = manager, dispatch
            try:
                yield
            finally:
                self.manager = self.dispatch = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        # the REST decision, before the SDK reads anything: a refusal is the same 401/403 ErrorResponse
        await self.check_credentials(scope["method"], request.headers, request.cookies)
        if self.manager is None:
            raise RuntimeError("/mcp is served only while the app runs (its lifespan)")
        await self.manager.handle_request(scope, receive, send)

    async def list_tools(self) -> list[types.Tool]:
        return self.listed

    async def call_tool(self, name: str, arguments: dict[str, Any]) -> types.CallToolResult:
        tool = self.tools.get(name)
        if tool is None:
            return error_result(InvalidRequest(f"No tool {name!r}; tools/list names them"))
        try:
            path, query, headers, body = http_request(tool, arguments)
        except InvalidRequest as refused:
            return error_result(refused)
        outer: Request = self.server.request_context.request  # type: ignore[assignment]
        for header in FORWARDED_HEADERS:
            value = outer.headers.get(header)
            if value is not None:
                headers.setdefault(header, value)
        request_id = current_request_id()
        if request_id:
            headers[REQUEST_ID_HEADER] = request_id
        assert self.dispatch is not None  # set while the manager runs, which is when a call can arrive
        url = f"{outer.url.scheme}://{outer.headers.get('host', 'localhost')}{path}"
        try:
            response = await self.dispatch.request(tool.method, url, params=query, headers=headers, content=body)
        except Exception:  # the app renders its own failures; this is one of the dispatch itself
            log.exception("MCP tool call failed", tool=name)
            return error_result(InternalError())
        return tool_result(tool, response)
