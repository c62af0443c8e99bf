"""The organization a caller names (`X-Org-Id`, as the SDKs send it, or the UI's `everruns_org` cookie) must
be its credential's: another one is a 403, never another organization's data; a malformed one is a 400."""

from __future__ import annotations

import uuid

import httpx
import pytest

from global_chat import ids
from global_chat.accounts.authentication import check_organization
from global_chat.errors import InvalidRequest, OrganizationMismatch
from global_chat.identity import Identity
from tests.fixtures.accounts import Accounts
from tests.fixtures.app import UI_BASE_URL
from tests.fixtures.contract import ContractSchemas

pytestmark = pytest.mark.anyio
CHAT = "/v1/sessions/chat"
MALFORMED = ["", "acme", "org_", "org_" + "0" * 31, "org_" + "A" * 32, "session_" + "0" * 32, " org_" + "0" * 32 + "x"]


async def test_a_key_naming_its_own_organization_is_served(keys_client: httpx.AsyncClient, accounts: Accounts) -> None:
    caller = await accounts.caller()

    response = await keys_client.post(CHAT, headers={**caller.key_headers(), "X-Org-Id": caller.org})

    assert response.status_code == 200
    assert response.json()["organization_id"] == caller.org


async def test_a_key_naming_another_organization_is_403_and_sees_nothing(
    keys_client: httpx.AsyncClient, accounts: Accounts, our_schemas: ContractSchemas
) -> None:
    a, b = await accounts.caller(), await accounts.caller()
    mine = (await keys_client.post(CHAT, headers=a.key_headers())).json()

    responses = [
        await keys_client.post(CHAT, headers={**a.key_headers(), "X-Org-Id": b.org}),
        await keys_client.get(f"/v1/sessions/{mine['id']}", headers={**a.key_headers(), "X-Org-Id": b.org}),
    ]

    for response in responses:
        assert response.status_code == 403
        body = response.json()
        assert body["code"] == "organization_mismatch"
        assert b.org in body["error"] and a.org in body["error"]
        assert mine["id"] not in response.text
        assert our_schemas.errors("ErrorResponse", body) == []


async def test_an_organization_that_does_not_exist_is_the_same_403(
    keys_client: httpx.AsyncClient, accounts: Accounts
) -> None:
    caller = await accounts.caller()
    nowhere = ids.format_id(ids.ORGANIZATION, uuid.uuid4())

    response = await keys_client.post(CHAT, headers={**caller.key_headers(), "X-Org-Id": nowhere})

    assert (response.status_code, response.json()["code"]) == (403, "organization_mismatch")


@pytest.mark.parametrize("value", MALFORMED)
async def test_a_malformed_organization_id_is_a_400(
    keys_client: httpx.AsyncClient, accounts: Accounts, our_schemas: ContractSchemas, value: str
) -> None:
    caller = await accounts.caller()

    response = await keys_client.post(CHAT, headers={**caller.key_headers(), "X-Org-Id": value})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request"
    assert "X-Org-Id" in response.json()["error"]
    assert our_schemas.errors("ErrorResponse", response.json()) == []


async def test_credentials_are_judged_before_the_organization(keys_client: httpx.AsyncClient) -> None:
    response = await keys_client.post(CHAT, headers={"X-Org-Id": "not an org"})

    assert response.status_code == 401  # nothing is said about organizations to an unknown caller


async def test_the_ui_cookie_selects_like_the_header(keys_client: httpx.AsyncClient, accounts: Accounts) -> None:
    a, b = await accounts.caller(), await accounts.caller()
    ui = {"Origin": UI_BASE_URL, "Content-Type": "application/json"}

    same = await keys_client.post(CHAT, headers={**ui, "Cookie": f"access_token={a.token}; everruns_org={a.org}"})
    other = await keys_client.post(CHAT, headers={**ui, "Cookie": f"access_token={a.token}; everruns_org={b.org}"})
    malformed = await keys_client.post(CHAT, headers={**ui, "Cookie": f"access_token={a.token}; everruns_org=acme"})

    assert same.status_code == 200
    assert (other.status_code, other.json()["code"]) == (403, "organization_mismatch")
    assert "everruns_org" in other.json()["error"]
    assert (malformed.status_code, malformed.json()["code"]) == (400, "invalid_request")


async def test_the_header_is_judged_instead_of_the_cookie(keys_client: httpx.AsyncClient, accounts: Accounts) -> None:
    a, b = await accounts.caller(), await accounts.caller()

    header_right = await keys_client.post(
        CHAT, headers={**a.key_headers(), "X-Org-Id": a.org, "Cookie": f"everruns_org={b.org}"}
    )
    header_wrong = await keys_client.post(
        CHAT, headers={**a.key_headers(), "X-Org-Id": b.org, "Cookie": f"everruns_org={a.org}"}
    )

    assert header_right.status_code == 200
    assert header_wrong.status_code == 403


async def test_the_anonymous_mode_belongs_to_the_default_organization(client: httpx.AsyncClient) -> None:
    default = "org_" + "0" * 31 + "1"

    assert (await client.post(CHAT, headers={"X-Org-Id": default})).status_code == 200
    assert (await client.post(CHAT, headers={"X-Org-Id": "org_" + "0" * 31 + "2"})).status_code == 403


# --- the rule itself, without HTTP ------------------------------------------------------------------

IDENTITY = Identity(uuid.UUID(int=7), uuid.UUID(int=8))
OWN = ids.format_id(ids.ORGANIZATION, IDENTITY.organization_id)


def test_the_credentials_own_organization_passes() -> None:
    check_organization(IDENTITY, OWN, selector="X-Org-Id")


def test_another_organization_is_a_mismatch_naming_both() -> None:
    other = ids.format_id(ids.ORGANIZATION, uuid.UUID(int=9))

    with pytest.raises(OrganizationMismatch) as refused:
        check_organization(IDENTITY, other, selector="X-Org-Id")

    assert refused.value.status == 403
    assert other in refused.value.message and OWN in refused.value.message


@pytest.mark.parametrize("value", [*MALFORMED, OWN.upper(), OWN + "\n"])
def test_anything_but_an_organization_id_is_invalid(value: str) -> None:
    with pytest.raises(InvalidRequest, match="X-Org-Id is not an organization id"):
        check_organization(IDENTITY, value, selector="X-Org-Id")
