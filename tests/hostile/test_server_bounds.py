"""The bounds of `global-chat serve` (web/http_protocol.py), on a real server over raw sockets: request heads
past HTTP_MAX_HEADER_BYTES get a 431 and cost no memory, slow heads a 408, slow bodies a closed
connection, connections past HTTP_MAX_CONNECTIONS a 503; what the HTTP parser refuses is the contract's
400; and the log has one access line per request, without the query string.

The servers run with short timeouts, and the tests wait for the server to act (bounded by socket
timeouts): they assert what happens, never how fast."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.fixtures.contract import ContractSchemas
from tests.fixtures.server import global_chat
from tests.support.deployment import Server, base_env, running_servers

pytestmark = pytest.mark.timeout(120)

MAX_HEADER_BYTES = 4096
TIMEOUT_S = 1
WAIT_S = 15.0  # how long a test waits for the server to act, at most
MAX_CONNECTIONS = 4


def start_server(workdir: Path, **settings: str) -> Iterator[Server]:
    env = base_env(DATABASE_URL=f"sqlite:///{workdir / 'bounds.db'}", **settings)
    global_chat(env, "migrate", cwd=workdir)
    with running_servers(workdir) as servers:
        (server,) = servers.start(env, name="bounds")
        yield server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from start_server(
        tmp_path_factory.mktemp("bounds"),
        HTTP_MAX_HEADER_BYTES=str(MAX_HEADER_BYTES),
        HTTP_HEADER_TIMEOUT=str(TIMEOUT_S),
        HTTP_BODY_TIMEOUT=str(TIMEOUT_S),
    )


@pytest.fixture(scope="module")
def capped_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from start_server(
        tmp_path_factory.mktemp("capped"), HTTP_MAX_CONNECTIONS=str(MAX_CONNECTIONS), HTTP_KEEP_ALIVE_TIMEOUT="60"
    )


def connect(server: Server) -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", server.port), timeout=WAIT_S)
    connection.settimeout(WAIT_S)
    return connection


def read_until_closed(connection: socket.socket) -> bytes:
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    return received


def read_response(connection: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One whole response (with a Content-Length) from the connection."""
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = connection.recv(65536)
        assert chunk, f"closed before a response: {received!r}"
        received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    while len(body) < int(headers.get("content-length", 0)):
        chunk = connection.recv(65536)
        assert chunk, "closed in the middle of the body"
        body += chunk
    return int(status_line.split()[1]), headers, body


def assert_contract_error(
    status: int, headers: dict[str, str], body: bytes, our_schemas: ContractSchemas, code: str = "invalid_request"
) -> None:
    assert headers["content-type"] == "application/json", (status, headers, body)
    assert our_schemas.errors("ErrorResponse", json.loads(body)) == []
    assert json.loads(body)["code"] == code
    assert headers["x-request-id"]
    assert headers["connection"] == "close"


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


# -- the request head ---------------------------------------------------------------------------------


def test_a_head_past_the_bound_is_a_431_in_the_contracts_shape(server: Server, our_schemas: ContractSchemas) -> None:
    with connect(server) as connection:
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * MAX_HEADER_BYTES + b"\r\n\r\n")
        status, headers, body = read_response(connection)
        rest = read_until_closed(connection)

    assert status == 431
    assert_contract_error(status, headers, body, our_schemas)
    assert rest == b""  # and the connection is closed


def test_a_head_just_under_the_bound_is_served(server: Server) -> None:
    head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: \r\n\r\n"
    filler = b"a" * (MAX_HEADER_BYTES - len(head))
    with connect(server) as connection:
        connection.sendall(head.replace(b"X-Big: ", b"X-Big: " + filler))
        status, _, _ = read_response(connection)

    assert status == 200


def test_huge_headers_cost_the_worker_no_memory(server: Server) -> None:
    """The issue's attack: four 32 MiB headers before any authentication (118 -> 332 MiB in the worker)."""
    before = rss_kib(server.pid)
    for _ in range(4):
        with connect(server) as connection:
            connection.sendall(b"POST /v1/sessions/chat HTTP/1.1\r\nHost: x\r\nX-Flood: ")
            try:
                for _ in range(32 * 16):  # up to 32 MiB, 64 KiB at a time; the server hangs up long before
                    connection.sendall(b"a" * 65536)
            except OSError:  # reset or broken pipe: the server closed the connection
                pass
    after = rss_kib(server.pid)

    assert after - before < 16 * 1024, f"the worker grew by {(after - before) // 1024} MiB"


def test_a_head_that_never_completes_is_a_408(server: Server, our_schemas: ContractSchemas) -> None:
    with connect(server) as connection:
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # no blank line: the head goes on
        status, headers, body = read_response(connection)

    assert status == 408
    assert_contract_error(status, headers, body, our_schemas)


def test_a_head_dribbled_a_byte_at_a_time_is_cut_off(server: Server) -> None:
    """The timer runs from the head's first byte: a byte now and then does not keep it alive."""
    head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200 + b"\r\n\r\n"
    answer = b""
    with connect(server) as connection:
        connection.settimeout(0.2)
        for byte in head:  # 0.2 s a byte at most: 47 s for the whole head, were it allowed
            try:
                connection.sendall(bytes([byte]))
                answer += connection.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                break
            if answer:
                break

    assert answer.startswith(b"HTTP/1.1 408 ")


def test_a_connection_that_sends_nothing_is_closed_without_an_answer(server: Server) -> None:
    with connect(server) as connection:
        assert read_until_closed(connection) == b""


# -- the request body ---------------------------------------------------------------------------------


def test_a_body_that_never_completes_closes_the_connection(server: Server) -> None:
    with connect(server) as connection:
        connection.sendall(
            b"POST /v1/sessions/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100\r\n\r\n{"
        )
        assert read_until_closed(connection) == b""
    assert httpx.post(server.chat_url, timeout=10).status_code == 200  # the server itself is fine


def responses_of(received: bytes) -> list[tuple[int, bytes]]:
    """(status, body) of each response in `received`, every one with a Content-Length."""
    found = []
    while received:
        head, _, rest = received.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
        length = int(headers["content-length"])
        found.append((int(status_line.split()[1]), rest[:length]))
        received = rest[length:]
    return found


def test_bytes_past_a_declared_length_are_the_next_request_not_the_body(server: Server) -> None:
    """A body is what its Content-Length declares (RFC 9112 6.3): a client that sends more gets its declared
    body served (`{}`, a session; had the app been given the rest too, a 400 for JSON that does not parse),
    and what follows is read as the next request on the connection (here one the server answers)."""
    with connect(server) as connection:
        connection.sendall(
            b"POST /v1/sessions/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 2\r\n\r\n{}GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        (first, session), (second, _) = responses_of(read_until_closed(connection))

    assert first == 200
    assert json.loads(session)["id"].startswith("session_")
    assert second == 200


# -- what the HTTP parser refuses ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_bytes",
    [
        pytest.param(b"BREW /healthz HTTP/1.1\r\nHost: x\r\n\r\n", id="unknown method"),
        pytest.param(b"POST /v1/sessions/chat HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", id="bad length"),
        pytest.param(
            b"POST /v1/sessions/chat HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            id="length and chunked",
        ),
        pytest.param(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Nul: a\x00b\r\n\r\n", id="NUL in a header"),
        pytest.param(b"GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n", id="unknown version"),
    ],
)
def test_what_the_parser_refuses_is_the_contracts_400(
    server: Server, our_schemas: ContractSchemas, request_bytes: bytes
) -> None:
    with connect(server) as connection:
        connection.sendall(request_bytes)
        status, headers, body = read_response(connection)

    assert status == 400
    assert_contract_error(status, headers, body, our_schemas)


def test_an_upgrade_request_is_plain_http_and_logs_nothing(server: Server) -> None:
    """No WebSocket here: the request is served as HTTP, without a warning per request in the log."""
    with connect(server) as connection:
        connection.sendall(
            b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        status, _, _ = read_response(connection)

    assert status == 200
    assert "upgrade" not in server.log_path.read_text(errors="replace").lower()


# -- connections --------------------------------------------------------------------------------------


def test_a_connection_past_the_cap_is_a_503_and_the_others_are_served(
    capped_server: Server, our_schemas: ContractSchemas
) -> None:
    request = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    kept = [connect(capped_server) for _ in range(MAX_CONNECTIONS)]
    try:
        for connection in kept:  # each served once, then kept alive
            connection.sendall(request)
            assert read_response(connection)[0] == 200
        with connect(capped_server) as extra:
            extra.sendall(request)
            status, headers, body = read_response(extra)
        for connection in kept:  # the connections already there are still served
            connection.sendall(request)
            assert read_response(connection)[0] == 200
    finally:
        for connection in kept:
            connection.close()

    assert status == 503
    assert int(headers["retry-after"]) >= 1
    assert_contract_error(status, headers, body, our_schemas, code="service_unavailable")


# -- the log -----------------------------------------------------------------------------------------


def test_one_access_line_per_request_without_the_query_string(server: Server) -> None:
    secret = "k" + str(time.time_ns())
    request_id = "bounds-" + secret

    response = httpx.post(
        f"{server.chat_url}?api_key={secret}&access_token={secret}", headers={"X-Request-Id": request_id}, timeout=10
    )
    httpx.get(f"{server.base_url}/healthz", timeout=10)  # a request after it: the line above is written

    assert response.status_code == 400  # strict validation: no such query parameters
    log = server.log_path.read_text(errors="replace")
    assert secret not in log.replace(request_id, "")
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    (access,) = [line for line in lines if line.get("request_id") == request_id and line["event"] == "request"]
    assert (access["path"], access["status"], access["logger"]) == ("/v1/sessions/chat", 400, "global_chat.access")
    assert not [line for line in lines if line.get("logger") == "uvicorn.access"]
