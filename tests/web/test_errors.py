"""Every framework error answers the contract's ErrorResponse as application/json, never problem+json or a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.fixtures.contract import ContractSchemas

pytestmark = pytest.mark.anyio
CHAT = "/v1/sessions/chat"
JSON = {"content-type": "application/json"}


async def chunks(data: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "code"),
    [
        pytest.param("POST", CHAT, {"content": b"{", "headers": JSON}, 400, "invalid_request", id="malformed json"),
        pytest.param(
            "POST", CHAT, {"content": b'{"locale": "\xff"}', "headers": JSON}, 400, "invalid_request", id="not utf-8"
        ),
        pytest.param("POST", CHAT, {"json": {"locale": 5}}, 400, "invalid_request", id="schema violation"),
        pytest.param("POST", CHAT, {"json": ["uk-UA"]}, 400, "invalid_request", id="array body"),
        pytest.param("POST", CHAT, {"json": {"locale": "x" * 129}}, 400, "invalid_request", id="locale too long"),
        pytest.param(
            "POST",
            CHAT,
            {"content": b"locale=uk", "headers": {"content-type": "text/plain"}},
            415,
            "unsupported_media_type",
            id="media",
        ),
        pytest.param(
            "POST", CHAT, {"content": b"x" * 70_000, "headers": JSON}, 413, "payload_too_large", id="declared too large"
        ),
        pytest.param("PUT", CHAT, {}, 405, "method_not_allowed", id="wrong method"),
        pytest.param("POST", "/v1/nowhere", {}, 404, "not_found", id="unknown route"),
        pytest.param("GET", "/v1/sessions/session_" + "0" * 32, {}, 404, "not_found", id="no such session"),
        pytest.param("GET", "/v1/sessions/nope", {}, 400, "invalid_request", id="malformed session id"),
    ],
)
async def test_framework_errors_use_the_contract_error_body(
    client: httpx.AsyncClient,
    our_schemas: ContractSchemas,
    method: str,
    path: str,
    kwargs: dict[str, Any],
    status: int,
    code: str,
) -> None:
    response = await client.request(method, path, **kwargs)

    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert our_schemas.errors("ErrorResponse", response.json()) == []
    assert response.json()["code"] == code
    assert response.headers["x-request-id"]


async def test_streamed_body_over_the_limit_is_a_413(client: httpx.AsyncClient, our_schemas: ContractSchemas) -> None:
    # No Content-Length: the limit is enforced on the bytes actually received.
    response = await client.post(CHAT, content=chunks(b" " * 70_000, 4096), headers=JSON)

    assert response.status_code == 413
    assert our_schemas.errors("ErrorResponse", response.json()) == []


async def test_wrong_method_names_the_allowed_one(client: httpx.AsyncClient) -> None:
    response = await client.put(CHAT)

    assert response.headers["allow"] == "POST"


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("GET", CHAT, "POST"),
        ("PATCH", CHAT, "POST"),  # a concrete path is not the /v1/sessions/{session_id} template
        ("DELETE", CHAT, "POST"),
        ("OPTIONS", "/v1/sessions/session_" + "0" * 32, "DELETE, GET, PATCH"),
        ("POST", "/v1/sessions/session_" + "0" * 32 + "/pin", "DELETE, PUT"),
    ],
)
async def test_undeclared_methods_are_405_with_the_exact_allow_header(
    client: httpx.AsyncClient, our_schemas: ContractSchemas, method: str, path: str, allow: str
) -> None:
    response = await client.request(method, path)

    assert response.status_code == 405
    assert response.headers["allow"] == allow
    assert our_schemas.errors("ErrorResponse", response.json()) == []


async def test_request_id_is_taken_from_the_caller(client: httpx.AsyncClient) -> None:
    response = await client.post(CHAT, headers={"X-Request-Id": "trace-42"})

    assert response.headers["x-request-id"] == "trace-42"


async def test_docs_are_served(client: httpx.AsyncClient) -> None:
    ui = await client.get("/v1/ui/")
    spec = await client.get("/v1/openapi.json")

    assert ui.status_code == 200
    assert "swagger" in ui.text.lower()
    assert spec.json()["paths"]["/v1/sessions/chat"]["post"]["operationId"] == "get_or_create_chat_session"


async def test_a_declared_charset_is_honoured(client: httpx.AsyncClient) -> None:
    created = (await client.post(CHAT)).json()

    response = await client.patch(
        f"/v1/sessions/{created['id']}",
        content='{"title": "Café"}'.encode("latin-1"),
        headers={"content-type": "application/json; charset=latin-1"},
    )

    assert response.status_code == 200, response.text
    assert response.json()["title"] == "Café"


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
async def test_a_path_connexion_does_not_route_never_reaches_an_operation(
    client: httpx.AsyncClient, our_schemas: ContractSchemas, method: str
) -> None:
    # Connexion's router does not match a parameter holding a newline; Starlette's would. Only the
    # operation Connexion matched (credentials checked, request validated) may run: this is a 404.
    response = await client.request(method, "/v1/sessions/session%0Aabc", json={} if method == "PATCH" else None)

    assert response.status_code == 404, response.text
    assert our_schemas.errors("ErrorResponse", response.json()) == []
