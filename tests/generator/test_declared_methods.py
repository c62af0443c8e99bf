"""DeclaredMethods (scripts/generator/runtime.py) in front of Connexion's stock routing and security: an
undeclared method is a 405 naming every method its path declares, before credentials are asked for, and a
request that reaches an operation is matched against the contract's paths by Connexion's routing only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from connexion import ConnexionMiddleware
from connexion.middleware import MiddlewarePosition
from connexion.middleware.request_validation import RequestValidationMiddleware
from connexion.resolver import Resolver
from starlette.routing import Match, Route
from starlette.types import Receive, Scope, Send

from scripts.generator.records import Operation
from scripts.generator.runtime import Binding, DeclaredMethods, path_routes

pytestmark = pytest.mark.anyio
THING = "/things/{thing_id}"
DECLARED = [
    ("post", "/things/special", "create_special"),  # a concrete path beside the templates
    ("get", THING, "get_thing"),
    ("patch", THING, "update_thing"),
    ("delete", THING, "delete_thing"),
    ("put", THING + "/pin", "pin_thing"),
    ("delete", THING + "/pin", "unpin_thing"),
]


def key_info(key: str, required_scopes: Any = None) -> dict[str, str] | None:
    """The contract's apiKey scheme: the one good key."""
    return {"sub": "caller"} if key == "good" else None


def operation_of(method: str, path: str, operation_id: str) -> dict[str, Any]:
    parameters = [{"name": "thing_id", "in": "path", "required": True, "schema": {"type": "string"}}]
    return {
        "operationId": operation_id,
        "parameters": parameters if "{" in path else [],
        "responses": {"200": {"description": "ok"}},
    }


CONTRACT: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "security": [{"key": []}],
    "paths": {},
    "components": {
        "securitySchemes": {
            "key": {"type": "apiKey", "in": "header", "name": "X-Key", "x-apikeyInfoFunc": f"{__name__}.key_info"}
        }
    },
}
for _method, _path, _operation_id in DECLARED:
    CONTRACT["paths"].setdefault(_path, {})[_method] = operation_of(_method, _path, _operation_id)


class Counted:
    """Counts the matches of a route (the PathItem routes DeclaredMethods and the app's router share)."""

    def __init__(self, route: Route) -> None:
        self.route, self.calls = route, 0

    def __call__(self, scope: Scope) -> tuple[Match, Scope]:
        self.calls += 1
        return Route.matches(self.route, scope)


@pytest.fixture
def binding() -> Binding:
    operations = {
        operation_id: Operation(
            operation_id=operation_id, method=method.upper(), path=path, tag="things", name=operation_id
        )
        for method, path, operation_id in DECLARED
    }

    def endpoint_of(operation_id: str) -> Any:
        async def endpoint(scope: Scope, receive: Receive, send: Send) -> None:
            await send(
                {"type": "http.response.start", "status": 200, "headers": [(b"x-operation", operation_id.encode())]}
            )
            await send({"type": "http.response.body", "body": b""})

        return endpoint

    return Binding(
        operations=operations,
        endpoints={operation_id: endpoint_of(operation_id) for operation_id in operations},
        routes=path_routes(operations.values()),
    )


@pytest.fixture
def matches(binding: Binding) -> list[Counted]:
    counted = []
    for route in binding.routes:
        route.matches = counter = Counted(route)  # type: ignore[method-assign]
        counted.append(counter)
    return counted


@pytest.fixture
async def client(binding: Binding, matches: list[Counted]) -> AsyncIterator[httpx.AsyncClient]:
    stack = [m for m in ConnexionMiddleware.default_middlewares if m is not RequestValidationMiddleware]
    app = ConnexionMiddleware(binding.app(), middlewares=stack)
    app.add_middleware(DeclaredMethods, position=MiddlewarePosition.BEFORE_SWAGGER, binding=binding)
    app.add_api(CONTRACT, resolver=Resolver(function_resolver=binding.endpoint))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        yield client


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PATCH", "/things/special", "POST"),  # Connexion's routing alone: the PATCH of /things/{thing_id}
        ("GET", "/things/special", "POST"),
        ("HEAD", "/things/special", "POST"),
        ("OPTIONS", "/things/x", "DELETE, GET, PATCH"),  # declared on no template: looked at before routing
        ("HEAD", "/things/x", "DELETE, GET, PATCH"),  # Starlette's GET route would take it
        ("PUT", "/things/x", "DELETE, GET, PATCH"),  # declared on a template: routing's 405, completed
        ("POST", "/things/x/pin", "DELETE, PUT"),
        ("GET", "/things/x/pin", "DELETE, PUT"),
    ],
)
async def test_an_undeclared_method_is_a_405_naming_the_paths_methods_before_credentials(
    client: httpx.AsyncClient, method: str, path: str, allow: str
) -> None:
    response = await client.request(method, path)  # no X-Key: a 401 if anything asked for it first

    assert response.status_code == 405, response.text
    assert response.headers["allow"] == allow


@pytest.mark.parametrize(
    ("method", "path", "operation_id"),
    [
        ("POST", "/things/special", "create_special"),
        ("GET", "/things/x", "get_thing"),
        ("PUT", "/things/x/pin", "pin_thing"),
    ],
)
async def test_a_request_that_reaches_its_operation_is_matched_by_connexions_routing_only(
    client: httpx.AsyncClient, matches: list[Counted], method: str, path: str, operation_id: str
) -> None:
    response = await client.request(method, path, headers={"X-Key": "good"})

    assert response.status_code == 200
    assert response.headers["x-operation"] == operation_id
    assert [counted.calls for counted in matches] == [0] * len(matches)


async def test_a_declared_method_still_asks_for_credentials_and_an_unknown_path_is_a_404(
    client: httpx.AsyncClient,
) -> None:
    assert (await client.get("/things/x")).status_code == 401
    assert (await client.delete("/things/x/pin", headers={"X-Key": "bad"})).status_code == 401
    assert (await client.get("/nothing")).status_code == 404
