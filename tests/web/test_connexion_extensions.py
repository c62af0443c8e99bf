"""Pins what the service relies on in Connexion (web/connexion_extensions.py, and the error rendering, the
security handlers and the generated routes around it), by the behaviour it gives, through the app:

- documented extension points: the `middlewares` list (Connexion's stack without its validation and
  context layers), `add_middleware(..., position=...)` (our body limit and 405s), `security_map`, error
  handlers, the Resolver;
- public but undocumented: the app's `middlewares` attribute (where our routing, security and Swagger UI
  layers take the place of Connexion's), the routing scope key, RoutingMiddleware's Starlette routers and
  what they and RoutingOperation leave on the scopes (our lookup of concrete paths is compared with them,
  scope for scope), SecurityMiddleware's `api_cls`, SecurityOperation and SecurityHandlerFactory's
  parse_security_scheme and what Connexion's verification function leaves (our one decision from the
  scope is compared with it), SwaggerUIMiddleware's `app` and SwaggerUIAPI's
  add_openapi_json/add_openapi_yaml.

docs/architecture.md lists them. Each test below fails, naming the behaviour, when an upgrade changes what
one of them does; the last one says which Connexion the behaviours were checked on."""

from __future__ import annotations

import copy
import re
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import httpx
import pytest
from connexion import ConnexionMiddleware
from connexion.middleware import MiddlewarePosition
from connexion.middleware.exceptions import ExceptionMiddleware
from connexion.middleware.request_validation import RequestValidationMiddleware
from connexion.middleware.routing import ROUTING_CONTEXT, RoutingMiddleware
from connexion.middleware.security import SecurityMiddleware
from connexion.middleware.server_error import ServerErrorMiddleware
from connexion.resolver import Resolver
from connexion.spec import Specification
from starlette.types import Message, Receive, Scope, Send

from global_chat.app import build_services, load_contract
from global_chat.errors import DomainError
from global_chat.identity import Identity
from global_chat.settings import Settings
from global_chat.web.body_limit import BodyLimitMiddleware
from global_chat.web.connexion_extensions import (
    DocsOnlySwaggerUIMiddleware,
    MediaTypeParametersResponseValidationMiddleware,
    NoRedirectRoutingMiddleware,
    OneDecisionSecurityMiddleware,
    connexion_middlewares,
    use_our_substitutes,
)
from global_chat.web.cross_site import CrossSitePolicy
from global_chat.web.security import security_map
from global_chat_generated.operations import OPERATIONS
from global_chat_generated.server import DeclaredMethods
from tests.fixtures.accounts import Accounts, Caller
from tests.fixtures.contract import ContractSchemas
from tests.support.lock import assert_installed_as_locked

pytestmark = pytest.mark.anyio
CHAT = "/v1/sessions/chat"
CATALOG = "/.well-known/api-catalog"
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def backend() -> str:
    """What these pin is Connexion's, whatever the store: one is enough."""
    return "sqlite"


async def test_our_layers_run_in_place_of_connexions(app: ConnexionMiddleware, client: httpx.AsyncClient) -> None:
    """`middlewares` and `add_middleware`: after a request the stack is built, in this order: Connexion's two
    error layers, our body limit and 405s where BEFORE_SWAGGER puts them, our Swagger UI and routing layers
    and security layers in place of Connexion's (the `middlewares` attribute); no request-validation layer (the
    generated endpoints and web/bodies.py validate)."""
    assert (await client.post(CHAT)).status_code == 200

    layers = [type(layer) for layer in app.middleware_stack or ()]
    inner = [ServerErrorMiddleware, ExceptionMiddleware, BodyLimitMiddleware, DeclaredMethods]
    inner += [DocsOnlySwaggerUIMiddleware, NoRedirectRoutingMiddleware, OneDecisionSecurityMiddleware]
    assert [layer for layer in layers if layer in inner] == inner
    assert not any(issubclass(layer, RequestValidationMiddleware) for layer in layers)


def test_add_middleware_finds_a_position_by_connexions_own_class() -> None:
    """Why use_our_substitutes() comes after the add_middleware calls: once our subclasses are in place,
    the positions named after Connexion's routing, Swagger UI and security layers are not found (a
    ValueError, not a layer put elsewhere), while that of its error layers still is."""
    app = ConnexionMiddleware(
        lambda scope, receive, send: None, middlewares=connexion_middlewares(validate_responses=False)
    )
    use_our_substitutes(app)

    for position in (
        MiddlewarePosition.BEFORE_SWAGGER,
        MiddlewarePosition.BEFORE_ROUTING,
        MiddlewarePosition.BEFORE_SECURITY,
    ):
        with pytest.raises(ValueError, match=position.name):
            app.add_middleware(BodyLimitMiddleware, position=position, limit=1)
    app.add_middleware(BodyLimitMiddleware, position=MiddlewarePosition.BEFORE_EXCEPTION, limit=1)


@pytest.mark.parametrize(
    ("method", "path", "headers", "body", "status", "names"),
    [
        # the operation's body schema (body_schema), compiled by us: a wrong type names the field
        ("POST", CHAT, JSON, b'{"locale": 5}', 400, "locale"),
        # its media types (consumes, MediaTypeDict): another one is a 415, a charset parameter is fine
        ("POST", CHAT, {"Content-Type": "text/plain"}, b"{}", 415, "text/plain"),
        ("POST", CHAT, {"Content-Type": "application/json; charset=utf-8"}, b"{}", 200, ""),
        # its parameters, through VALIDATOR_MAP's parameter validator: the path's pattern
        ("GET", "/v1/sessions/nope", {}, b"", 400, "'nope'"),
        # strict validation, handed to our operation by RequestValidationAPI: no unknown query parameter
        ("POST", f"{CHAT}?surprise=1", JSON, b"{}", 400, "surprise"),
    ],
    ids=["body schema", "media type refused", "media type with charset", "path parameter", "strict query"],
)
async def test_the_operation_reaches_our_validation_whole(
    client: httpx.AsyncClient,
    our_schemas: ContractSchemas,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes,
    status: int,
    names: str,
) -> None:
    response = await client.request(method, path, headers=headers, content=body)

    assert response.status_code == status, response.text
    if status >= 400:
        assert our_schemas.errors("ErrorResponse", response.json()) == []
        assert names in response.json()["error"]


async def test_our_layers_after_connexions_error_layers_have_their_errors_rendered(client: httpx.AsyncClient) -> None:
    """`add_middleware(position=BEFORE_SWAGGER)`: the body limit and the generated 405s sit after
    ServerErrorMiddleware and ExceptionMiddleware, so what they raise is rendered by our one error handler,
    and before routing and credentials, so an undeclared method is a 405 and not a 401."""
    too_big = await client.post(CHAT, headers={**JSON, "Content-Length": str(10**7)}, content=b"{}")
    wrong_method = await client.patch(CHAT, json={})

    assert (too_big.status_code, too_big.json()["code"]) == (413, "payload_too_large")
    assert (wrong_method.status_code, wrong_method.headers["allow"]) == (405, "POST")
    assert wrong_method.json()["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PATCH", CHAT, "POST"),  # Connexion's routing alone: the PATCH of /v1/sessions/{session_id}
        ("PUT", "/v1/sessions/session_" + "0" * 32, "DELETE, GET, PATCH"),  # its routing's own 405, completed
        ("HEAD", "/v1/sessions/session_" + "0" * 32, "DELETE, GET, PATCH"),  # its GET route would take a HEAD
    ],
)
async def test_an_undeclared_method_is_a_405_before_credentials_are_asked_for(
    keys_client: httpx.AsyncClient, method: str, path: str, allow: str
) -> None:
    """The generated DeclaredMethods before routing and security, beside what Connexion's routing matched."""
    response = await keys_client.request(method, path)  # no credentials

    assert (response.status_code, response.headers["allow"]) == (405, allow)


async def test_the_routing_context_names_the_operation_of_an_error(client: httpx.AsyncClient) -> None:
    """ROUTING_CONTEXT: the error handler reads the operation's id from it for the `retry` action."""
    response = await client.post(CHAT, json={"locale": "not a locale"})

    assert response.status_code == 400
    assert {"rel": "retry", "operation_id": "get_or_create_chat_session"}.items() <= response.json()["allowed_actions"][
        0
    ].items()


async def test_routing_never_answers_with_a_redirect(client: httpx.AsyncClient) -> None:
    """RoutingMiddleware's Starlette routers (its own and the one mounted per API) with redirect_slashes off."""
    response = await client.post(f"{CHAT}/", headers={"Host": "evil.example"})

    assert response.status_code == 404
    assert "location" not in response.headers


async def test_swagger_ui_serves_the_docs_and_passes_everything_else_on(client: httpx.AsyncClient) -> None:
    """SwaggerUIMiddleware's `app`: the next layer, which DocsOnlySwaggerUIMiddleware calls for other paths; and
    SwaggerUIAPI's add_openapi_json/add_openapi_yaml, which ours override to serve the contract as written."""
    ui = await client.get("/v1/ui/")
    spec = await client.get("/v1/openapi.json")
    yaml_spec = await client.get("/v1/openapi.yaml")

    assert ui.status_code == 200 and ui.headers["content-type"].startswith("text/html")
    assert spec.status_code == 200 and spec.json()["openapi"].startswith("3.0")
    assert "$ref" in spec.text and "etag" in spec.headers  # as written: the refs intact
    assert yaml_spec.status_code == 200 and yaml_spec.text.startswith("openapi: 3.0")
    assert (await client.post(CHAT)).status_code == 200


async def test_the_security_handlers_decide_who_calls(keys_client: httpx.AsyncClient) -> None:
    """`security_map`: our handlers (web/security.py) for the contract's schemes; no credentials is our 401."""
    response = await keys_client.post(CHAT)

    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert "www-authenticate" in response.headers


async def test_a_head_operation_is_routed_to_itself_not_to_its_paths_get(client: httpx.AsyncClient) -> None:
    """The routes of each mounted API reordered (HEAD-only first): Connexion's routing context names the HEAD
    operation, whose endpoint answers (without the reordering: the GET's, and a 404 from the dispatcher)."""
    response = await client.head(CATALOG)

    assert response.status_code == 200
    assert response.headers["link"]
    assert response.content == b""


async def test_response_validation_takes_a_media_type_with_parameters(
    app: ConnexionMiddleware, client: httpx.AsyncClient
) -> None:
    """The catalog's key is `application/linkset+json; profile="..."`: with response validation on (these
    tests' settings), Connexion's own layer would refuse its answer as a 500; ours validates it, and still
    refuses a media type the operation does not declare (the unit check below)."""
    response = await client.get(CATALOG)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/linkset+json; profile=")
    layers = {type(layer) for layer in app.middleware_stack or ()}
    assert MediaTypeParametersResponseValidationMiddleware in layers


def test_response_validation_still_refuses_an_undeclared_media_type() -> None:
    from connexion.exceptions import NonConformingResponseHeaders

    from global_chat.web.connexion_extensions import MediaTypeParametersResponseValidationOperation

    class Declared:
        produces = ('application/linkset+json; profile="https://www.rfc-editor.org/info/rfc9727"', "application/json")

    check = MediaTypeParametersResponseValidationOperation.__new__(MediaTypeParametersResponseValidationOperation)
    check._operation = Declared()
    check.validate_mime_type("application/linkset+json")
    check.validate_mime_type('application/linkset+json; profile="x"')
    check.validate_mime_type("Application/JSON")
    with pytest.raises(NonConformingResponseHeaders):
        check.validate_mime_type("text/html")


def test_connexion_is_the_version_these_behaviours_were_checked_on() -> None:
    assert_installed_as_locked("connexion")


# --- routing: a concrete path found in one lookup, the scopes left as Connexion's routing leaves them ------


class Recorder:
    """The next layer: keeps the scope it was given."""

    def __init__(self) -> None:
        self.scopes: list[Scope] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.scopes.append(scope)


def contract_routing(next_app: Recorder) -> NoRedirectRoutingMiddleware:
    routing = NoRedirectRoutingMiddleware(next_app)
    routing.add_api(Specification.load(load_contract()), resolver=Resolver(function_resolver=lambda _: next_app))
    return routing


def concrete(path: str) -> str:
    """A request path for a contract path: each `{parameter}` filled with a value its pattern takes."""
    return re.sub(r"\{[^}]+\}", "session_" + "0" * 32, path)


def routing_cases() -> list[tuple[str, str, dict[str, Any]]]:
    cases: list[tuple[str, str, dict[str, Any]]] = []
    for operation in OPERATIONS.values():
        path = concrete(operation.path)
        cases += [
            (operation.method, path, {}),
            ("HEAD", path, {}),
            ("PUT", path, {}),
            (operation.method, path + "/", {}),
        ]
        cases += [
            (operation.method, "/api" + path, {"root_path": "/api"}),
            (operation.method, path, {"path_params": {}}),
        ]
        cases += [(operation.method, path, {"extensions": {"other": {}}, "state": {"kept": 1}})]
    return [*cases, ("POST", "/nope", {}), ("GET", "/", {}), ("POST", "/mcp", {}), ("GET", "/v1/ui/", {})]


@pytest.mark.parametrize(("method", "path", "extra"), routing_cases())
async def test_a_request_leaves_routing_as_connexions_routing_leaves_it(
    method: str, path: str, extra: dict[str, Any]
) -> None:
    """NoRedirectRoutingMiddleware's lookup of concrete paths (ConcreteRoutes) against Connexion's routing
    (RoutingMiddleware.__call__: Starlette's routers and RoutingOperation) on the same routes: the scope the
    next layer gets, and what the routers leave on the scope they were given, are the same, for every
    operation of the contract, concrete and templated, HEAD, a wrong method, a trailing slash, a root_path,
    a scope that already has path parameters or extensions, and paths outside the contract."""
    next_app = Recorder()
    routing = contract_routing(next_app)

    def scope() -> Scope:
        return {"type": "http", "method": method, "path": path, "root_path": "", "headers": [], **copy.deepcopy(extra)}

    async def routed(layer: Callable[[Scope, Receive, Send], Awaitable[None]]) -> tuple[Any, ...]:
        given, sent, passed_on = scope(), [], len(next_app.scopes)

        async def send(message: Message) -> None:
            sent.append(message)

        await layer(given, receive_nothing, send)
        return [described(each) for each in next_app.scopes[passed_on:]], sent, described(given)

    ours = await routed(routing)
    theirs = await routed(partial(RoutingMiddleware.__call__, routing))

    assert ours == theirs
    assert ours[0] or ours[1]  # handed on, or answered (Starlette's 405 of a route matched by its path only)


def test_every_concrete_operation_is_found_in_one_lookup() -> None:
    """ConcreteRoutes lists what Connexion's router routes for the contract's paths without parameters (a
    GET's path with HEAD too), from the router itself: every such operation, and nothing else."""
    routing = contract_routing(Recorder())
    expected = {
        (operation.path, method): operation.operation_id
        for operation in OPERATIONS.values()
        if "{" not in operation.path
        for method in ({operation.method, "HEAD"} if operation.method == "GET" else {operation.method})
    }
    head_operations = {(op.path, "HEAD"): op.operation_id for op in OPERATIONS.values() if op.method == "HEAD"}
    expected.update(head_operations)  # a declared HEAD operation, not its path's GET (routes sorted by add_api)

    found = {key: route.routing["operation_id"] for key, route in routing.concrete.items()}

    assert expected and found == expected


def described(scope: Scope) -> dict[str, Any]:
    """A scope with its objects named by identity (the Starlette routes, the routers, the endpoints)."""
    return {key: _described(value) for key, value in scope.items()}


def _described(value: Any) -> Any:
    if isinstance(value, BaseException):
        return type(value), str(value)
    return value if isinstance(value, str | dict | list | int | Identity) else id(value)


async def receive_nothing() -> Message:
    return {"type": "http.disconnect"}


async def send_nothing(message: Message) -> None:
    return None


# --- security: one decision, from the scope -------------------------------------------------------------


SECURITY_CASES: dict[str, Callable[[Caller], dict[str, str]]] = {
    "none": lambda caller: {},
    "api key": lambda caller: caller.key_headers(),
    "api key, ApiKey prefix": lambda caller: {"Authorization": f"ApiKey {caller.api_key}"},
    "bearer": lambda caller: caller.bearer_headers(),
    "unknown key": lambda caller: {"Authorization": "evr_" + "x" * 40},
    "bad bearer": lambda caller: {"Authorization": "Bearer nope"},
    "cookie, cross-site": lambda caller: {"Cookie": f"access_token={caller.token}"},
    "cookie, from the UI": lambda caller: {
        "Cookie": f"access_token={caller.token}",
        "Content-Type": "application/json",
    },
    "other organization": lambda caller: {**caller.key_headers(), "X-Org-Id": "org_" + "1" * 32},
    "not an organization": lambda caller: {**caller.key_headers(), "X-Org-Id": "acme"},
    "organization cookie": lambda caller: {**caller.key_headers(), "Cookie": f"everruns_org={caller.org}"},
}


async def test_the_security_layer_decides_as_connexions_own_with_our_handlers(
    keys_settings: Settings, accounts: Accounts
) -> None:
    """OneDecisionSecurityOperation (one call of the scope check) against Connexion's SecurityOperation with the
    same `security_map` handlers (its request, its loop over ApiKeyAuth, BearerAuth and CookieAuth), for
    every operation of the contract and credentials of each kind: the same exception, or the same scope
    handed on (the caller, Connexion's context `user` and `token_info`)."""
    caller = await accounts.caller()
    services = build_services(keys_settings)
    handlers = security_map(services.authenticator, CrossSitePolicy(keys_settings.allowed_ui_origins))
    layers = {}
    for middleware in (OneDecisionSecurityMiddleware, SecurityMiddleware):
        next_app = Recorder()
        layer = middleware(next_app)
        layer.add_api(
            Specification.load(load_contract()),
            resolver=Resolver(function_resolver=lambda _, next_app=next_app: next_app),
            security_map=handlers,
        )
        layers[middleware] = (layer, next_app)
    outcomes: set[int] = set()
    try:
        for operation in OPERATIONS.values():
            for name, headers in SECURITY_CASES.items():
                answers: list[tuple[Any, ...]] = []
                for layer, next_app in layers.values():
                    scope = security_scope(operation.operation_id, operation.method, headers(caller))
                    next_app.scopes.clear()
                    try:
                        await layer(scope, receive_nothing, send_nothing)
                    except DomainError as exc:
                        answers.append((type(exc), exc.status, str(exc), [], described(scope)))
                        assert not next_app.scopes
                    else:
                        answers.append((None, 200, "", [described(each) for each in next_app.scopes], described(scope)))
                assert answers[0] == answers[1], (operation.operation_id, name)
                outcomes.add(answers[0][1])
    finally:
        await services.database.dispose()

    assert outcomes == {200, 400, 401, 403}
    operation = layers[OneDecisionSecurityMiddleware][0].apis[""][0].operations["get_or_create_chat_session"]
    assert operation.scope_check is not None  # the contract's schemes: our one decision, from the scope


def security_scope(operation_id: str, method: str, headers: dict[str, str]) -> Scope:
    return {
        "type": "http",
        "method": method,
        "path": "/",
        "root_path": "",
        "headers": [(name.lower().encode(), value.encode()) for name, value in headers.items()],
        "extensions": {ROUTING_CONTEXT: {"api_base_path": "", "operation_id": operation_id}},
    }
