"""Structured JSON logs (structlog), one line per event, with the request id bound per request.

The standard library's loggers (uvicorn, Connexion, SQLAlchemy) go through the same renderer, so
every line on stdout is JSON. Nothing here logs headers: credentials and keys never reach the log.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

import structlog

RequestIdSource = Callable[[], str | None]
_request_id: RequestIdSource = lambda: None  # noqa: E731 - replaced by configure_logging


def add_request_id(_logger: Any, _method: str, event: structlog.types.EventDict) -> structlog.types.EventDict:
    request_id = _request_id()
    if request_id is not None:
        event.setdefault("request_id", request_id)
    return event


_SHARED: list[structlog.types.Processor] = [
    add_request_id,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def configure_logging(level: str, request_id: RequestIdSource | None = None) -> None:
    """JSON lines on stdout at `level`; each line of a request carries `request_id()` when it is set."""
    global _request_id
    if request_id is not None:
        _request_id = request_id
    structlog.configure(
        # filter_by_level first: a line below LOG_LEVEL costs one comparison, not the whole chain.
        processors=[structlog.stdlib.filter_by_level, *_SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=_SHARED,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                structlog.processors.JSONRenderer(),
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # The access log is ours (web/observability.py: one line per request, the path without its query
    # string, which can carry credentials). uvicorn writes its own line whenever its logger has a
    # handler up the tree, query string included: it gets none.
    uvicorn_access = logging.getLogger("uvicorn.access")
    uvicorn_access.handlers[:] = []
    uvicorn_access.propagate = False
    # Warnings (a library's deprecation, SQLAlchemy's SAWarning, ...) are log lines like any other:
    # JSON on stdout, not raw text on stderr.
    logging.captureWarnings(True)
    # Connexion logs every validation failure at INFO; the access log line already says 400.
    logging.getLogger("connexion").setLevel(max(logging.WARNING, root.level))


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.get_logger(name)
    return logger
