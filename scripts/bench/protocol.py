"""What the server's bounds cost per request: uvicorn's httptools protocol against ours (web/http_protocol.py),
without the network or the app.

    .venv/bin/python scripts/bench/protocol.py [--requests N] [--rounds R]

Each protocol gets one kept-alive connection over a transport that discards what it is sent and an ASGI
app that answers at once, and is fed N requests shaped like the benchmark's hot path; the two alternate,
R rounds, and the medians (min-max) are printed in microseconds per request. The difference is what the
bounds add; `make bench` measures the whole server.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from global_chat.settings import Settings
from global_chat.web.http_protocol import BoundedHttpToolsProtocol, HttpLimits

REQUEST = (
    b"POST /v1/sessions/chat HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAuthorization: evr_pat_" + b"x" * 43 + b"\r\n"
    b"Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
)


class AnsweringApp:
    """An ASGI app that answers at once and says when it has."""

    def __init__(self) -> None:
        self.answered = asyncio.Event()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
        await send({"type": "http.response.body", "body": b"{}"})
        self.answered.set()


class DiscardingTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self._closing = False

    def write(self, data: Any) -> None:
        pass

    def close(self) -> None:
        self._closing = True

    def is_closing(self) -> bool:
        return self._closing

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8080), "peername": ("127.0.0.1", 40000)}.get(name, default)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def microseconds_per_request(bounded: bool, requests: int) -> float:
    app = AnsweringApp()
    config = Config(app=app, log_level="warning", access_log=False, lifespan="off", proxy_headers=False)
    config.load()
    protocol = (
        BoundedHttpToolsProtocol(
            config=config,
            server_state=ServerState(),
            app_state={},
            limits=HttpLimits.from_settings(Settings(_env_file=None)),
        )
        if bounded
        else HttpToolsProtocol(config=config, server_state=ServerState(), app_state={})
    )
    protocol.connection_made(DiscardingTransport())
    started = time.perf_counter()
    for _ in range(requests):
        protocol.data_received(REQUEST)
        await app.answered.wait()
        app.answered.clear()
        await asyncio.sleep(0)  # the task's clean-up, as the event loop would run it
    elapsed = time.perf_counter() - started
    protocol.connection_lost(None)
    return elapsed / requests * 1e6


async def main(requests: int, rounds: int) -> None:
    results: dict[str, list[float]] = {"uvicorn httptools": [], "ours (bounded)": []}
    for _ in range(rounds):
        results["uvicorn httptools"].append(await microseconds_per_request(False, requests))
        results["ours (bounded)"].append(await microseconds_per_request(True, requests))
    for name, values in results.items():
        print(f"{name:18} {statistics.median(values):6.2f} us/request [{min(values):.2f}-{max(values):.2f}]")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=7)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.requests, arguments.rounds))
