"""The generated client (generated/client, package global_chat_client), used as a consumer would use
it, against the real server over TCP: every operation, and each documented error parsed into its model."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from global_chat_client import AuthenticatedClient, Client
from global_chat_client.api.sessions import (
    delete_session,
    get_or_create_chat_session,
    get_session,
    pin_session,
    unpin_session,
    update_session,
)
from global_chat_client.models import (
    ErrorCode,
    ErrorResponse,
    GetOrCreateChatSessionRequest,
    SessionStatus,
    UpdateSessionRequest,
    WithUrlsSession,
)
from scripts.servers import global_chat_serve, serving
from tests.fixtures.server import global_chat
from tests.support.deployment import wait_for_room_in_the_minute


class Server:
    def __init__(self, base_url: str, key: str, env: dict[str, str]) -> None:
        self.base_url = base_url
        self.key = key
        self.env = env
        self.clients: list[AuthenticatedClient] = []

    def client(self, key: str | None = None, headers: dict[str, str] | None = None) -> AuthenticatedClient:
        """A client as a consumer makes one; its connections are closed when the test ends."""
        client = AuthenticatedClient(base_url=self.base_url, token=key or self.key, prefix="", headers=headers or {})
        self.clients.append(client)
        return client

    def close_clients(self) -> None:
        while self.clients:
            self.clients.pop().get_httpx_client().close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder: Path = tmp_path_factory.mktemp("client")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'client.db'}",
        "AUTH_MODE": "keys",
        "JWT_SECRET": "c" * 40,
        "API_KEY_CACHE_SECONDS": "0",
        "CHAT_CREATE_RATE_LIMIT": "2",
        "MAX_BODY_BYTES": "1024",
    }
    global_chat(env, "migrate")
    org = global_chat(env, "create-org", "Client tests")
    key = global_chat(env, "create-api-key", "--org", org, "--user", str(uuid.uuid4()))
    with serving(global_chat_serve(env, log_dir=folder)) as server:
        yield Server(server.base_url, key, env)


@pytest.fixture(autouse=True)
def closing_clients(server: Server) -> Iterator[None]:
    yield
    server.close_clients()


def test_get_or_create_then_read_update_pin_delete(server: Server) -> None:
    client = server.client()

    created = get_or_create_chat_session.sync(client=client, body=GetOrCreateChatSessionRequest(locale="uk-ua"))
    assert isinstance(created, WithUrlsSession)
    assert (created.status, created.locale, created.title) == (SessionStatus.STARTED, "uk-UA", "Platform Chat")

    read = get_session.sync(created.id, client=client)
    assert isinstance(read, WithUrlsSession)
    assert read.to_dict() == created.to_dict()

    updated = update_session.sync(created.id, client=client, body=UpdateSessionRequest(title="Planning"))
    assert isinstance(updated, WithUrlsSession)
    assert updated.title == "Planning"

    assert pin_session.sync_detailed(created.id, client=client).status_code == 204
    assert get_session.sync(created.id, client=client).is_pinned is True  # type: ignore[union-attr]
    assert unpin_session.sync_detailed(created.id, client=client).status_code == 204

    assert delete_session.sync_detailed(created.id, client=client).status_code == 204
    again = get_or_create_chat_session.sync(client=client, body=None)
    assert isinstance(again, WithUrlsSession)
    assert again.id != created.id


def test_400_is_parsed(server: Server) -> None:
    answer = get_or_create_chat_session.sync_detailed(
        client=server.client(), body=GetOrCreateChatSessionRequest(locale="not a locale")
    )
    assert answer.status_code == 400
    assert isinstance(answer.parsed, ErrorResponse)
    assert answer.parsed.code == ErrorCode.INVALID_REQUEST
    assert answer.parsed.allowed_actions[0].rel == "retry"  # type: ignore[index]


def test_401_is_parsed(server: Server) -> None:
    with Client(base_url=server.base_url) as anonymous:  # the client's connections, closed with it
        answer = get_or_create_chat_session.sync_detailed(client=anonymous, body=None)
    assert answer.status_code == 401
    assert isinstance(answer.parsed, ErrorResponse)
    assert answer.parsed.code == ErrorCode.UNAUTHORIZED
    assert "www-authenticate" in {name.lower() for name in answer.headers}


def test_404_is_parsed(server: Server) -> None:
    answer = get_session.sync_detailed("session_" + "0" * 32, client=server.client())
    assert answer.status_code == 404
    assert isinstance(answer.parsed, ErrorResponse)
    assert answer.parsed.code == ErrorCode.NOT_FOUND


def test_403_of_another_organization_is_parsed(server: Server) -> None:
    other = global_chat(server.env, "create-org", "Other")
    client = server.client(headers={"X-Org-Id": other})

    answer = get_or_create_chat_session.sync_detailed(client=client, body=None)

    assert answer.status_code == 403
    assert isinstance(answer.parsed, ErrorResponse)
    assert answer.parsed.code == ErrorCode.ORGANIZATION_MISMATCH


def test_413_is_parsed(server: Server) -> None:
    answer = update_session.sync_detailed(
        "session_" + "0" * 32, client=server.client(), body=UpdateSessionRequest(tags=["t" * 90] * 20)
    )
    assert answer.status_code == 413
    assert isinstance(answer.parsed, ErrorResponse)


def test_415_is_parsed(server: Server) -> None:
    client = server.client(headers={"Content-Type": "text/plain"})
    response = client.get_httpx_client().post("/v1/sessions/chat", content=b"locale=uk")
    parsed = ErrorResponse.from_dict(response.json())
    assert response.status_code == 415
    assert parsed.error


def test_429_is_parsed(server: Server) -> None:
    org = global_chat(server.env, "create-org", "Busy")  # its budget: 2 creations per minute
    keys = [global_chat(server.env, "create-api-key", "--org", org, "--user", str(uuid.uuid4())) for _ in range(3)]
    wait_for_room_in_the_minute(10)  # a real server's budget window is the wall clock's minute

    answers = [get_or_create_chat_session.sync_detailed(client=server.client(key), body=None) for key in keys]

    assert [a.status_code for a in answers] == [200, 200, 429]
    parsed = answers[-1].parsed
    assert isinstance(parsed, ErrorResponse)
    assert parsed.code == ErrorCode.RATE_LIMITED
    assert isinstance(parsed.retry_after_seconds, int) and parsed.retry_after_seconds >= 1
    assert parsed.allowed_actions[0].rel == "retry-later"  # type: ignore[index]
