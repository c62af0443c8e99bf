"""CORS for the web UI's origins, with credentials (web/cors.py): preflights answered without credentials,
CORS headers on every answer the UI reads (errors included), nothing for other origins."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from global_chat.settings import Settings
from tests.fixtures.accounts import JWT_SECRET
from tests.fixtures.app import UI_BASE_URL, client_of, in_process
from tests.fixtures.contract import ContractSchemas
from tests.support.lock import assert_installed_as_locked

pytestmark = pytest.mark.anyio
CHAT = "/v1/sessions/chat"
PREFLIGHT = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,x-org-id"}


async def test_a_preflight_from_the_ui_is_approved_with_credentials(keys_client: httpx.AsyncClient) -> None:
    response = await keys_client.options(CHAT, headers={"Origin": UI_BASE_URL, **PREFLIGHT})

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == UI_BASE_URL
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "X-Org-Id" in response.headers["access-control-allow-headers"]


@pytest.mark.parametrize(
    ("origin", "extra"),
    [
        pytest.param("https://evil.example", {}, id="another origin"),
        pytest.param(UI_BASE_URL, {"Access-Control-Request-Headers": "x-something-else"}, id="a header not allowed"),
    ],
)
async def test_a_preflight_not_approved_is_answered_as_any_options_request(
    keys_client: httpx.AsyncClient, our_schemas: ContractSchemas, origin: str, extra: dict[str, str]
) -> None:
    response = await keys_client.options(CHAT, headers={"Origin": origin, **PREFLIGHT, **extra})

    assert response.status_code == 405
    assert response.headers["content-type"] == "application/json"
    assert our_schemas.errors("ErrorResponse", response.json()) == []
    assert "access-control-allow-methods" not in response.headers
    if origin != UI_BASE_URL:
        assert "access-control-allow-origin" not in response.headers


async def test_answers_to_the_ui_errors_included_carry_the_cors_headers(keys_client: httpx.AsyncClient) -> None:
    refused = await keys_client.post(CHAT, headers={"Origin": UI_BASE_URL})

    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == UI_BASE_URL
    assert refused.headers["access-control-allow-credentials"] == "true"
    exposed = refused.headers["access-control-expose-headers"]
    assert "X-Request-Id" in exposed and "Retry-After" in exposed


async def test_other_origins_get_no_cors_headers(keys_client: httpx.AsyncClient) -> None:
    response = await keys_client.post(CHAT, headers={"Origin": "https://evil.example"})

    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize(
    "origin",
    [pytest.param(None, id="no Origin (passes the CORS layer untouched)"), "https://evil.example", UI_BASE_URL],
)
async def test_every_answer_varies_on_origin_once(keys_client: httpx.AsyncClient, origin: str | None) -> None:
    """Whether or not the CORS layer looked at the request, a cache keys the answer by Origin (named once)."""
    response = await keys_client.post(CHAT, headers={"Origin": origin} if origin else {})

    vary = [name.strip().lower() for name in response.headers["vary"].split(",")]
    assert vary.count("origin") == 1
    assert len(response.headers.get_list("vary")) == 1
    if origin is None:
        assert not [name for name in response.headers if name.startswith("access-control-")]


@pytest.fixture
async def two_ui_client(make_settings: Callable[..., Settings]) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(
        auth_mode="keys", jwt_secret=JWT_SECRET, ui_origins="https://app.example.test, http://localhost:3000"
    )
    async with in_process(settings) as app, client_of(app) as client:
        yield client


async def test_ui_origins_lists_every_origin_of_the_ui(two_ui_client: httpx.AsyncClient) -> None:
    for origin in ("https://app.example.test", "http://localhost:3000"):
        response = await two_ui_client.options(CHAT, headers={"Origin": origin, **PREFLIGHT})
        assert response.headers["access-control-allow-origin"] == origin


def test_starlette_is_the_version_these_behaviours_were_checked_on() -> None:
    """web/cors.py calls CORSMiddleware's preflight_response and simple_response (public, undocumented): the
    preflight tests above pin what they do."""
    assert_installed_as_locked("starlette")
