"""The singleton is per (organization, user); nobody sees another tenant's session, not even its existence."""

from __future__ import annotations

import httpx
import pytest

from tests.fixtures.accounts import Accounts

pytestmark = [pytest.mark.anyio, pytest.mark.pgbouncer_backend]  # backends: tests/fixtures/app.py
CHAT = "/v1/sessions/chat"


async def test_two_organizations_times_two_users_give_four_sessions(
    keys_client: httpx.AsyncClient, accounts: Accounts
) -> None:
    org_a, org_b = await accounts.organization("A"), await accounts.organization("B")
    alice_a, bob_a = await accounts.caller(org_a), await accounts.caller(org_a)
    alice_b = await accounts.caller(org_b)
    alice_b.user_id = alice_a.user_id  # the same person in the second organization
    alice_b.token = accounts.token(org_b, alice_a.user_id)
    bob_b = await accounts.caller(org_b)
    bob_b.user_id = bob_a.user_id
    bob_b.token = accounts.token(org_b, bob_a.user_id)

    ids = set()
    for caller in (alice_a, bob_a, alice_b, bob_b):
        first = await keys_client.post(CHAT, headers=caller.bearer_headers())
        again = await keys_client.post(CHAT, headers=caller.bearer_headers())
        assert first.status_code == 200
        assert again.json()["id"] == first.json()["id"]
        assert first.json()["organization_id"] == caller.org
        ids.add(first.json()["id"])

    assert len(ids) == 4


async def test_another_tenants_session_is_404_like_a_missing_one(
    keys_client: httpx.AsyncClient, accounts: Accounts
) -> None:
    owner = await accounts.caller()
    neighbour = await accounts.caller(owner.organization_id)  # same organization, other user
    stranger = await accounts.caller()  # other organization
    session_id = (await keys_client.post(CHAT, headers=owner.key_headers())).json()["id"]
    missing_id = "session_" + "0" * 31 + "1"

    for caller in (neighbour, stranger):
        for method, path in [
            ("GET", f"/v1/sessions/{session_id}"),
            ("DELETE", f"/v1/sessions/{session_id}"),
            ("PUT", f"/v1/sessions/{session_id}/pin"),
            ("DELETE", f"/v1/sessions/{session_id}/pin"),
        ]:
            foreign = await keys_client.request(method, path, headers=caller.key_headers())
            missing = await keys_client.request(
                method, path.replace(session_id, missing_id), headers=caller.key_headers()
            )
            assert foreign.status_code == missing.status_code == 404
            assert foreign.json() == missing.json()
        patched = await keys_client.patch(
            f"/v1/sessions/{session_id}", json={"title": "mine now"}, headers=caller.key_headers()
        )
        assert patched.status_code == 404

    still = await keys_client.get(f"/v1/sessions/{session_id}", headers=owner.key_headers())
    assert still.status_code == 200
    assert still.json()["title"] == "Platform Chat"
