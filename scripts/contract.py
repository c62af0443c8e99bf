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
import time
import urllib.request
import uuid
from pathlib import Path

if __package__ in (None, ""):  # run as a file (python scripts/contract.py)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts import contract_target
from scripts.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def log(message: str) -> None:
    print(f"contract: {message}", file=sys.stderr, flush=True)


def admin(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([BIN / "global-chat", *args], env=env, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise SystemExit(f"contract: global-chat {args[0]} failed:\n{result.stderr}")
    return result.stdout.strip()


def wait_until_ready(url: str, server: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own loopback server
                return
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"contract: the server exited with code {server.returncode}") from None
            if time.monotonic() > deadline:
                raise SystemExit(f"contract: the server did not answer {url} within {timeout:.0f} s") from None
            time.sleep(0.2)


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
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log(f"starting global-chat serve on {base}")
        server_log = Path(scratch) / "server.log"
        with server_log.open("wb") as sink:
            command = [str(BIN / "global-chat"), "serve", "--port", str(port)]
            server = subprocess.Popen(command, env=env, stdout=sink, stderr=sink)
            try:
                wait_until_ready(f"{base}/v1/openapi.json", server)
                log("running Schemathesis (options: schemathesis.toml)")
                result = subprocess.run(
                    [BIN / "schemathesis", "run", f"{base}/v1/openapi.json", "--url", base],
                    env={**env, "GLOBAL_CHAT_API_KEY": key},
                    cwd=ROOT,
                    timeout=900,
                )
            finally:
                server.terminate()
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()
        if result.returncode != 0:
            log(f"Schemathesis found failures (exit {result.returncode}); server log follows")
            sys.stderr.write(server_log.read_text(errors="replace")[-5000:])
        else:
            log("zero failures; JUnit report: reports/contract-junit.xml")
        return result.returncode


if __name__ == "__main__":
    sys.exit(main())
