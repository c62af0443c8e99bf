"""The console script as a user runs it: migrate twice, then serve and call the API over TCP."""

from __future__ import annotations

import os
import re
import subprocess
import uuid
from pathlib import Path

import httpx
import pytest

from scripts.servers import BIN, global_chat_serve, serving
from tests.fixtures.server import global_chat


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "AUTH_MODE": "none"}


def test_migrate_is_idempotent(env: dict[str, str]) -> None:
    for _ in range(2):
        result = subprocess.run([BIN / "global-chat", "migrate"], env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        assert result.stdout == ""  # progress goes to stderr


def test_serve_refuses_anonymous_mode_on_a_public_address(env: dict[str, str]) -> None:
    result = subprocess.run(
        [BIN / "global-chat", "serve", "--host", "0.0.0.0"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "ALLOW_INSECURE_BIND" in result.stderr


def test_served_api_answers_over_tcp(env: dict[str, str], tmp_path: Path) -> None:
    global_chat(env, "migrate")
    with serving(global_chat_serve(env, log_dir=tmp_path)) as server:
        url = f"{server.base_url}/v1/sessions/chat"
        first = httpx.post(url, json={"locale": "uk-UA"}, timeout=5)
        second = httpx.post(url, timeout=5)
    assert first.status_code == 200
    assert second.json()["id"] == first.json()["id"]


def test_admin_commands_drive_keys_mode(env: dict[str, str], tmp_path: Path) -> None:
    env = {**env, "AUTH_MODE": "keys", "JWT_SECRET": "s" * 40, "API_KEY_CACHE_SECONDS": "0"}
    global_chat(env, "migrate")
    org = global_chat(env, "create-org", "Acme")
    user = str(uuid.uuid4())
    key = global_chat(env, "create-api-key", "--org", org, "--user", user)
    token = global_chat(env, "issue-token", "--org", org, "--user", user, "--ttl", "600")
    assert re.fullmatch(r"org_[0-9a-f]{32}", org)
    assert key.startswith("evr_pat_")
    assert token.count(".") == 2

    with serving(global_chat_serve(env, log_dir=tmp_path)) as server:
        url = f"{server.base_url}/v1/sessions/chat"
        anonymous = httpx.post(url, timeout=5)
        by_key = httpx.post(url, headers={"Authorization": key}, timeout=5)
        by_token = httpx.post(url, headers={"Authorization": f"Bearer {token}"}, timeout=5)
        revoked_id = global_chat(env, "revoke-api-key", key[:14])
        after_revoke = httpx.post(url, headers={"Authorization": key}, timeout=5)

    assert anonymous.status_code == 401
    assert by_key.status_code == 200
    assert by_key.json()["organization_id"] == org
    assert by_token.json()["id"] == by_key.json()["id"]
    assert revoked_id.startswith("key_")
    assert after_revoke.status_code == 401


def test_admin_errors_go_to_stderr_with_a_non_zero_exit(env: dict[str, str]) -> None:
    global_chat(env, "migrate")
    result = subprocess.run(
        [BIN / "global-chat", "create-api-key", "--org", "org_" + "f" * 32, "--user", str(uuid.uuid4())],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stdout == ""
    assert "no organization" in result.stderr


def test_invalid_settings_are_named_without_their_values(env: dict[str, str]) -> None:
    secret = "too-short-but-still-a-secret"
    result = subprocess.run(
        [BIN / "global-chat", "migrate"],
        env={**env, "AUTH_MODE": "keys", "JWT_SECRET": secret}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip

    assert result.returncode == 1
    assert "invalid settings" in result.stderr and "JWT_SECRET of at least 32 bytes" in result.stderr
    assert secret not in result.stderr
