"""free_port(): a TCP port on 127.0.0.1 that nothing listens on right now, for the servers the scripts
and the tests start (uvicorn, PostgreSQL, PgBouncer). Another process may take it before the server
binds it: the callers that can retry do (scripts/postgres_instance.py, scripts/pgbouncer_instance.py)."""

from __future__ import annotations

import socket


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
