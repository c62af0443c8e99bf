"""The floor of the benchmark: a raw Starlette app serving POST /v1/sessions/chat with our real
credentials check and get-or-create (storage, serialization), and no framework validation at all: the
optional body is checked by hand (no body, JSON null, or an object with an optional string `locale`).

    uvicorn --factory --app-dir . scripts.bench.floor_app:create_app
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from global_chat.errors import DomainError
from global_chat.settings import Settings
from scripts.bench.common import CHAT_PATH, JSON, InvalidRequest, build_core, error_parts, require_json


def parse_locale(content_type: str | None, raw: bytes) -> str | None:
    """The `locale` of the optional body; a DomainError (400 or 415) for anything the contract refuses."""
    require_json(content_type)
    if not raw:
        return None
    try:
        body: Any = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidRequest("the body is not valid utf-8 text") from None
    except (json.JSONDecodeError, RecursionError) as exc:
        raise InvalidRequest(f"the body is not valid JSON ({exc})") from None
    if body is None:
        return None
    if not isinstance(body, dict):
        raise InvalidRequest(f"the body is a JSON {type(body).__name__}, not an object")
    locale = body.get("locale")
    if locale is not None and not isinstance(locale, str):
        raise InvalidRequest(f"'locale' is a JSON {type(locale).__name__}, not a string")
    return locale


def create_app(settings: Settings | None = None) -> Starlette:
    core = build_core(settings)

    async def get_or_create_chat_session(request: Request) -> Response:
        try:
            identity = await core.authenticate(request.headers.get("authorization"))
            locale = parse_locale(request.headers.get("content-type"), await request.body())
            body = await core.get_or_create_chat_session(identity, locale)
        except DomainError as exc:
            status, error, headers = error_parts(exc)
            return Response(error, status, headers=headers, media_type=JSON)
        return Response(body, 200, media_type=JSON)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await core.close()

    app = Starlette(routes=[Route(CHAT_PATH, get_or_create_chat_session, methods=["POST"])], lifespan=lifespan)
    app.state.core = core
    return app
