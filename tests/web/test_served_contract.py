"""The contract served as written (web/contract_document.py): the shipped file, refs intact, cacheable."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import yaml

from global_chat.web.contract_document import served_contract

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "openapi" / "openapi.yaml"


async def test_the_json_is_openapi_yaml_as_written(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/openapi.json")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))
    # components and refs intact, not Connexion's resolved copy (628 KB with every $ref inlined)
    assert '"$ref":"#/components/schemas/' in response.text
    assert len(response.content) < CONTRACT.stat().st_size


async def test_the_yaml_is_the_file_byte_for_byte(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/openapi.yaml")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/yaml"
    assert response.content == CONTRACT.read_bytes()


@pytest.mark.parametrize("path", ["/v1/openapi.json", "/v1/openapi.yaml"])
async def test_a_matching_if_none_match_is_a_304_without_a_body(client: httpx.AsyncClient, path: str) -> None:
    first = await client.get(path)
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')
    assert first.headers["cache-control"] == "no-cache"

    again = await client.get(path, headers={"If-None-Match": f'"other", W/{etag}'})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag

    stale = await client.get(path, headers={"If-None-Match": '"an-older-contract"'})
    assert stale.status_code == 200
    assert stale.content == first.content


async def test_json_and_yaml_have_different_etags(client: httpx.AsyncClient) -> None:
    as_json = await client.get("/v1/openapi.json")
    as_yaml = await client.get("/v1/openapi.yaml", headers={"If-None-Match": as_json.headers["etag"]})

    assert as_yaml.status_code == 200
    assert as_json.headers["etag"] != as_yaml.headers["etag"]


async def test_head_gives_the_headers_without_the_body(client: httpx.AsyncClient) -> None:
    response = await client.head("/v1/openapi.json")

    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["etag"]


# RFC 9110 13.1.2, read by global_chat.conditional as for a session's GET ({etag}: the representation's)
NOT_MODIFIED = {
    "the tag": "{etag}",
    "the tag, weak": "W/{etag}",
    "any": "*",
    "a list naming it": '"other", W/{etag}',
    "a list with empty elements": ' , "other" ,, {etag} ',
}
FULL_ANSWER = {
    "another tag": '"an-older-contract"',
    "a longer tag": '{etag_open}0"',
    "the tag unquoted": "{etag_bare}",
    "an unterminated tag": "{etag_open}",
    "a list with a malformed member": '{etag}, "other", garbage',
    "any among tags": "*, {etag}",
    "empty": "",
}


def if_none_match(template: str, etag: str) -> str:
    return template.format(etag=etag, etag_open=etag[:-1], etag_bare=etag.strip('"'))


@pytest.mark.parametrize("path", ["/v1/openapi.json", "/v1/openapi.yaml"])
@pytest.mark.parametrize("case", list(NOT_MODIFIED))
async def test_if_none_match_that_names_the_contract_is_a_304(client: httpx.AsyncClient, path: str, case: str) -> None:
    etag = (await client.get(path)).headers["etag"]

    response = await client.get(path, headers={"If-None-Match": if_none_match(NOT_MODIFIED[case], etag)})

    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag


@pytest.mark.parametrize("path", ["/v1/openapi.json", "/v1/openapi.yaml"])
@pytest.mark.parametrize("case", list(FULL_ANSWER))
async def test_if_none_match_that_does_not_or_does_not_parse_gets_the_whole_contract(
    client: httpx.AsyncClient, path: str, case: str
) -> None:
    """A malformed value is ignored (the full answer), as for a session (docs/http-semantics.md)."""
    first = await client.get(path)

    response = await client.get(
        path, headers={"If-None-Match": if_none_match(FULL_ANSWER[case], first.headers["etag"])}
    )

    assert response.status_code == 200
    assert response.content == first.content
    assert response.headers["etag"] == first.headers["etag"]


def test_the_served_json_is_valid_json_of_the_whole_document() -> None:
    document = json.loads(served_contract().json.body)
    assert set(document) >= {"openapi", "info", "paths", "components"}
