"""The request id: the caller's X-Request-Id when it is safe to echo, else a new UUIDv7 (hex).

`begin` takes it from the request's headers and keeps it in a context variable, for the request's log
lines (logs.py), its 500 body (web/errors.py), its context (web/context.py) and its span (web/tracing.py);
`response_header` is the X-Request-Id line every answer carries, errors included. The layer that calls
them is web/observability.py's, which also observes the request: one layer and one `send` wrapper for
both. asgi-correlation-id, used before, was one more of each per request: folding it in saved about 6 µs
of CPU per request in process, the hot one (~260 µs) and the 401 (~60) alike (docs/performance.md).

The variable is set, not reset, when the request ends, like asgi-correlation-id did: a request is its
own task (uvicorn's), so it goes with the task, and what is logged after the app returns (uvicorn's line
for an exception that escaped the app) still carries the id.
"""

from __future__ import annotations

import logging
import re
from contextvars import ContextVar

import uuid_utils
from starlette.types import Scope

HEADER = "X-Request-Id"
_RAW_HEADER = HEADER.lower().encode("latin-1")
_SAFE = re.compile(r"[A-Za-z0-9._:-]{1,128}")
UNSAFE_MESSAGE = "Generated new request ID (%s), since request header value failed validation"
"""The warning when the caller's X-Request-Id is not safe to echo (asgi-correlation-id's words)."""

_current: ContextVar[str | None] = ContextVar("request_id", default=None)
log = logging.getLogger(__name__)


def new_request_id() -> str:
    return uuid_utils.uuid7().hex


def is_safe(value: str) -> bool:
    """Short and plain enough to echo into headers and logs."""
    return _SAFE.fullmatch(value) is not None


def begin(scope: Scope) -> str:
    """The request's id (the first X-Request-Id line when it is safe, else a new one), now the current one."""
    for name, value in scope["headers"]:
        if name == _RAW_HEADER:
            given = value.decode("latin-1")
            break
    else:
        given = ""
    if not given:
        request_id = new_request_id()
    elif is_safe(given):
        request_id = given
    else:
        request_id = new_request_id()
        log.warning(UNSAFE_MESSAGE, request_id)
    _current.set(request_id)
    return request_id


def response_header(request_id: str) -> tuple[bytes, bytes]:
    """The X-Request-Id line of an answer (ASGI's raw form)."""
    return _RAW_HEADER, request_id.encode("latin-1")


def current_request_id() -> str | None:
    return _current.get()


__all__ = ["HEADER", "begin", "current_request_id", "is_safe", "new_request_id", "response_header"]
