"""`make contract`: Schemathesis against the real server over TCP.

Starts `global-chat serve` (uvicorn, SQLite in a temporary folder, AUTH_MODE=keys, response
validation on) with an API key made by the admin commands, waits until it answers, runs the
Schemathesis CLI with the options in schemathesis.toml (JUnit report under reports/), stops the
server and exits with Schemathesis' exit code.

With CONTRACT_BASE_URL set, the same run goes against that deployment instead, and no server is started:
scripts/contract_target.py (the environment it reads, what it refuses to do to a remote deployment).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

if __package__ in (None, ""):  # run as a file (python scripts/contract.py)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts import contract_target
from scripts.servers import BIN, ServerNotReady, global_chat_serve, serving

ROOT = Path(__file__).resolve().parent.parent


def log(message: str) -> None:
    print(f"contract: {message}", file=sys.stderr, flush=True)


def admin(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([BIN / "global-chat", *args], env=env, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise SystemExit(f"contract: global-chat {args[0]} failed:\n{result.stderr}")
    return result.stdout.strip()


def main() -> int:
    handed_over = contract_target.main()  # CONTRACT_BASE_URL: a deployment named by the environment
    if handed_over is not None:
        return handed_over
    (ROOT / "reports").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="global-chat-contract-") as scratch:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{scratch}/contract.db",
            "AUTH_MODE": "keys",
            "JWT_SECRET": secrets.token_urlsafe(48),
            "RESPONSE_VALIDATION": "true",
            "API_KEY_CACHE_SECONDS": "0",
            "CHAT_CREATE_RATE_LIMIT": "0",
            "CHAT_CREATE_RATE_LIMIT_PER_USER": "0",
            "LOG_LEVEL": "WARNING",
        }
        log("migrating a fresh SQLite database and making an API key")
        admin(env, "migrate")
        org = admin(env, "create-org", "Contract tests")
        key = admin(env, "create-api-key", "--org", org, "--user", str(uuid.uuid4()))
        server = global_chat_serve(env, log_dir=Path(scratch), name="server")
        log(f"starting global-chat serve on {server.base_url}")
        try:
            with serving(server):
                log("running Schemathesis (options: schemathesis.toml)")
                result = subprocess.run(
                    [BIN / "schemathesis", "run", f"{server.base_url}/v1/openapi.json", "--url", server.base_url],
                    env={**env, "GLOBAL_CHAT_API_KEY": key},
                    cwd=ROOT,
                    timeout=900,
                )
        except ServerNotReady as exc:
            raise SystemExit(f"contract: {exc}") from None
        if result.returncode != 0:
            log(f"Schemathesis found failures (exit {result.returncode}); server log follows")
            sys.stderr.write(server.log_tail(60) + "\n")
        else:
            log("zero failures; JUnit report: reports/contract-junit.xml")
        return result.returncode


if __name__ == "__main__":
    sys.exit(main())
