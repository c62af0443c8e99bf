"""The one error hierarchy of the service and the one renderer of the contract's ErrorResponse."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from global_chat_generated.models import AllowedAction, ErrorResponse

CHAT_OPERATION = "get_or_create_chat_session"
AUTH_CHALLENGE = 'Bearer realm="everruns", ApiKey realm="everruns"'


@dataclass(frozen=True)
class Action:
    """An error-recovery link (`rel` from the closed vocabulary: retry, retry-later, ...)."""

    rel: str
    hint: str | None = None
    operation_id: str | None = None


class DomainError(Exception):
    status = 500
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
    message = "The request is malformed."


class InvalidLocale(BadRequest):
    def __init__(self, locale: str) -> None:
        super().__init__(
            f"Invalid locale {locale!r}: not a well-formed BCP 47 language tag.",
            actions=[
                Action(
                    "retry",
                    hint='Send a BCP 47 locale such as "uk-UA", or omit "locale".',
                    operation_id=CHAT_OPERATION,
                )
            ],
        )


class Unauthorized(DomainError):
    status = 401
    message = "Authentication required."

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": AUTH_CHALLENGE}


class NotFound(DomainError):
    status = 404
    message = "Not found."


class RateLimited(DomainError):
    status = 429
    message = "Session creation rate limit exceeded; retry later."

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            retry_after=retry_after,
            actions=[Action("retry-later", hint=f"Retry after {retry_after} seconds.", operation_id=CHAT_OPERATION)],
        )


class ServiceUnavailable(DomainError):
    status = 503
    message = "Service temporarily unavailable; retry later."

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            retry_after=retry_after, actions=[Action("retry-later", hint=f"Retry after {retry_after} seconds.")]
        )


def error_body(
    message: str,
    *,
    actions: Sequence[Action] = (),
    retry_after: int | None = None,
    request_id: str | None = None,
) -> bytes:
    """The contract's ErrorResponse, serialized; built from the generated model so it stays in step."""
    model = ErrorResponse(
        error=message,
        allowed_actions=[AllowedAction(rel=a.rel, hint=a.hint, operation_id=a.operation_id) for a in actions] or None,
        retry_after_seconds=retry_after,
        request_id=request_id,
    )
    return json.dumps(model.model_dump(mode="json", exclude_none=True), separators=(",", ":")).encode()


def render(error: DomainError, request_id: str | None = None) -> tuple[int, bytes, Mapping[str, str]]:
    body = error_body(error.message, actions=error.actions, retry_after=error.retry_after, request_id=request_id)
    return error.status, body, error.headers()
