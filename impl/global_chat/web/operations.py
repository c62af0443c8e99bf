"""The endpoint of each contract operation, plugged into Connexion through its own class hooks.

Connexion's AsyncApp wraps every handler in decorators that it rebuilds on every request, then
inspects the handler's signature and parses the JSON body a second time to find its arguments
(connexion/apps/asynchronous.py `AsyncOperation.fn`, connexion/decorators/parameter.py). Our
handlers' arguments are fixed by the generator (path parameters by name, then `body`), and the
request validator below keeps the body it has already parsed and validated, so the endpoint calls
the generated stub directly: same validation, same security, a fraction of the per-request work.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from connexion.apps.asynchronous import AsyncApi
from connexion.operations import AbstractOperation
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

PARSED_BODY_SCOPE_KEY = "global_chat.body"
"""Where the request validator leaves the JSON body it parsed and validated (absent: no body)."""


class ContractOperation:
    def __init__(self, fn: Callable[..., Awaitable[Response]], *, takes_body: bool) -> None:
        self._fn = fn
        self._takes_body = takes_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        arguments: dict[str, Any] = dict(scope.get("path_params", ()))
        if self._takes_body:
            arguments["body"] = scope.get(PARSED_BODY_SCOPE_KEY)
        response = await self._fn(**arguments)
        await response(scope, receive, send)


class ContractApi(AsyncApi):  # type: ignore[misc]
    """AsyncApi whose operations are ContractOperations (set as the app's `api_cls`)."""

    def make_operation(self, operation: AbstractOperation) -> ContractOperation:
        return ContractOperation(operation.function, takes_body=bool(operation.request_body))
