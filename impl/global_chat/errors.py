"""The one error hierarchy of the service, the framework's errors included, and the one renderer of
the contract's ErrorResponse.

Services raise these; the web layer turns every other failure (a request the contract refuses, an
unknown route, an unreachable database, a bug) into one of them and renders it here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import ClassVar

from global_chat.ratelimit import QuotaState, ratelimit_headers
from global_chat_generated.models import (
    AllowedAction,
    ConditionalErrorCode,
    ErrorCode,
    ErrorResponse,
    PreconditionFailedResponse,
    ProblemDetails,
)

AUTH_CHALLENGE = 'Bearer realm="everruns", ApiKey realm="everruns"'


@dataclass(frozen=True)
class Action:
    """An error-recovery link (`rel` from the closed vocabulary: retry, retry-later, get-existing, ...)."""

    rel: str
    hint: str | None = None
    this_operation: bool = False
    """The action is to call the failed operation again: the renderer names it (from the routing context)."""

    @classmethod
    def retry_later(cls, seconds: int, *, this_operation: bool = False) -> Action:
        return cls("retry-later", hint=f"Retry after {seconds} seconds.", this_operation=this_operation)


class DomainError(Exception):
    """Each subclass names its status and its `code` (the contract's ErrorCode, a closed vocabulary): the
    renderer takes both from the class, so an error cannot be sent without them."""

    status = 500
    code: ClassVar[ErrorCode | ConditionalErrorCode] = ErrorCode.internal_error
    """ErrorCode; ConditionalErrorCode for an answer only a conditional request can get (its own body)."""
    message = "Internal server error."

    def __init__(
        self,
        message: str | None = None,
        *,
        actions: Sequence[Action] = (),
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message
        self.actions = tuple(actions)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)} if self.retry_after is not None else {}


class BadRequest(DomainError):
    status = 400
    code = ErrorCode.invalid_request
    message = "The request is malformed."


class InvalidRequest(BadRequest):
    """The request does not match the contract (body, parameters, encoding)."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            f"Invalid request: {detail}",
            actions=[
                Action("retry", hint="Fix the request to match the contract, then send it again.", this_operation=True)
            ],
        )


class InvalidLocale(BadRequest):
    code = ErrorCode.invalid_locale

    def __init__(self, locale: str) -> None:
        super().__init__(
            f"Invalid locale {locale!r}: not a well-formed BCP 47 language tag.",
            actions=[
                Action("retry", hint='Send a BCP 47 locale such as "uk-UA", or omit "locale".', this_operation=True)
            ],
        )


class Unauthorized(DomainError):
    status = 401
    code = ErrorCode.unauthorized
    message = (
        "Authentication required: send a valid API key or bearer token in the Authorization header "
        "(or, from the web UI, the access_token cookie)."
    )

    def __init__(self) -> None:
        # One message for every reason (missing, malformed, unknown, expired, revoked): the answer
        # never tells a caller which keys or organizations exist.
        super().__init__()

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": AUTH_CHALLENGE}


class Forbidden(DomainError):
    """Valid credentials, but this request may not proceed."""

    status = 403
    code = ErrorCode.forbidden
    message = "Forbidden."


class CrossSiteRequest(Forbidden):
    """A request authenticated by the login cookie that a page of another site may have sent (CSRF)."""

    message = (
        "Cross-site request refused: a request that authenticates with the access_token cookie must come from "
        "the web UI (an Origin listed in UI_ORIGINS), or send Content-Type: application/json without an Origin. "
        "API clients: send the credential in the Authorization header instead."
    )


class OrganizationMismatch(Forbidden):
    """The caller asked for an organization its credential does not belong to: never answered for it."""

    code = ErrorCode.organization_mismatch

    def __init__(self, *, selector: str, requested: str, credential_organization: str) -> None:
        super().__init__(
            f"{selector} names organization {requested}, but the credential belongs to {credential_organization}; "
            f"send {credential_organization} or leave {selector} out."
        )


class NotFound(DomainError):
    status = 404
    code = ErrorCode.not_found
    message = "Not found."


class RouteNotFound(NotFound):
    message = "No such resource."


class MethodNotAllowed(DomainError):
    status = 405
    code = ErrorCode.method_not_allowed
    message = "Method not allowed on this resource."

    def __init__(self, allow: str) -> None:
        super().__init__()
        self.allow = allow

    def headers(self) -> dict[str, str]:
        return {"Allow": self.allow}


class PayloadTooLarge(DomainError):
    status = 413
    code = ErrorCode.payload_too_large

    def __init__(self, limit: int) -> None:
        super().__init__(f"Request body exceeds {limit} bytes.")


class RequestTimeout(DomainError):
    """The client took longer than the server allows to send its request head (web/http_protocol.py)."""

    status = 408
    code = ErrorCode.invalid_request
    message = "The request took too long to arrive; send it again, faster."


class HeadersTooLarge(DomainError):
    """The request line and headers are larger than the server accepts (web/http_protocol.py)."""

    status = 431
    code = ErrorCode.invalid_request

    def __init__(self, limit: int) -> None:
        super().__init__(f"Request line and headers exceed {limit} bytes.")


class UnsupportedMediaType(DomainError):
    status = 415
    code = ErrorCode.unsupported_media_type
    message = "Unsupported media type; send application/json."


class PreconditionFailed(DomainError):
    """If-Match names no current entity tag of the resource: the write was not applied (RFC 9110 13.1.1)."""

    status = 412
    code = ConditionalErrorCode("precondition_failed")
    message = (
        "The session has changed since you read it: If-Match does not match its current ETag. Nothing was changed."
    )

    def __init__(self, current_etag: str) -> None:
        super().__init__(
            actions=[
                Action(
                    "retry",
                    hint="Read the session again (its current ETag is in this answer's ETag header), "
                    "re-apply your change to it, and send it with that ETag in If-Match.",
                    this_operation=True,
                )
            ]
        )
        self.current_etag = current_etag

    def headers(self) -> dict[str, str]:
        return {"ETag": self.current_etag}


class RateLimited(DomainError):
    status = 429
    code = ErrorCode.rate_limited
    message = "Session creation rate limit exceeded; retry later."

    def __init__(self, retry_after: int, quotas: Sequence[QuotaState] = ()) -> None:
        super().__init__(
            retry_after=retry_after,
            actions=[Action.retry_later(retry_after, this_operation=True)],
        )
        self.quotas = tuple(quotas)

    def headers(self) -> dict[str, str]:
        return super().headers() | ratelimit_headers(self.quotas)


class RequestRefused(BadRequest):
    """Any other refusal of the framework's for a client error (a 4xx of its own status, not listed above)."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


class InternalError(DomainError):
    """A bug of ours: the details go to the log under the request id, never to the caller."""


class ServiceUnavailable(DomainError):
    status = 503
    code = ErrorCode.service_unavailable
    message = "Service temporarily unavailable; retry later."

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after=retry_after, actions=[Action.retry_later(retry_after)])


class SingletonContended(ServiceUnavailable):
    """The caller's global chat session was deleted (by the caller's own concurrent calls) each time it
    was about to be returned: nothing is wrong with the service, a retry gets a session."""

    message = "The global chat session was deleted while it was being fetched; retry."


class TooManyConnections(ServiceUnavailable):
    """The worker serves as many connections as it is allowed to (web/http_protocol.py)."""

    message = "Too many connections to this server; retry later."


class DatabaseUnavailable(ServiceUnavailable):
    """The database cannot be reached (down, restarting, out of connections): a 503, never a 500."""


class DatabaseMisconfigured(DatabaseUnavailable):
    """The database answers, but not the way the settings say it does (DATABASE_URL is a connection pooler
    and DB_POOLER does not say so): a 503 for the caller, `detail` for the operator (log, /readyz, start-up)."""

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(retry_after=retry_after)
        self.detail = detail

    def __str__(self) -> str:
        return self.detail


JSON = "application/json"
PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE = "about:blank"
"""RFC 9457 4.2.1: the problem is what the status says; `code` is the machine-readable kind."""


def render(
    error: DomainError,
    *,
    operation_id: str | None = None,
    request_id: str | None = None,
    media_type: str = JSON,
    instance: str | None = None,
) -> tuple[int, bytes, Mapping[str, str]]:
    """The status, the body and the headers of `error` in `media_type`: the contract's ErrorResponse
    (`application/json`, the seed's `{"error": ...}` shape, unchanged) or its Problem Details
    (`application/problem+json`, RFC 9457: the same members plus `type`, `title`, `status`, `detail`,
    `instance`). Both are built from the generated models. In the ErrorResponse the request id is in
    the body of a 500 only (the caller needs it to report the bug); a Problem always carries it."""
    if media_type == PROBLEM_JSON:
        return error.status, _problem(error, operation_id, request_id, instance), error.headers()
    model: ErrorResponse | PreconditionFailedResponse
    if isinstance(error.code, ConditionalErrorCode):  # only a conditional request's answer has one
        model = PreconditionFailedResponse(
            error=error.message, code=error.code, allowed_actions=_actions(error, operation_id)
        )
    else:
        model = ErrorResponse(
            error=error.message,
            code=error.code,
            allowed_actions=_actions(error, operation_id),
            retry_after_seconds=error.retry_after,
            request_id=request_id if isinstance(error, InternalError) else None,
        )
    body = json.dumps(model.model_dump(mode="json", exclude_none=True), separators=(",", ":")).encode()
    return error.status, body, error.headers()


def _actions(error: DomainError, operation_id: str | None) -> list[AllowedAction] | None:
    return [
        AllowedAction(rel=a.rel, hint=a.hint, operation_id=operation_id if a.this_operation else None)
        for a in error.actions
    ] or None


def _problem(error: DomainError, operation_id: str | None, request_id: str | None, instance: str | None) -> bytes:
    model = ProblemDetails(
        type=PROBLEM_TYPE,
        title=HTTPStatus(error.status).phrase,
        status=error.status,
        detail=error.message,
        instance=instance,
        code=error.code,
        allowed_actions=_actions(error, operation_id),
        retry_after_seconds=error.retry_after,
        request_id=request_id,
    )
    return json.dumps(model.model_dump(mode="json", exclude_none=True), separators=(",", ":")).encode()
