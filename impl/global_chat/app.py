"""create_app(): the contract served by Connexion in middleware mode, every dependency built once.

request -> the answer's head (web/response_head.py: cache policy, CORS for the web UI's origins,
request id, metrics/access log) -> Connexion: errors, body limit, Swagger UI, routing, credentials
-> the generated endpoint (parameters; the body through web/bodies.py) -> SessionsHandlers (the
generated interface) -> services -> repositories -> database

/mcp is a route of the same router (web/mcp.py): each tool call goes through this whole app again, in process.
"""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from connexion import ConnexionMiddleware
from connexion.middleware import MiddlewarePosition
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver

from global_chat.accounts.authentication import Authenticator
from global_chat.accounts.service import AccountService
from global_chat.clock import Clock, utc_now
from global_chat.discovery.catalog import build_catalog
from global_chat.discovery.handlers import DiscoveryHandlers
from global_chat.logs import configure_logging, get_logger
from global_chat.metrics import POOL_REFRESH_SECONDS, Metrics
from global_chat.sessions.handlers import SessionsHandlers
from global_chat.sessions.links import SessionLinks
from global_chat.sessions.service import GlobalChatService, SessionService
from global_chat.settings import Settings
from global_chat.storage.database import Database
from global_chat.storage.revisions import head_revision
from global_chat.web.bodies import contract_bodies
from global_chat.web.body_limit import BodyLimitMiddleware
from global_chat.web.connexion_extensions import SPEC_PATH, UI_PATH, connexion_middlewares, use_our_substitutes
from global_chat.web.context import request_context
from global_chat.web.contract_document import contract_text, parse_contract
from global_chat.web.cross_site import CrossSitePolicy
from global_chat.web.errors import install_error_handlers
from global_chat.web.mcp import McpEndpoint
from global_chat.web.probes import probe_routes
from global_chat.web.request_id import current_request_id
from global_chat.web.response_head import ResponseHeadMiddleware
from global_chat.web.security import credential_check, security_map
from global_chat.web.tracing import install_tracing
from global_chat_generated import server
from global_chat_generated.operations import BASE_PATH, OPERATIONS


def load_contract() -> dict[str, Any]:
    """The contract as shipped inside the generated package (a copy of openapi/openapi.yaml)."""
    return parse_contract(contract_text())


@dataclass(frozen=True, slots=True)
class Services:
    """Everything a request may need, built once per process from the settings."""

    settings: Settings
    database: Database
    metrics: Metrics
    accounts: AccountService
    authenticator: Authenticator
    global_chat: GlobalChatService
    sessions: SessionService
    links: SessionLinks


def build_services(settings: Settings, clock: Clock = utc_now) -> Services:
    database = Database(settings)
    metrics = Metrics()
    accounts = AccountService(database, clock=clock)
    return Services(
        settings=settings,
        database=database,
        metrics=metrics,
        accounts=accounts,
        authenticator=Authenticator(settings, accounts, clock=clock),
        global_chat=GlobalChatService(
            database,
            create_rate_limit=settings.chat_create_rate_limit,
            create_rate_limit_per_user=settings.chat_create_rate_limit_per_user,
            metrics=metrics,
            clock=clock,
        ),
        sessions=SessionService(database, clock=clock),
        links=SessionLinks(
            api_base_url=settings.api_base_url,
            ui_base_url=settings.ui_base_url,
            base_path=BASE_PATH,
            operations=OPERATIONS,
            served=OPERATIONS,  # bind() refuses an implementation that does not serve them all
        ),
    )


def log_connection_budget(database: Database) -> None:
    """One line per process at start-up: the most database connections it may open, so that the sum over
    the processes can be held against PostgreSQL's max_connections (docs/deploying.md: the sizing table)."""
    status = database.pool_status()
    get_logger("global_chat.database").info(
        "database connection budget",
        database=database.backend,
        pooler=database.pooler.value,
        max_connections=status.max_connections,
        pool_size=status.size,
        pid=os.getpid(),
    )


async def refresh_pool_metrics(database: Database, metrics: Metrics) -> None:
    """The pool gauges of this process, kept fresh for whichever worker answers /metrics."""
    while True:
        metrics.observe_pool(database.pool_status())
        await asyncio.sleep(POOL_REFRESH_SECONDS)


def create_app(
    settings: Settings | None = None, clock: Clock = utc_now, *, services: Services | None = None
) -> ConnexionMiddleware:
    """The ASGI app (uvicorn's factory); `clock` is for tests that move time by hand. Its lifespan closes the
    database at shutdown; a caller that runs it without one (an in-process test client) passes `services`
    it built with build_services() and closes their database itself."""
    services = services or build_services(settings or Settings(), clock)
    settings = services.settings
    configure_logging(settings.log_level, request_id=current_request_id)
    database, metrics = services.database, services.metrics
    handlers = SessionsHandlers(global_chat=services.global_chat, sessions=services.sessions, links=services.links)
    contract = load_contract()
    binding = server.bind(
        sessions=handlers,
        discovery=DiscoveryHandlers(build_catalog(settings.api_base_url)),
        context=request_context,
        bodies=contract_bodies(contract),
        strict_validation=True,
    )
    cross_site = CrossSitePolicy(settings.allowed_ui_origins)
    mcp = McpEndpoint(settings, credential_check(services.authenticator, cross_site))
    probes = probe_routes(
        database=database,
        migrations_head=head_revision(),
        metrics=metrics,
        retry_after=settings.db_unavailable_retry_after,
    )

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        log_connection_budget(database)
        refresher = asyncio.create_task(refresh_pool_metrics(database, metrics))
        # Everything built so far (the contract, Connexion's routes and validators, the models) lives
        # as long as the process: move it out of the collector's way, so that full collections
        # under load do not walk it again and again (they showed up as the p99 tail).
        gc.collect()
        gc.freeze()
        async with mcp.running(app):  # the MCP SDK's session manager; tool calls dispatched to this app
            yield
        refresher.cancel()
        await database.dispose()  # on shutdown, after the in-flight requests have finished
        metrics.forget_process()

    app = ConnexionMiddleware(
        binding.app(*probes, mcp.route()),
        import_name=__name__,
        lifespan=lifespan,
        middlewares=[
            # outermost: the cache policy (every answer, the CORS layer's Vary merged), then CORS (a preflight
            # is answered before anything asks for credentials, and every answer, an error of any layer below
            # included, gets the CORS headers), then the request id, metrics and access log; one layer, and one
            # `send` wrapper for a request without Origin
            partial(
                ResponseHeadMiddleware, metrics=metrics, origins=settings.allowed_ui_origins, operations=OPERATIONS
            ),
            *connexion_middlewares(validate_responses=settings.response_validation),
        ],
    )
    # inside Connexion's error layers (what they raise is rendered like any error), before routing and
    # credentials (an undeclared method is a 405, not a 401)
    app.add_middleware(BodyLimitMiddleware, position=MiddlewarePosition.BEFORE_SWAGGER, limit=settings.max_body_bytes)
    app.add_middleware(server.DeclaredMethods, position=MiddlewarePosition.BEFORE_SWAGGER, binding=binding)
    use_our_substitutes(app)
    app.add_api(
        contract,
        resolver=Resolver(function_resolver=binding.endpoint),
        validate_responses=settings.response_validation,
        security_map=security_map(services.authenticator, cross_site),
        swagger_ui_options=SwaggerUIOptions(swagger_ui_path=UI_PATH, spec_path=SPEC_PATH),
    )
    install_error_handlers(app, metrics=metrics, db_retry_after=settings.db_unavailable_retry_after)
    install_tracing(app, database)  # only when OTEL_TRACES_EXPORTER turns it on (docs/tracing.md)
    return app
