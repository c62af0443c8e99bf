"""No answer is built from the Host header: a path that differs from the contract's by a trailing slash is
unknown (the contract's 404), not a redirect to wherever Host points (cache poisoning behind a proxy)."""

from __future__ import annotations

import httpx
import pytest

from tests.fixtures.contract import ContractSchemas

pytestmark = pytest.mark.anyio
EVIL = {"host": "evil.example"}
SESSION = "/v1/sessions/session_" + "0" * 32


@pytest.fixture
def backend() -> str:
    """Routing, not storage: one store is enough."""
    return "sqlite"


TRAILING_SLASHES = [
    ("POST", "/v1/sessions/chat/"),
    ("GET", SESSION + "/"),
    ("PATCH", SESSION + "/"),
    ("DELETE", SESSION + "/"),
    ("PUT", SESSION + "/pin/"),
    ("GET", "/v1/openapi.json/"),
    ("GET", "/healthz/"),
    ("GET", "/readyz/"),
    ("GET", "/metrics/"),
]


async def test_a_trailing_slash_is_a_404_in_the_contracts_shape_not_a_redirect(
    client: httpx.AsyncClient, our_schemas: ContractSchemas
) -> None:
    for method, path in TRAILING_SLASHES:
        response = await client.request(method, path, headers=EVIL)

        assert (method, path, response.status_code) == (method, path, 404), response.headers
        assert "location" not in response.headers
        assert our_schemas.errors("ErrorResponse", response.json()) == []


async def test_the_docs_redirect_is_relative(client: httpx.AsyncClient) -> None:
    """Swagger UI's own redirect (its path has a trailing slash) names no host at all."""
    response = await client.get("/v1/ui", headers=EVIL)

    assert response.status_code == 307
    assert response.headers["location"] == "/v1/ui/"
