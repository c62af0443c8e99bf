"""The request id: the caller's X-Request-Id when it is safe to echo, else a new UUIDv7 (hex).

asgi-correlation-id keeps it in a context variable for the request's log lines and 500 body and
returns it in the X-Request-Id response header, errors included.
"""

from __future__ import annotations

import re

import uuid_utils
from asgi_correlation_id import CorrelationIdMiddleware, correlation_id
from starlette.types import ASGIApp

HEADER = "X-Request-Id"
_SAFE = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def new_request_id() -> str:
    return uuid_utils.uuid7().hex


def is_safe(value: str) -> bool:
    """Short and plain enough to echo into headers and logs."""
    return _SAFE.fullmatch(value) is not None


def request_id_middleware(app: ASGIApp) -> CorrelationIdMiddleware:
    return CorrelationIdMiddleware(
        app, header_name=HEADER, generator=new_request_id, validator=is_safe, update_request_header=False
    )


def current_request_id() -> str | None:
    return correlation_id.get()


__all__ = ["HEADER", "correlation_id", "current_request_id", "request_id_middleware"]
