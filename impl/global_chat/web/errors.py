"""Every error, the framework's included, answered with the contract's ErrorResponse as application/json."""

from __future__ import annotations

from collections.abc import Mapping

from connexion import AsyncApp
from connexion.exceptions import BadRequestProblem, ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.middleware.routing import ROUTING_CONTEXT
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException

from global_chat.errors import (
    AUTH_CHALLENGE,
    Action,
    DomainError,
    RateLimited,
    ServiceUnavailable,
    error_body,
    render,
)
from global_chat.logs import get_logger
from global_chat.metrics import Metrics
from global_chat.web.middleware import REQUEST_ID_SCOPE_KEY

log = get_logger("global_chat.errors")

_STATUS_MESSAGES = {
    401: "Authentication required.",
    404: "No such resource.",
    405: "Method not allowed on this resource.",
    415: "Unsupported media type; send application/json.",
}


def _response(status: int, body: bytes, headers: Mapping[str, str] | None = None) -> ConnexionResponse:
    return ConnexionResponse(status_code=status, body=body, mimetype="application/json", headers=dict(headers or {}))


def _request_id(request: ConnexionRequest) -> str | None:
    value = request.scope.get(REQUEST_ID_SCOPE_KEY)
    return value if isinstance(value, str) else None


def _operation_id(request: ConnexionRequest) -> str | None:
    routing = request.scope.get("extensions", {}).get(ROUTING_CONTEXT, {})
    value = routing.get("operation_id")
    return value if isinstance(value, str) else None


def install_error_handlers(app: AsyncApp, *, metrics: Metrics, db_retry_after: int) -> None:
    async def domain_error(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        assert isinstance(exc, DomainError)
        if isinstance(exc, RateLimited):
            metrics.rate_limited.inc()
        if exc.status >= 500:
            log.error("request failed", error=exc.message)
        status, body, headers = render(exc, _request_id(request) if exc.status >= 500 else None)
        return _response(status, body, headers)

    async def problem(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        assert isinstance(exc, ProblemException)
        status = exc.status or 500
        if status >= 500:
            # e.g. a response that does not conform to the contract: a bug of ours, logged, never detailed.
            log.error("request failed", error=str(exc.title), detail=str(exc.detail))
            return _response(500, error_body("Internal server error.", request_id=_request_id(request)))
        message = str(exc.detail or exc.title or _STATUS_MESSAGES.get(status, "Request rejected."))
        headers: dict[str, str] = dict(exc.headers or {})
        actions: list[Action] = []
        if status == 401:
            message = "Authentication required: send a valid API key or bearer token in Authorization."
            headers["WWW-Authenticate"] = AUTH_CHALLENGE
        elif isinstance(exc, BadRequestProblem):
            message = f"Invalid request: {message}"
            hint = "Fix the request to match the contract, then send it again."
            actions = [Action("retry", hint=hint, operation_id=_operation_id(request))]
        return _response(status, error_body(message, actions=actions), headers)

    async def http_error(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        assert isinstance(exc, HTTPException)
        message = _STATUS_MESSAGES.get(exc.status_code, str(exc.detail))
        return _response(exc.status_code, error_body(message), exc.headers)

    async def database_unavailable(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        metrics.database_errors.inc()
        # the driver's own message only: the wrapped SQL statement could carry parameters
        log.warning(
            "database unavailable", error=type(exc).__name__, detail=str(getattr(exc, "orig", None) or exc)[:300]
        )
        status, body, headers = render(ServiceUnavailable(retry_after=db_retry_after))
        return _response(status, body, headers)

    async def unexpected(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        if isinstance(exc, DBAPIError) and exc.connection_invalidated:
            return await database_unavailable(request, exc)
        log.error("unexpected error", exc_info=exc)
        return _response(500, error_body("Internal server error.", request_id=_request_id(request)))

    app.add_error_handler(DomainError, domain_error)
    app.add_error_handler(ProblemException, problem)
    app.add_error_handler(HTTPException, http_error)
    for db_error in (OperationalError, InterfaceError, PoolTimeout, ConnectionError, TimeoutError, OSError):
        app.add_error_handler(db_error, database_unavailable)
    app.add_error_handler(Exception, unexpected)
