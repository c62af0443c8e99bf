"""The contract served as written (web/contract_document.py): the shipped file, refs intact, cacheable."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import yaml

from global_chat.web.contract_document import matches, served_contract

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


def test_if_none_match_follows_rfc_9110() -> None:
    assert matches('"a"', '"a"')
    assert matches('W/"a"', '"a"')
    assert matches(' "b" , "a" ', '"a"')
    assert matches("*", '"a"')
    assert not matches(None, '"a"')
    assert not matches("", '"a"')
    assert not matches('"ab"', '"a"')
    assert not matches('"a', '"a"')


def test_the_served_json_is_valid_json_of_the_whole_document() -> None:
    document = json.loads(served_contract().json.body)
    assert set(document) >= {"openapi", "info", "paths", "components"}
