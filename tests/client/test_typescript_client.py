"""The generated TypeScript client (generated/typescript), compiled with the pinned TypeScript and run by
Node against a real `global-chat serve`: tests/typescript/e2e.ts calls every operation with an API key and
with the web UI's login cookie, and checks the 401, 403, 404 and 429 as typed errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from scripts.servers import global_chat_serve, serving
from scripts.typescript import build
from tests.fixtures.server import global_chat
from tests.support.deployment import wait_for_room_in_the_minute

E2E = Path(__file__).resolve().parents[1] / "typescript" / "e2e.ts"
BUDGET = 3  # creations per organization and minute: the e2e script makes 3 in its own organization
UI_ORIGIN = "https://app.example.test"


def node() -> str:
    found = shutil.which("node")
    if found is None:
        pytest.fail("node is not on PATH: run `make test` (scripts/ensure_node.sh installs it when missing)")
    return found


def test_every_operation_and_the_typed_errors_through_the_typescript_client(tmp_path: Path) -> None:
    compiled = build(tmp_path / "build", {"tests/typescript/e2e.ts": E2E.read_text()})
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'ts.db'}",
        "AUTH_MODE": "keys",
        "JWT_SECRET": "t" * 40,
        "API_KEY_CACHE_SECONDS": "0",
        "CHAT_CREATE_RATE_LIMIT": str(BUDGET),
        "UI_ORIGINS": UI_ORIGIN,
    }
    global_chat(env, "migrate")
    org, other_org, busy_org = (global_chat(env, "create-org", name) for name in ("TypeScript", "Other", "Busy"))
    user = str(uuid.uuid4())
    key = global_chat(env, "create-api-key", "--org", org, "--user", user)
    token = global_chat(env, "issue-token", "--org", org, "--user", user, "--ttl", "600")
    busy_keys = [
        global_chat(env, "create-api-key", "--org", busy_org, "--user", str(uuid.uuid4())) for _ in range(BUDGET + 1)
    ]

    with serving(global_chat_serve(env, log_dir=tmp_path)) as server:
        script_env = {
            **os.environ,
            "GLOBAL_CHAT_URL": server.base_url,
            "GLOBAL_CHAT_KEY": key,
            "GLOBAL_CHAT_TOKEN": token,
            "GLOBAL_CHAT_ORG": org,
            "GLOBAL_CHAT_OTHER_ORG": other_org,
            "GLOBAL_CHAT_UI_ORIGIN": UI_ORIGIN,
            "GLOBAL_CHAT_BUSY_KEYS": ",".join(busy_keys),
        }
        wait_for_room_in_the_minute(15)  # the script's first burst must fall in one budget window
        result = subprocess.run(
            [node(), compiled / "tests" / "typescript" / "e2e.js"],
            env=script_env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["ok"] is True
    assert {
        "every operation with API key",
        "every operation with the login cookie",
        "401 unauthorized",
        "403 organization_mismatch",
        "403 forbidden",
        "404 not_found",
        "429 rate_limited",
    } <= set(report["checked"])
