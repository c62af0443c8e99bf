"""The credentials check reads the request's headers and cookies from the ASGI scope itself
(web/security.py `headers_and_cookies`, one pass, no request object): what it reads must be what
Starlette's request, which Connexion's security layer would build, gives for the same names."""

from __future__ import annotations

import pytest
from starlette.requests import HTTPConnection

from global_chat.web.security import headers_and_cookies

READ = ("authorization", "origin", "referer", "content-type", "x-org-id")

CASES: dict[str, list[tuple[bytes, bytes]]] = {
    "none": [],
    "an API key": [(b"authorization", b"gc_key"), (b"content-type", b"application/json")],
    "repeated lines: the first one": [
        (b"authorization", b"Bearer a"),
        (b"authorization", b"Bearer b"),
        (b"x-org-id", b"org_1"),
        (b"x-org-id", b"org_2"),
    ],
    "a name not in lower case (ASGI sends lower case: Starlette does not match it)": [
        (b"Authorization", b"ignored"),
        (b"X-Org-Id", b"ignored"),
    ],
    "cookies of every Cookie line, a later one winning": [
        (b"cookie", b"access_token=a; everruns_org=org_1"),
        (b"user-agent", b"x"),
        (b"cookie", b"everruns_org=org_2; other=1"),
    ],
    "an empty Cookie line": [(b"cookie", b""), (b"origin", b"https://ui.example")],
    "latin-1 text": [(b"referer", "https://ui.example/\xe9".encode("latin-1")), (b"cookie", b"n=\xe9")],
    "unread headers": [(b"accept", b"*/*"), (b"x-request-id", b"r"), (b"host", b"h")],
}


@pytest.mark.parametrize("raw", CASES.values(), ids=CASES.keys())
def test_what_the_check_reads_is_what_starlettes_request_gives(raw: list[tuple[bytes, bytes]]) -> None:
    scope = {"type": "http", "method": "POST", "path": "/", "headers": list(raw)}
    headers, cookies = headers_and_cookies(scope)
    request = HTTPConnection({**scope, "headers": list(raw)})
    assert {name: headers.get(name) for name in READ} == {name: request.headers.get(name) for name in READ}
    assert set(headers) <= set(READ)
    assert cookies == request.cookies
