"""The README's client examples (Python and TypeScript) run, as a consumer would run them, against a real server."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from scripts.typescript import README_EXAMPLE, build, readme_example
from tests.fixtures.server import global_chat, serving

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_python_block(heading: str) -> str:
    section = README.read_text().split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, f"no python example under '## {heading}'"
    return match.group(1)


@pytest.fixture
def keys_env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'readme.db'}",
        "AUTH_MODE": "keys",
        "JWT_SECRET": "r" * 40,
    }


def test_client_example_runs(keys_env: dict[str, str], tmp_path: Path) -> None:
    global_chat(keys_env, "migrate")
    org = global_chat(keys_env, "create-org", "Readme")
    key = global_chat(keys_env, "create-api-key", "--org", org, "--user", str(uuid.uuid4()))
    script = tmp_path / "example.py"
    script.write_text(readme_python_block("Using the generated client"))

    with serving(keys_env) as url:
        base = url.removesuffix("/v1/sessions/chat")
        env = {**os.environ, "GLOBAL_CHAT_URL": base, "GLOBAL_CHAT_KEY": key}
        result = subprocess.run([sys.executable, script], env=env, capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr
    session_id, title_and_locale = result.stdout.strip().split(" ", 1)
    assert re.fullmatch(r"session_[0-9a-f]{32}", session_id)
    assert title_and_locale == "Platform Chat uk-UA"


def test_typescript_example_runs(keys_env: dict[str, str], tmp_path: Path) -> None:
    node = shutil.which("node")
    assert node, "node is not on PATH: run `make test` (scripts/ensure_node.sh installs it when missing)"
    compiled = build(tmp_path / "example", {README_EXAMPLE: readme_example("Using from TypeScript")})
    global_chat(keys_env, "migrate")
    org = global_chat(keys_env, "create-org", "Readme")
    key = global_chat(keys_env, "create-api-key", "--org", org, "--user", str(uuid.uuid4()))

    with serving(keys_env) as url:
        base = url.removesuffix("/v1/sessions/chat")
        env = {**os.environ, "GLOBAL_CHAT_URL": base, "GLOBAL_CHAT_KEY": key, "GLOBAL_CHAT_ORG": org}
        script = compiled / README_EXAMPLE.replace(".ts", ".js")
        result = subprocess.run([node, script], env=env, capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr
    session_id, title_and_locale = result.stdout.strip().split(" ", 1)
    assert re.fullmatch(r"session_[0-9a-f]{32}", session_id)
    assert title_and_locale == "Platform Chat uk-UA"
