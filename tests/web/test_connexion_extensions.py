"""Pins everything web/connexion_extensions.py (and the rest of the web layer, and the generated
routes) relies on in Connexion beyond its plain configuration: when an upgrade changes one of these,
this module fails, naming it. No private (underscore) name of Connexion's is relied on."""

from __future__ import annotations

import inspect
from typing import Any

import httpx
import pytest
from connexion.middleware import ConnexionMiddleware
from connexion.middleware.exceptions import ExceptionMiddleware
from connexion.middleware.request_validation import RequestValidationMiddleware
from connexion.middleware.routing import ROUTING_CONTEXT, RoutingMiddleware
from connexion.middleware.server_error import ServerErrorMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.security import AbstractSecurityHandler
from starlette.routing import Router

from global_chat.web.connexion_extensions import DocsOnlySwaggerUIMiddleware, NoRedirectRoutingMiddleware

pytestmark = pytest.mark.anyio


def parameters(function: Any) -> list[str]:
    return list(inspect.signature(function).parameters)


def test_the_default_stack_starts_with_the_error_layers_the_app_inserts_after() -> None:
    # app.py puts its body limit and declared-methods check right after these two.
    assert ConnexionMiddleware.default_middlewares[:2] == [ServerErrorMiddleware, ExceptionMiddleware]
    assert RequestValidationMiddleware in ConnexionMiddleware.default_middlewares
    assert SwaggerUIMiddleware in ConnexionMiddleware.default_middlewares


def test_the_swagger_ui_middleware_passes_on_to_self_app() -> None:
    assert issubclass(DocsOnlySwaggerUIMiddleware, SwaggerUIMiddleware)
    assert "self.app = app" in inspect.getsource(SwaggerUIMiddleware.__init__)


def test_the_routing_middleware_routes_with_starlette_routers_mounted_per_api() -> None:
    """NoRedirectRoutingMiddleware turns redirect_slashes off on `self.router` and on each API's Router,
    which add_api mounts on it."""
    assert issubclass(NoRedirectRoutingMiddleware, RoutingMiddleware)
    assert RoutingMiddleware in ConnexionMiddleware.default_middlewares
    assert "self.router = Router(" in inspect.getsource(RoutingMiddleware.__init__)
    assert "self.router.mount(api.base_path, app=api.router)" in inspect.getsource(RoutingMiddleware.add_api)
    assert parameters(RoutingMiddleware.add_api)[:4] == ["self", "specification", "base_path", "arguments"]
    assert "redirect_slashes" in parameters(Router.__init__)
    assert "self.redirect_slashes" in inspect.getsource(Router.app)


def test_the_routing_context_key() -> None:
    assert ROUTING_CONTEXT == "connexion_routing"


async def test_the_hooks_are_in_the_running_stack(app: ConnexionMiddleware, client: httpx.AsyncClient) -> None:
    """After a request the stack is built: ours are in it, and no request-validation layer (the generated
    endpoints read the parameters and, through web/bodies.py, the body)."""
    response = await client.post("/v1/sessions/chat")
    assert response.status_code == 200

    layers = {type(layer) for layer in app.middleware_stack or ()}
    assert {DocsOnlySwaggerUIMiddleware, NoRedirectRoutingMiddleware} <= layers
    assert not any(isinstance(layer, RequestValidationMiddleware) for layer in app.middleware_stack or ())


def test_the_security_handler_interface() -> None:
    """web/security.py subclasses it for every scheme type of the contract (`security_map`)."""
    assert parameters(AbstractSecurityHandler.get_fn) == ["self", "security_scheme", "required_scopes"]
