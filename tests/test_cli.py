"""The console script as a user runs it: migrate twice, then serve and call the API over TCP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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


def test_served_api_answers_over_tcp(env: dict[str, str]) -> None:
    subprocess.run([BIN / "global-chat", "migrate"], env=env, check=True, capture_output=True, timeout=60)
    port = free_port()
    server = subprocess.Popen(
        [BIN / "global-chat", "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        url = f"http://127.0.0.1:{port}/v1/sessions/chat"
        deadline = time.monotonic() + 30
        while True:
            try:
                first = httpx.post(url, json={"locale": "uk-UA"}, timeout=5)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "server did not start within 30 s"
                time.sleep(0.2)
        second = httpx.post(url, timeout=5)
        assert first.status_code == 200
        assert second.json()["id"] == first.json()["id"]
    finally:
        server.terminate()
        server.wait(timeout=30)
