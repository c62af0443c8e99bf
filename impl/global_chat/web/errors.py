"""The one place that decides what a failure means for the caller: every exception that reaches
Connexion's ExceptionMiddleware (the framework's own included) becomes a member of the error
hierarchy (global_chat.errors) and is rendered by its one renderer as the contract's ErrorResponse.

- a request the contract refuses (a parameter or body the generated endpoint refuses, Connexion's 400/415) -> 400/415
- Starlette's routing: an unknown route -> 404, a method the path does not serve -> 405 with Allow
- Connexion's security refusals -> 401 (with the challenge) or 403
- the database cannot be reached (storage.failures.is_unavailable) -> 503 with Retry-After
- DATABASE_URL is a connection pooler that DB_POOLER does not declare (storage.failures.pooler_misconfiguration)
  -> the same 503 for the caller, and the reason and the remedy in the log
- anything else is a bug of ours -> 500 with the request id; the details go to the log only
"""

from __future__ import annotations

from connexion.exceptions import BadRequestProblem, ProblemException, UnsupportedMediaTypeProblem
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.middleware import ConnexionMiddleware
from connexion.middleware.routing import ROUTING_CONTEXT
from starlette.exceptions import HTTPException
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from global_chat.errors import JSON as ERROR_JSON
from global_chat.errors import (
    PROBLEM_JSON,
    DatabaseMisconfigured,
    DatabaseUnavailable,
    DomainError,
    Forbidden,
    InternalError,
    InvalidRequest,
    MethodNotAllowed,
    RateLimited,
    RequestRefused,
    RouteNotFound,
    Unauthorized,
    UnsupportedMediaType,
    render,
)
from global_chat.logs import get_logger
from global_chat.metrics import Metrics
from global_chat.storage.failures import is_unavailable, pooler_misconfiguration
from global_chat.web.request_id import current_request_id

log = get_logger("global_chat.errors")


def as_domain_error(exc: Exception, *, db_retry_after: int) -> DomainError:
    """What `exc` means for the caller, as a member of the one error hierarchy."""
    if isinstance(exc, DomainError):
        return exc
    if isinstance(exc, BadRequestProblem):
        return InvalidRequest(str(exc.detail or exc.title))
    if isinstance(exc, UnsupportedMediaTypeProblem):
        return UnsupportedMediaType(str(exc.detail or exc.title or UnsupportedMediaType.message))
    if isinstance(exc, HTTPException) and exc.status_code == 405:
        return MethodNotAllowed((exc.headers or {}).get("Allow", ""))
    if isinstance(exc, HTTPException) and exc.status_code == 404:
        return RouteNotFound()
    if isinstance(exc, ProblemException) and exc.status == 401:
        return Unauthorized()
    if isinstance(exc, ProblemException) and exc.status == 403:
        return Forbidden()
    misconfiguration = pooler_misconfiguration(exc)
    if misconfiguration is not None:
        return DatabaseMisconfigured(misconfiguration, retry_after=db_retry_after)
    if is_unavailable(exc):
        return DatabaseUnavailable(retry_after=db_retry_after)
    status = exc.status_code if isinstance(exc, HTTPException) else getattr(exc, "status", None)
    if isinstance(status, int) and 400 <= status < 500:  # any other refusal of the framework's
        return RequestRefused(str(getattr(exc, "detail", None) or "Request rejected."), status=status)
    return InternalError()


def error_media_type(accept: str | None) -> str:
    """`application/problem+json` when the caller's Accept prefers it to `application/json` (a client
    that names only problem+json, or gives it the higher q); the ErrorResponse otherwise, for every
    client that sends no Accept, `*/*`, `application/json`, or both at the same q (the official SDKs
    and the web UI read that shape)."""
    if not accept or "problem" not in accept.lower():
        return ERROR_JSON
    accepted = parse_accept_header(accept, MIMEAccept)
    if accepted[PROBLEM_JSON] > accepted[ERROR_JSON]:
        return PROBLEM_JSON
    return ERROR_JSON


def install_error_handlers(app: ConnexionMiddleware, *, metrics: Metrics, db_retry_after: int) -> None:
    """Register the one handler for every exception on Connexion's ExceptionMiddleware."""

    async def handle(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        error = as_domain_error(exc, db_retry_after=db_retry_after)
        if isinstance(error, RateLimited):
            metrics.rate_limited.inc()
        elif isinstance(error, DatabaseMisconfigured):
            metrics.database_errors.inc()
            log.error("database misconfigured", detail=error.detail)
        elif isinstance(error, DatabaseUnavailable):
            metrics.database_errors.inc()
            # the driver's own message only: the wrapped SQL statement could carry parameters
            detail = str(getattr(exc, "orig", None) or exc.__cause__ or exc)[:300]
            log.warning("database unavailable", error=type(exc).__name__, detail=detail)
        elif isinstance(error, InternalError):
            log.error("unexpected error", exc_info=exc)
        elif error.status >= 500:
            log.error("request failed", error=error.message)
        routing = request.scope.get("extensions", {}).get(ROUTING_CONTEXT, {})
        media_type = error_media_type(request.headers.get("accept"))
        status, body, headers = render(
            error,
            operation_id=routing.get("operation_id"),
            request_id=current_request_id(),
            media_type=media_type,
            instance=request.url.path,
        )
        return ConnexionResponse(status_code=status, body=body, mimetype=media_type, headers=dict(headers))

    for exception in (Exception, HTTPException, ProblemException):
        app.add_error_handler(exception, handle)
