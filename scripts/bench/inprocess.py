"""Framework cost per request without the network: our ASGI app called in a loop, in one process.

    .venv/bin/python scripts/bench/inprocess.py [--requests N] [--response-validation]

Migrates a temporary SQLite database, makes an API key, then times N sequential hot-path requests
(the session exists) and N 401s, each best of three runs, and prints microseconds per request. It
is how the cost of a setting such as RESPONSE_VALIDATION is measured; `make bench` measures req/s.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
import warnings
from typing import Any

warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

from global_chat.accounts.service import AccountService  # noqa: E402
from global_chat.app import create_app  # noqa: E402
from global_chat.settings import Settings  # noqa: E402
from global_chat.storage.database import Database  # noqa: E402
from global_chat.storage.migrate import upgrade  # noqa: E402


def scope(headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": "/v1/sessions/chat", "raw_path": b"/v1/sessions/chat", "root_path": "", "query_string": b"",
        "headers": headers, "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80), "state": {},
    }  # fmt: skip


async def call(app: Any, headers: list[tuple[bytes, bytes]]) -> int:
    messages = [{"type": "http.request", "body": b"{}", "more_body": False}]

    async def receive() -> dict[str, Any]:
        return messages.pop() if messages else {"type": "http.disconnect"}

    status: list[int] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(scope(headers), receive, send)
    return status[0]


async def measure(app: Any, headers: list[tuple[bytes, bytes]], expected: int, requests: int) -> float:
    assert await call(app, headers) == expected
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(requests):
            await call(app, headers)
        runs.append((time.perf_counter() - started) / requests * 1e6)
    return min(runs)


async def main(requests: int, response_validation: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            _env_file=None,
            database_url=f"sqlite:///{folder}/inprocess.db",
            auth_mode="keys",
            jwt_secret="inprocess-" + "x" * 40,
            log_level="WARNING",
            response_validation=response_validation,
        )
        await asyncio.to_thread(upgrade, settings)
        database = Database(settings)
        accounts = AccountService(database)
        key = await accounts.create_api_key(await accounts.create_organization("bench"), uuid.uuid4(), None)
        await database.dispose()
        app = create_app(settings)
        json = [(b"content-type", b"application/json"), (b"content-length", b"2")]
        hot = await measure(app, [(b"authorization", key.encode()), *json], 200, requests)
        error = await measure(app, json, 401, requests)
        print(f"response_validation={response_validation} hot_us={hot:.0f} error_us={error:.0f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--response-validation", action="store_true")
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.response_validation))
