"""The request every benchmark client sends, in a module with no imports (the runner loads it without the app)."""

CHAT_PATH = "/v1/sessions/chat"
BODY = b'{"locale":"uk-UA"}'
"""The body of every benchmark request: the browser's locale, as the Everruns UI sends it."""
