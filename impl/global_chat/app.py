"""create_app(): the Connexion AsyncApp serving the contract, with every dependency built once."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from connexion import AsyncApp
from connexion.middleware import ConnexionMiddleware, MiddlewarePosition
from connexion.middleware.request_validation import RequestValidationMiddleware
from connexion.middleware.response_validation import ResponseValidationMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver
from starlette.types import Receive, Scope, Send

from global_chat.logs import configure_logging
from global_chat.settings import Settings
from global_chat.web.container import build_container
from global_chat.web.errors import install_error_handlers
from global_chat.web.middleware import RequestBoundary, RouteTable
from global_chat.web.operations import ContractApi
from global_chat.web.security import Authenticator, security_map
from global_chat.web.validation import CompiledRequestValidationMiddleware
from global_chat.web.validators import VALIDATOR_MAP
from global_chat_generated import server

UI_PATH = "/v1/ui"
SPEC_PATH = "/v1/openapi.json"


def load_contract() -> dict[str, Any]:
    """The contract as shipped inside the generated package (a copy of openapi/openapi.yaml)."""
    text = resources.files("global_chat_generated").joinpath("openapi.yaml").read_text(encoding="utf-8")
    contract: dict[str, Any] = yaml.safe_load(text)
    return contract


class DocsOnlySwaggerUIMiddleware(SwaggerUIMiddleware):  # type: ignore[misc]
    """Connexion's Swagger UI middleware matches every request against its routes before passing it
    on; only the docs' own paths can match, so every other request goes straight to the next layer."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and not (path.startswith(UI_PATH) or path == SPEC_PATH):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def middlewares(*, validate_responses: bool) -> list[Any]:
    """Connexion's default stack, with request validation compiled per operation (web/validation.py),
    the Swagger UI layer consulted only for the docs' paths, and, when responses are not validated,
    without the response-validation layer at all."""
    chosen = []
    for middleware in ConnexionMiddleware.default_middlewares:
        if middleware is RequestValidationMiddleware:
            chosen.append(CompiledRequestValidationMiddleware)
        elif middleware is SwaggerUIMiddleware:
            chosen.append(DocsOnlySwaggerUIMiddleware)
        elif middleware is not ResponseValidationMiddleware or validate_responses:
            chosen.append(middleware)
    return chosen


def create_app(settings: Settings | None = None) -> AsyncApp:
    settings = settings or Settings()
    configure_logging(settings.log_level)
    container = build_container(settings, list(server.OPERATIONS))
    authenticator = Authenticator(settings, container.database, container.accounts)
    contract = load_contract()

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        # Everything built so far (the contract, Connexion's routes and validators, the models) lives
        # as long as the process: move it out of the collector's way, so that full collections
        # under load do not walk it again and again (they showed up as the p99 tail).
        gc.collect()
        gc.freeze()
        yield
        await container.database.dispose()  # on shutdown, after the in-flight requests have finished

    app = AsyncApp(
        __name__,
        specification_dir=Path(__file__).parent,
        lifespan=lifespan,
        middlewares=middlewares(validate_responses=settings.response_validation),
    )
    # Connexion's hook for the class that turns each operation into an endpoint (see web/operations.py).
    app._middleware_app.api_cls = ContractApi
    app.add_api(
        contract,
        resolver=Resolver(function_resolver=server.resolve),
        strict_validation=True,
        validate_responses=settings.response_validation,
        validator_map=VALIDATOR_MAP,
        security_map=security_map(authenticator),
        swagger_ui_options=SwaggerUIOptions(swagger_ui_path=UI_PATH, spec_path=SPEC_PATH),
    )
    install_error_handlers(app, metrics=container.metrics, db_retry_after=settings.db_unavailable_retry_after)
    app.add_middleware(
        RequestBoundary,
        position=MiddlewarePosition.BEFORE_EXCEPTION,
        container=container,
        routes=RouteTable(contract["paths"]),
    )
    return app
