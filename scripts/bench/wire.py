"""The request every benchmark client sends, in a module with no imports (the runner loads it without the app)."""

CHAT_PATH = "/v1/sessions/chat"
BODY = b'{"locale":"uk-UA"}'
"""The body of every benchmark request: the browser's locale, as the Everruns UI sends it."""

MCP_PATH = "/mcp"
MCP_BODY = (
    b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_or_create_chat_session",'
    b'"arguments":{"body":{"locale":"uk-UA"}}}}'
)
"""The same call as an MCP tool call (`make bench`'s mcp scenario): one stateless JSON-RPC request, no session."""
MCP_ACCEPT = "application/json, text/event-stream"
