"""Every example of the README and docs/ runs as written, with the command the text gives for it, against a
real server: the README's first calls (curl), the keys-mode walkthrough of docs/clients.md, and its Python
and TypeScript client examples. The only change made to them is the port: each test's server has its own,
where the text says 8080."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.ports import free_port
from scripts.servers import ServerProcess, global_chat_serve, serving
from tests.fixtures.server import global_chat

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120


def sections(document: str) -> dict[str, str]:
    """Each heading of `document` (relative to the root) -> its text up to the next heading; a `#` line in a
    fenced block is code, not a heading."""
    found: dict[str, str] = {}
    heading, fenced = "", False
    for line in (ROOT / document).read_text().splitlines(keepends=True):
        fenced ^= line.startswith("```")
        if not fenced and (title := re.match(r"#+ (.*)", line)):
            heading = title.group(1)
            found[heading] = ""
        else:
            found[heading] = found.get(heading, "") + line
    return found


def blocks(document: str, heading: str, language: str) -> list[str]:
    """The ```language blocks of the section `heading` of `document`."""
    section = sections(document).get(heading)
    assert section is not None, f"{document} has no section '{heading}'"
    found = re.findall(rf"```{language}\n(.*?)```", section, re.S)
    assert found, f"{document}, '{heading}': no ```{language} block"
    return found


def on_port(block: str, server: ServerProcess) -> str:
    return block.replace("127.0.0.1:8080", f"127.0.0.1:{server.port}")


def bash(script: str, env: dict[str, str], cwd: Path = ROOT) -> str:
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script], env=env, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT
    )
    assert result.returncode == 0, f"{script}\n--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
    return result.stdout


@pytest.fixture
def keys_env(tmp_path: Path) -> dict[str, str]:
    database = f"sqlite:///{tmp_path / 'docs.db'}"
    return {**os.environ, "DATABASE_URL": database, "AUTH_MODE": "keys", "JWT_SECRET": "r" * 40}


@pytest.fixture
def keys_server(keys_env: dict[str, str], tmp_path: Path) -> Iterator[ServerProcess]:
    global_chat(keys_env, "migrate")
    with serving(global_chat_serve(keys_env, log_dir=tmp_path)) as server:
        yield server


def credentials(env: dict[str, str]) -> dict[str, str]:
    """What the walkthrough leaves in the shell for the examples: $KEY and $ORG, as they export them."""
    org = global_chat(env, "create-org", "Docs")
    key = global_chat(env, "create-api-key", "--org", org, "--user", str(uuid.uuid4()))
    return {"GLOBAL_CHAT_KEY": key, "GLOBAL_CHAT_ORG": org}


def test_the_readmes_first_calls(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'first.db'}", "AUTH_MODE": "none"}
    global_chat(env, "migrate")
    first_calls = blocks("README.md", "The first calls", "sh")
    with serving(global_chat_serve(env, log_dir=tmp_path)) as server:
        created, lifecycle = [bash(on_port(block, server), env) for block in first_calls]

    assert '"title":"Platform Chat"' in created and '"locale":"uk-UA"' in created
    assert '"title":"Planning"' in lifecycle and lifecycle.rstrip().endswith("204")


def test_the_keys_mode_walkthrough(tmp_path: Path) -> None:
    """As written, but on a port of its own and a database of its own; the server it starts is stopped after."""
    (walkthrough,) = blocks("docs/clients.md", "Calling the service with credentials", "sh")
    script = walkthrough.replace("global-chat serve &", "global-chat serve --port 8080 &")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'walk.db'}"}

    out = bash(script.replace("8080", str(free_port())) + "\nkill %1\nwait\n", env)

    ids = re.findall(r'"id":"(session_[0-9a-f]{32})"', out)
    assert len(ids) == 3 and len(set(ids)) == 1, out


def test_the_python_client_example(keys_server: ServerProcess, keys_env: dict[str, str], tmp_path: Path) -> None:
    (example,) = blocks("docs/clients.md", "The Python client", "python")
    (tmp_path / "example.py").write_text(example)
    env = {**os.environ, "GLOBAL_CHAT_URL": keys_server.base_url, **credentials(keys_env)}

    out = bash(f"{sys.executable} example.py", env, cwd=tmp_path)  # `.venv/bin/python example.py`

    session_id, title_and_locale = out.strip().split(" ", 1)
    assert re.fullmatch(r"session_[0-9a-f]{32}", session_id)
    assert title_and_locale == "Platform Chat uk-UA"


def test_the_typescript_client_example(keys_server: ServerProcess, keys_env: dict[str, str], tmp_path: Path) -> None:
    (example, *_) = blocks("docs/clients.md", "The TypeScript client", "ts")
    (tmp_path / "example.ts").write_text(example)
    env = {**os.environ, "GLOBAL_CHAT_URL": keys_server.base_url, **credentials(keys_env)}

    out = bash(f"{sys.executable} scripts/typescript.py run {tmp_path / 'example.ts'}", env)

    session_id, title_and_locale = out.strip().split(" ", 1)
    assert re.fullmatch(r"session_[0-9a-f]{32}", session_id)
    assert title_and_locale == "Platform Chat uk-UA"
