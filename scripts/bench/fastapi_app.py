"""The peer of the benchmark: the same POST /v1/sessions/chat as a FastAPI app written the way FastAPI
apps are written (a pydantic request model, a declared response model, a dependency for the caller),
around our real credentials check and get-or-create (storage, serialization).

The endpoint answers with a Response holding the session our presenter serialized, which FastAPI passes
through without re-validating it against `response_model`: the same work as ours with
RESPONSE_VALIDATION=false.

FastAPI 0.165 ships native OpenTelemetry hooks, on by default (`FastAPI(telemetry=...)`, its
TelemetryConfig: `tracing`, `metrics`, `logs`, `operation_spans`, all True). With no OpenTelemetry
provider configured they record nothing, but the app still asks on every request whether they are on
(`NativeTelemetry.enabled()`), keeps its ExceptionTelemetryMiddleware in the stack and fills its
per-request telemetry data in routing. `make bench` measures the peer both ways: as shipped
(`create_app`) and with every hook turned off, as a user who cares about speed writes it
(`create_app_without_telemetry`), and holds ours to the faster of the two.

    uvicorn --factory --app-dir . scripts.bench.fastapi_app:create_app
    uvicorn --factory --app-dir . scripts.bench.fastapi_app:create_app_without_telemetry
"""

# No `from __future__ import annotations`: FastAPI reads the endpoint's annotations at run time, and
# they name dependencies local to create_app().
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.telemetry import TelemetryConfig
from starlette.exceptions import HTTPException

from global_chat.errors import DomainError, RequestRefused
from global_chat.identity import Identity
from global_chat.settings import Settings
from global_chat_generated.models import ErrorResponse, GetOrCreateChatSessionRequest, WithUrlsSession
from scripts.bench.common import CHAT_PATH, JSON, InvalidRequest, build_core, error_parts, require_json


def _error_response(exc: DomainError, extra_headers: Mapping[str, str] | None = None) -> Response:
    status, body, headers = error_parts(exc)
    return Response(body, status, headers={**headers, **(extra_headers or {})}, media_type=JSON)


def _validation_message(exc: RequestValidationError) -> str:
    errors = exc.errors()
    if not errors:
        return "the body does not match the contract"
    first = errors[0]
    where = " - ".join(str(part) for part in first.get("loc", ()) if part != "body")
    return f"{first.get('msg', 'invalid')}{f' - {where!r}' if where else ''}"


TELEMETRY_OFF: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False, "operation_spans": False}
"""FastAPI's documented switches (fastapi.telemetry.TelemetryConfig), every one off."""


def create_app_without_telemetry(settings: Settings | None = None) -> FastAPI:
    return create_app(settings, telemetry=TELEMETRY_OFF)


def create_app(settings: Settings | None = None, telemetry: TelemetryConfig | None = None) -> FastAPI:
    """As shipped (FastAPI's telemetry defaults) unless `telemetry` says otherwise."""
    core = build_core(settings)

    async def caller(authorization: Annotated[str | None, Header()] = None) -> Identity:
        return await core.authenticate(authorization)

    async def json_only(content_type: Annotated[str | None, Header()] = None) -> None:
        require_json(content_type)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await core.close()

    app = FastAPI(title="global chat (FastAPI peer)", lifespan=lifespan, telemetry=telemetry)
    app.state.core = core

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        return _error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        return _error_response(InvalidRequest(_validation_message(exc)))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        # FastAPI's own 400 for an unparsable body (e.g. not UTF-8), and routing's 404/405.
        if exc.status_code == 400:
            return _error_response(InvalidRequest(str(exc.detail)))
        return _error_response(RequestRefused(str(exc.detail), status=exc.status_code), exc.headers)

    @app.post(
        CHAT_PATH,
        response_model=WithUrlsSession,
        response_model_exclude_none=True,
        responses={code: {"model": ErrorResponse} for code in (400, 401, 415, 429, 503)},
        operation_id="get_or_create_chat_session",
    )
    async def get_or_create_chat_session(
        identity: Annotated[Identity, Depends(caller)],
        _media_type: Annotated[None, Depends(json_only)],
        body: GetOrCreateChatSessionRequest | None = None,
    ) -> Response:
        locale = body.locale if body is not None else None
        return Response(await core.get_or_create_chat_session(identity, locale), media_type=JSON)

    return app
