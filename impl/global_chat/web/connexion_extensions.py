"""Every place where this service plugs into Connexion beyond its plain configuration, in one module:
tests/web/test_connexion_extensions.py pins each upstream class, attribute and signature used here,
so a Connexion upgrade that changes them fails there, loudly, and nowhere else.

All of them are Connexion's own extension points: a custom middleware stack (its documented
`middlewares` argument, our layers placed with its `add_middleware(..., position=...)`), four of its
middlewares subclassed and put in place of its own in the app's `middlewares` list (after the
positions are taken: Connexion finds a position by its own class); no underscore name of Connexion's
is used. What they buy, measured with `make bench` and in process (docs/performance.md):

- No request-validation layer: the generated endpoints read and convert the parameters themselves
  (global_chat_generated.server.runtime, with short messages naming the parameter) and hand the body
  to web/bodies.py, which checks it against the operation's schema compiled once, so the body is read
  once and parsed once, and no routed middleware runs for it. Connexion's RequestValidationOperation
  would recompute, on every request, the operation's body schema, its media types, a URI parser and
  a parameter validator, and interpret the schema with `jsonschema`.
- The Swagger UI layer is consulted only for the docs' own paths (Connexion's routes every request
  through its router: 10-12 us of CPU per request, against 0.4 for ours), and serves the contract as
  written (web/contract_document.py) rather than Connexion's resolved copy with every `$ref` inlined.
- The routing layer finds a concrete path (`POST /v1/sessions/chat`, the API catalog) in one dict lookup
  built from its routers' own routes, rather than walking Starlette's routers (a regular expression per
  route): 1.3 us of CPU per request for the layer alone against 6.0 for Connexion's
  (scripts/bench/stack_layers.py); templated paths are routed by Connexion as before.
- The security layer asks our one decision (web/security.py) once, from the scope, when every scheme of
  the operation is that decision, rather than building a ConnexionRequest and looping over the three
  schemes: 1.1 us for the layer alone against 4.9 for Connexion's.
  The two together, in the whole app: the hot request 229.3 us of CPU against 256.1 before,
  the 401 46.1 against 66.6 (best of 60 alternating rounds of 50 requests, in process;
  docs/performance.md).

And one for safety: the routing layer never answers with a redirect built from the Host header.

And two for HEAD and media types, which Connexion reads narrower than OpenAPI: a HEAD operation is routed
to itself rather than to the GET of its path (Starlette's GET routes also match HEAD), and response
validation compares a media type with parameters (`application/linkset+json; profile="..."`, the API
catalog's) by its type and subtype, as RFC 9110 does.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, Protocol

from connexion.datastructures import MediaTypeDict
from connexion.exceptions import NonConformingResponseHeaders
from connexion.middleware import ConnexionMiddleware
from connexion.middleware.context import ContextMiddleware
from connexion.middleware.request_validation import RequestValidationMiddleware
from connexion.middleware.response_validation import (
    ResponseValidationAPI,
    ResponseValidationMiddleware,
    ResponseValidationOperation,
)
from connexion.middleware.routing import ROUTING_CONTEXT, RoutingMiddleware, RoutingOperation
from connexion.middleware.security import SecurityAPI, SecurityMiddleware, SecurityOperation
from connexion.middleware.swagger_ui import SwaggerUIAPI, SwaggerUIMiddleware
from starlette.routing import Match, Mount, Route, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from global_chat.web.contract_document import served_contract

UI_PATH = "/v1/ui"
SPEC_PATH = "/v1/openapi.json"
SPEC_YAML_PATH = "/v1/openapi.yaml"  # where Connexion puts the YAML: SPEC_PATH with "yaml" for "json"
_SPEC_PATHS = frozenset((SPEC_PATH, SPEC_YAML_PATH))


# --- routing: no redirect built from the Host header; a concrete path in one lookup --------------


class NoRedirectRoutingMiddleware(RoutingMiddleware):  # type: ignore[misc]
    """Connexion's routing, without Starlette's trailing-slash redirects: its Routers answer a path that
    differs from a route by a trailing slash with a 307 whose Location is built from the request's Host
    header (`POST /v1/sessions/chat/` with `Host: evil.example` -> `http://evil.example/...`), which a
    cache in front would keep and serve to others. The contract has no trailing slashes: such a path is
    unknown, and falls through to the 404 of the app's own router (the contract's error).

    And a concrete path (no parameter in it) found in one dict lookup: ConcreteRoutes, built once from the
    routers' own routes, takes the request where Connexion's routing would, and leaves on the scopes what
    it would leave; everything else (templated paths, unknown ones, a root_path) goes through Connexion's
    routing as before."""

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app)
        self.router.redirect_slashes = False
        self.concrete = ConcreteRoutes(self.router)

    def add_api(self, specification: Any, base_path: str | None = None, arguments: Any = None, **kwargs: Any) -> None:
        super().add_api(specification, base_path=base_path, arguments=arguments, **kwargs)
        for route in self.router.routes:  # each API is mounted as a Router of its own
            if isinstance(route, Mount) and isinstance(route.app, Router):
                route.app.redirect_slashes = False
                # A GET route matches HEAD too (Starlette): a declared HEAD operation's route goes first, so
                # that a HEAD request is its operation's (its own security and parameters), not the GET's.
                route.app.routes.sort(key=lambda each: getattr(each, "methods", None) != {"HEAD"})
        self.concrete = ConcreteRoutes(self.router)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            found = self.concrete.get((scope["path"], scope["method"]))
            if found is not None and found.takes(scope):
                await found(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


class ConcreteRoute:
    """What Connexion's routing does with a request for one concrete path and method, computed once: the
    routed copy of the scope that the next layer gets (`path_params`, and Connexion's routing context: the
    API's base path and the operation's id; RoutingOperation.__call__), and the marks Starlette's routers
    leave on the scope they were given (`router`, `route`, `endpoint`, `root_path`, `app_root_path`,
    `path_params`; Router.app, Mount.matches, Route.matches)."""

    __slots__ = ("marks", "next_app", "routing")

    def __init__(self, marks: dict[str, Any], api_base_path: str, operation: RoutingOperation) -> None:
        self.marks = marks
        self.routing = {"api_base_path": api_base_path, "operation_id": operation.operation_id}
        self.next_app = operation.next_app

    @staticmethod
    def takes(scope: Scope) -> bool:
        """Whether the answer computed for a bare scope holds: a scope with a root_path, or with a key that
        Starlette's or Connexion's routing would read, goes through their routing instead."""
        return not (
            scope.get("root_path")
            or "path_params" in scope
            or "app_root_path" in scope
            or "route_root_path" in scope
            or "router" in scope
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        routed = dict(scope)
        scope.update(self.marks)
        scope["path_params"] = {}
        routed["path_params"] = {}
        routed.setdefault("extensions", {}).setdefault(ROUTING_CONTEXT, {}).update(self.routing)
        await self.next_app(routed, receive, send)


class ConcreteRoutes(dict[tuple[str, str], ConcreteRoute]):
    """(path, method) -> ConcreteRoute, for each route without parameters in its path that Starlette's
    matching, run here once on the router's own routes in their order, takes a request for it to: the
    first route of the first Mount that matches fully, a plain Route whose endpoint is Connexion's
    RoutingOperation (no middleware of its own). Nothing is listed by hand: the contract's operations
    come from the router Connexion built from it."""

    def __init__(self, router: Router) -> None:
        super().__init__()
        for mount in router.routes:
            if not isinstance(mount, Mount):
                continue
            for route in getattr(mount.app, "routes", ()):
                if not isinstance(route, Route) or route.param_convertors:
                    continue
                for method in sorted(route.methods or ()):
                    key = (mount.path + route.path, method)
                    if key not in self and (found := _first_full_match(router, *key)) is not None:
                        self[key] = found


def _first_full_match(router: Router, path: str, method: str) -> ConcreteRoute | None:
    """Starlette's Router.app on a bare scope, without calling anything: the first route to match fully
    wins; a Mount's Router (no middleware of its own, no redirect) is searched in turn."""
    scope: dict[str, Any] = {"type": "http", "path": path, "method": method, "root_path": ""}
    marks: dict[str, Any] = {"router": router}
    while router.middleware_stack == router.app:  # a Router with middleware of its own is not followed
        for route in router.routes:
            match, child = route.matches({**scope, **marks})
            if match is Match.FULL:
                break
        else:
            return None
        marks.update(child, route=route)
        if isinstance(route, Mount) and isinstance(route.app, Router):
            router = route.app
            continue
        if isinstance(route, Route) and isinstance(route.endpoint, RoutingOperation) and route.app is route.endpoint:
            if marks.pop("path_params") != {}:
                return None
            return ConcreteRoute(marks, api_base_path=marks["root_path"], operation=route.endpoint)
        return None
    return None


# --- security: one decision, from the scope ------------------------------------------------------


class ScopeCheck(Protocol):
    """A scheme's verification function (what a `security_map` handler's get_fn returns) that can also
    check a request from its ASGI scope alone: web/security.py's OneDecision."""

    def from_scope(self, scope: Scope) -> Awaitable[dict[str, Any]]: ...


class OneDecisionSecurityOperation(SecurityOperation):  # type: ignore[misc]
    """Connexion's security operation, and when every alternative of the operation's security is one scheme
    whose function is the same ScopeCheck (the contract's ApiKeyAuth, BearerAuth and CookieAuth: one
    decision for the three), that check called once with the scope: no ConnexionRequest (a Starlette
    Request inside, read through __getattr__) and no loop over the schemes, which would call the same
    decision three times to read the outcome it left. What Connexion's verification function leaves is
    left the same: the exception the check raises (Connexion re-raises the one exception its alternatives
    all raised), or, on success, the caller in Connexion's request context (`connexion_context`: `user`
    and `token_info`). Anything else (no security, an optional `{}` alternative, schemes combined, a
    handler of Connexion's) goes through Connexion's own verification function, built as before."""

    def __init__(
        self, next_app: ASGIApp, *, security_handler_factory: Any, security: list[Any], security_schemes: dict[str, Any]
    ) -> None:
        super().__init__(
            next_app,
            security_handler_factory=security_handler_factory,
            security=security,
            security_schemes=security_schemes,
        )
        self.scope_check = _one_scope_check(security_handler_factory, security, security_schemes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        check = self.scope_check
        if check is None:
            await super().__call__(scope, receive, send)
            return
        token_info = await check.from_scope(scope)
        context = scope.setdefault("extensions", {}).setdefault(CONNEXION_CONTEXT, {})
        context.update({"user": token_info.get("sub", token_info.get("uid")), "token_info": token_info})
        await self.next_app(scope, receive, send)


CONNEXION_CONTEXT = "connexion_context"
"""Where Connexion's request keeps its context in the scope (ConnexionRequest.context)."""


def _one_scope_check(factory: Any, security: list[Any], schemes: dict[str, Any]) -> ScopeCheck | None:
    checks = [
        factory.parse_security_scheme(schemes[name], scopes)
        for requirement in security
        if len(requirement) == 1
        for name, scopes in requirement.items()
    ]
    first = checks[0] if checks and len(checks) == len(security) else None
    if first is None or not callable(getattr(first, "from_scope", None)):
        return None
    return first if all(check is first for check in checks) else None


class OneDecisionSecurityAPI(SecurityAPI):  # type: ignore[misc]
    def make_operation(self, operation: Any) -> OneDecisionSecurityOperation:
        made: OneDecisionSecurityOperation = OneDecisionSecurityOperation.from_operation(
            operation, next_app=self.next_app, security_handler_factory=self.security_handler_factory
        )
        return made


class OneDecisionSecurityMiddleware(SecurityMiddleware):  # type: ignore[misc]
    api_cls = OneDecisionSecurityAPI


# --- response validation: media types with parameters ------------------------------------------


class MediaTypeParametersResponseValidationOperation(ResponseValidationOperation):  # type: ignore[misc]
    """Connexion compares a response's media type, parameters stripped, with the contract's keys as written;
    a key with parameters (`application/linkset+json; profile="..."`) never matched. Compared here by type and
    subtype on both sides (RFC 9110 8.3.1: the parameters do not change what the media type is)."""

    def validate_mime_type(self, mime_type: str) -> None:
        produces = self._operation.produces
        bare = MediaTypeDict([(media_type.split(";", 1)[0].strip().lower(), None) for media_type in produces])
        if produces and mime_type.split(";", 1)[0].strip().lower() not in bare:
            raise NonConformingResponseHeaders(
                detail=f"Invalid Response Content-type ({mime_type}), expected {produces}"
            )


class MediaTypeParametersResponseValidationAPI(ResponseValidationAPI):  # type: ignore[misc]
    def make_operation(self, operation: Any) -> Any:
        if self.validate_responses:
            return MediaTypeParametersResponseValidationOperation(
                self.next_app, operation=operation, validator_map=self.validator_map
            )
        return self.next_app


class MediaTypeParametersResponseValidationMiddleware(ResponseValidationMiddleware):  # type: ignore[misc]
    api_cls = MediaTypeParametersResponseValidationAPI


# --- the Swagger UI, and the stack ------------------------------------------------------------


class ContractAsWrittenSwaggerUIAPI(SwaggerUIAPI):  # type: ignore[misc]
    """Connexion's Swagger UI API whose spec routes (same paths: the options' `openapi_spec_path` and its
    YAML twin) serve the contract as written, with ETags (web/contract_document.py)."""

    def add_openapi_json(self) -> None:
        self.router.add_route(
            methods=["GET"], path=self.options.openapi_spec_path, endpoint=served_contract().json.respond
        )

    def add_openapi_yaml(self) -> None:
        self.router.add_route(
            methods=["GET"], path=yaml_twin(self.options.openapi_spec_path), endpoint=served_contract().yaml.respond
        )


def yaml_twin(spec_path: str) -> str:
    return spec_path.removesuffix("json") + "yaml"


class DocsOnlySwaggerUIMiddleware(SwaggerUIMiddleware):  # type: ignore[misc]
    """Connexion's Swagger UI middleware matches every request against its routes before passing it
    on; only the docs' own paths can match, so every other request goes straight to the next layer.
    Its API is ours (ContractAsWrittenSwaggerUIAPI), mounted the way SwaggerUIMiddleware.add_api does."""

    def add_api(self, specification: Any, base_path: str | None = None, arguments: Any = None, **kwargs: Any) -> None:
        api = ContractAsWrittenSwaggerUIAPI(
            specification, base_path=base_path, arguments=arguments, default=self.default_fn, **kwargs
        )
        self.router.mount(api.base_path, app=api.router)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and not (path.startswith(UI_PATH) or path in _SPEC_PATHS):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def connexion_middlewares(*, validate_responses: bool) -> list[Any]:
    """Connexion's default stack, its own classes, without request validation (the generated endpoints and
    web/bodies.py do it), no response-validation layer when responses are not validated, and no
    ContextMiddleware: handlers get an explicit context, not context variables. Place further layers with
    `ConnexionMiddleware.add_middleware(..., position=...)`, then call use_our_substitutes()."""
    skipped = {RequestValidationMiddleware, ContextMiddleware}
    if not validate_responses:
        skipped.add(ResponseValidationMiddleware)
    return [middleware for middleware in ConnexionMiddleware.default_middlewares if middleware not in skipped]


SUBSTITUTES = {
    RoutingMiddleware: NoRedirectRoutingMiddleware,
    ResponseValidationMiddleware: MediaTypeParametersResponseValidationMiddleware,
    SwaggerUIMiddleware: DocsOnlySwaggerUIMiddleware,
    SecurityMiddleware: OneDecisionSecurityMiddleware,
}


def use_our_substitutes(app: ConnexionMiddleware) -> None:
    """Our routing (no redirects; concrete paths in one lookup), security (one decision, from the scope),
    response validation (media types with parameters) and Swagger UI (docs' paths only) layers in place of
    Connexion's, in the app's list of middlewares (`app.middlewares`, the list add_middleware edits and the
    stack is built from). Call it after the add_middleware calls that name their positions: add_middleware
    finds a position by comparing the list's classes with Connexion's own by `==`, so BEFORE_SWAGGER,
    BEFORE_ROUTING and BEFORE_SECURITY are not found once ours are in place (BEFORE_EXCEPTION still is)."""
    app.middlewares[:] = [SUBSTITUTES.get(middleware, middleware) for middleware in app.middlewares]
