"""The API catalog (RFC 9727) at /.well-known/api-catalog: a linkset (RFC 9264) naming the contract, the docs,
the readiness probe and /mcp, with URLs from API_BASE_URL; no credential needed, none read; public and
cacheable; HEAD gives the `Link` to it."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from global_chat.conditional import EntityTag
from global_chat.context import RequestContext
from global_chat.discovery.catalog import CATALOG_PATH, PROFILE, build_catalog
from global_chat.errors import Unauthorized
from global_chat.identity import ANONYMOUS
from global_chat.web.context import IDENTITY_SCOPE_KEY, PUBLIC, request_context
from global_chat_generated.mcp_tools import TOOLS
from tests.docs.test_examples import blocks
from tests.fixtures.accounts import Accounts
from tests.fixtures.app import API_BASE_URL, UI_BASE_URL
from tests.fixtures.contract import ContractSchemas

pytestmark = pytest.mark.anyio
CATALOG = "/.well-known/api-catalog"
MEDIA_TYPE = f'application/linkset+json; profile="{PROFILE}"'
LINK = f'<{API_BASE_URL}{CATALOG}>; rel="api-catalog"; type="application/linkset+json"'


@pytest.fixture
def backend() -> str:
    """The catalog is built from the settings, never from the store: one store is enough."""
    return "sqlite"


def contexts(catalog: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {context["anchor"]: context for context in catalog["linkset"]}


async def test_the_catalog_names_the_contract_the_docs_the_probe_and_mcp(
    keys_client: httpx.AsyncClient, our_schemas: ContractSchemas
) -> None:
    response = await keys_client.get(CATALOG)

    assert response.status_code == 200
    assert response.headers["content-type"] == MEDIA_TYPE
    body = response.json()
    assert our_schemas.errors("ApiCatalog", body) == []
    by_anchor = contexts(body)
    assert by_anchor[f"{API_BASE_URL}{CATALOG}"]["item"] == [
        {"href": f"{API_BASE_URL}/v1", "title": "Everruns Global Chat API (REST)"},
        {
            "href": f"{API_BASE_URL}/mcp",
            "title": "Everruns Global Chat API as MCP tools (Streamable HTTP; tools/list describes them)",
        },
    ]
    rest = by_anchor[f"{API_BASE_URL}/v1"]
    assert rest["service-desc"] == [
        {"href": f"{API_BASE_URL}/v1/openapi.json", "type": "application/json"},
        {"href": f"{API_BASE_URL}/v1/openapi.yaml", "type": "application/yaml"},
    ]
    assert rest["service-doc"] == [{"href": f"{API_BASE_URL}/v1/ui/", "type": "text/html"}]
    assert rest["status"] == [{"href": f"{API_BASE_URL}/readyz", "type": "application/json"}]
    # RFC 9264 4.2.1: "linkset" is the document's sole member
    assert list(body) == ["linkset"]


async def test_every_link_leads_where_it_says_with_the_type_it_says(keys_client: httpx.AsyncClient) -> None:
    """Followed on this very app (the base URL stripped): each GETtable target answers 200 with its `type`."""
    catalog = (await keys_client.get(CATALOG)).json()
    targets = [
        target
        for context in catalog["linkset"]
        for relation, links in context.items()
        if relation != "anchor"
        for target in links
    ]
    followed = 0
    for target in targets:
        assert target["href"].startswith(API_BASE_URL + "/")
        path = target["href"].removeprefix(API_BASE_URL)
        if "type" not in target:  # the APIs' entry points: /v1 is no resource, /mcp answers POST only
            continue
        response = await keys_client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].split(";")[0] == target["type"], path
        followed += 1
    assert followed == 4
    mcp = await keys_client.get("/mcp")
    assert mcp.status_code == 405 and mcp.headers["allow"] == "POST"


async def test_head_gives_the_link_to_the_catalog_and_no_body(keys_client: httpx.AsyncClient) -> None:
    got = await keys_client.get(CATALOG)
    response = await keys_client.head(CATALOG)

    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["link"] == LINK == got.headers["link"]
    assert response.headers["etag"] == got.headers["etag"]
    assert response.headers["cache-control"] == got.headers["cache-control"] == "public, max-age=3600"


async def test_no_credential_is_needed_even_with_api_keys(keys_client: httpx.AsyncClient) -> None:
    """AUTH_MODE=keys: every other operation is a 401 without a credential; the catalog is not."""
    assert (await keys_client.post("/v1/sessions/chat")).status_code == 401
    for method in ("GET", "HEAD"):
        response = await keys_client.request(method, CATALOG)
        assert response.status_code == 200, method
        assert "www-authenticate" not in response.headers


@pytest.mark.parametrize(
    "credentials",
    [
        pytest.param({"Authorization": "evr_not-a-key"}, id="a bad API key"),
        pytest.param({"Authorization": "Bearer not.a.jwt"}, id="a bad JWT"),
        pytest.param({"Cookie": "access_token=junk; everruns_org=org_nope"}, id="a bad cookie"),
        pytest.param({"X-Org-Id": "not-an-organization"}, id="a bad X-Org-Id"),
    ],
)
async def test_credentials_are_not_read_so_bad_ones_do_not_matter(
    keys_client: httpx.AsyncClient, credentials: dict[str, str]
) -> None:
    plain = await keys_client.get(CATALOG)
    response = await keys_client.get(CATALOG, headers=credentials)

    assert response.status_code == 200
    assert response.content == plain.content


async def test_a_valid_credential_changes_nothing(keys_client: httpx.AsyncClient, accounts: Accounts) -> None:
    caller = await accounts.caller()
    plain = await keys_client.get(CATALOG)
    response = await keys_client.get(CATALOG, headers=caller.key_headers())

    assert response.content == plain.content
    assert response.headers["etag"] == plain.headers["etag"]


async def test_if_none_match_gives_a_304_with_the_headers_and_no_body(keys_client: httpx.AsyncClient) -> None:
    first = await keys_client.get(CATALOG)
    etag = first.headers["etag"]

    for method in ("GET", "HEAD"):
        for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
            again = await keys_client.request(method, CATALOG, headers={"If-None-Match": header})
            assert again.status_code == 304, (method, header)
            assert again.content == b""
            assert again.headers["etag"] == etag
            assert again.headers["link"] == LINK
            assert again.headers["cache-control"] == "public, max-age=3600"
    for header in ('"stale"', "not-a-tag"):  # another tag, or a header that does not parse: the full answer
        stale = await keys_client.get(CATALOG, headers={"If-None-Match": header})
        assert stale.status_code == 200 and stale.content == first.content


async def test_a_shared_cache_may_keep_it_keyed_by_origin_only(keys_client: httpx.AsyncClient) -> None:
    response = await keys_client.get(CATALOG, headers={"Origin": UI_BASE_URL})

    assert response.headers["cache-control"] == "public, max-age=3600"
    assert response.headers["vary"] == "Origin"  # the CORS layer's Origin and the catalog's, named once
    assert response.headers["access-control-allow-origin"] == UI_BASE_URL
    assert "Link" in response.headers["access-control-expose-headers"]
    # an error of the same path is nobody's to keep, and says what it depends on
    error = await keys_client.get(CATALOG + "?x=1")
    assert error.headers["cache-control"] == "no-store"
    assert "Authorization" in error.headers["vary"]


async def test_the_urls_come_from_the_settings_never_from_host(keys_app: Any) -> None:
    """Host and X-Forwarded-* name another site: the catalog is byte for byte the same."""
    transport = httpx.ASGITransport(app=keys_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as plain:
        expected = (await plain.get(CATALOG)).content
    async with httpx.AsyncClient(transport=transport, base_url="https://evil.example") as spoofed:
        response = await spoofed.get(
            CATALOG, headers={"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http", "Forwarded": "host=evil"}
        )
    assert response.content == expected
    assert b"evil" not in response.content and "evil" not in response.headers["link"]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        pytest.param("GET", CATALOG + "/", 404, id="a trailing slash: unknown, not a redirect"),
        pytest.param("GET", "/.well-known/api-catalog.json", 404, id="another name"),
        pytest.param("GET", "/.WELL-KNOWN/API-CATALOG", 404, id="other case"),
        pytest.param("GET", CATALOG + "?format=html", 400, id="an undeclared query parameter (strict)"),
        pytest.param("POST", CATALOG, 405, id="a write"),
        pytest.param("DELETE", CATALOG, 405, id="a delete"),
    ],
)
async def test_hostile_variants_get_the_contracts_errors(
    keys_client: httpx.AsyncClient, our_schemas: ContractSchemas, method: str, path: str, status: int
) -> None:
    response = await keys_client.request(method, path, headers={"Host": "evil.example"})

    assert response.status_code == status
    assert "location" not in response.headers
    assert our_schemas.errors("ErrorResponse", response.json()) == []
    if status == 405:
        assert response.headers["allow"] == "GET, HEAD"


async def test_an_over_long_if_none_match_is_a_400_naming_it(keys_client: httpx.AsyncClient) -> None:
    response = await keys_client.get(CATALOG, headers={"If-None-Match": '"' + "a" * 5000 + '"'})

    assert response.status_code == 400
    assert "If-None-Match" in response.json()["error"]


async def test_it_is_counted_and_logged_as_its_operation(keys_client: httpx.AsyncClient) -> None:
    await keys_client.get(CATALOG)
    await keys_client.head(CATALOG)
    metrics = (await keys_client.get("/metrics")).text

    assert 'operation="get_api_catalog"' in metrics
    assert 'operation="head_api_catalog"' in metrics


def test_it_is_not_an_mcp_tool() -> None:
    assert not {"get_api_catalog", "head_api_catalog"} & {tool.name for tool in TOOLS}


def test_the_catalog_follows_the_base_url_and_its_etag_follows_the_catalog() -> None:
    one, other = build_catalog("https://a.example"), build_catalog("https://b.example/chat")

    assert (
        json.dumps(one.body.model_dump(mode="json", by_alias=True, exclude_none=True)).count("https://a.example") == 8
    )
    assert other.body.linkset[1].anchor.unicode_string() == "https://b.example/chat/v1"
    assert other.link == f'<https://b.example/chat{CATALOG_PATH}>; rel="api-catalog"; type="application/linkset+json"'
    assert one.etag != other.etag and not one.etag.weak
    assert build_catalog("https://a.example").etag == one.etag  # every instance of one deployment: one tag
    assert isinstance(one.etag, EntityTag)


def test_only_the_operations_without_security_have_no_caller() -> None:
    assert {"get_api_catalog", "head_api_catalog"} == PUBLIC
    public = request_context({}, "get_api_catalog")
    assert public.caller is None
    with pytest.raises(Unauthorized):
        _ = public.identity
    with pytest.raises(Unauthorized):  # not reached through Connexion, which refuses first
        request_context({}, "get_session")
    known = request_context({IDENTITY_SCOPE_KEY: ANONYMOUS}, "get_session")
    assert known.identity == ANONYMOUS
    assert isinstance(known, RequestContext)


def test_the_examples_of_the_docs_and_the_contract_are_the_catalog_of_their_base_url(contract: dict[str, Any]) -> None:
    served = build_catalog("https://chat.example.com").body.model_dump(mode="json", by_alias=True, exclude_none=True)
    heading = "Discovery: the API catalog (`/.well-known/api-catalog`, RFC 9727)"
    (documented,) = blocks("docs/http-semantics.md", heading, "json")

    assert json.loads(documented) == served
    assert contract["components"]["schemas"]["ApiCatalog"]["example"] == served


async def test_the_generated_python_client_reads_the_catalog_typed(keys_app: Any) -> None:
    """No credential (`Client`, not `AuthenticatedClient`); the relations as typed fields, the 304 as such."""
    from global_chat_client import Client
    from global_chat_client.api.discovery import get_api_catalog, head_api_catalog
    from global_chat_client.models import ApiCatalog

    transport = httpx.ASGITransport(app=keys_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        client = Client(base_url="http://testserver").set_async_httpx_client(http)
        response = await get_api_catalog.asyncio_detailed(client=client)
        catalog = response.parsed
        assert isinstance(catalog, ApiCatalog)
        rest = catalog.linkset[1]
        assert rest.anchor == f"{API_BASE_URL}/v1"
        assert [(link.href, link.type_) for link in rest.service_desc or []] == [
            (f"{API_BASE_URL}/v1/openapi.json", "application/json"),
            (f"{API_BASE_URL}/v1/openapi.yaml", "application/yaml"),
        ]
        assert [link.href for link in catalog.linkset[0].item or []][1] == f"{API_BASE_URL}/mcp"

        not_modified = await head_api_catalog.asyncio_detailed(client=client, if_none_match=response.headers["etag"])
        assert not_modified.status_code == 304
        assert not_modified.headers["link"] == LINK
