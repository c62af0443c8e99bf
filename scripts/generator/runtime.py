"""What every generated server shares, whatever its contract: the request's parameters and body turned
into typed values, the responses written, and the dispatcher, routes and 405 table that put the
endpoints behind Connexion's middleware mode.

This module is plain Python (no template): scripts/generate.py copies it into
`<package>/server/runtime.py` (its one import of the records then names `<package>.records`), and the
generated modules hold only what the contract says (the operations table, the parameter models, one
endpoint per operation, `bind()`).

Nothing here depends on how the application validates requests: the generated endpoints read the
path, query, header and cookie parameters from the ASGI scope and the body from the ASGI stream
themselves, so they work behind Connexion's own request validation as well as behind none. Values
that do not convert are Connexion's 400 (`BadRequestProblem`), with a message naming the parameter.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qsl

from connexion.exceptions import BadRequestProblem, UnsupportedMediaTypeProblem
from connexion.middleware.abstract import ROUTING_CONTEXT
from pydantic import BaseModel, BeforeValidator, TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError
from starlette.exceptions import HTTPException
from starlette.requests import cookie_parser
from starlette.routing import BaseRoute, Match, Route, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from scripts.generator.records import Operation, Parameter  # the generated copy imports <package>.records

ContextT = TypeVar("ContextT")
ModelT = TypeVar("ModelT", bound=BaseModel)
ValueT = TypeVar("ValueT")

# --- parameters -----------------------------------------------------------------------------------


class InvalidParameter(BadRequestProblem):  # type: ignore[misc]
    """A parameter is missing, or its value does not convert or validate: a 400 naming it."""


class InvalidBody(BadRequestProblem):  # type: ignore[misc]
    """The request body is missing, not JSON, or not what its model accepts: a 400."""


def _integer(value: object) -> object:
    if isinstance(value, str):
        if not re.fullmatch(r"[+-]?[0-9]+", value):
            raise PydanticCustomError("int_parsing", "Input should be an integer")
        return int(value)
    return value


def _number(value: object) -> object:
    if isinstance(value, str):
        if not re.fullmatch(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?", value):
            raise PydanticCustomError("float_parsing", "Input should be a number")
        return float(value)
    return value


def _boolean(value: object) -> object:
    if isinstance(value, str):
        if value not in ("true", "false"):
            raise PydanticCustomError("bool_parsing", "Input should be true or false")
        return value == "true"
    return value


def _shaped(pattern: str, what: str) -> Callable[[object], object]:
    def check(value: object) -> object:
        if isinstance(value, str) and not re.fullmatch(pattern, value):
            raise PydanticCustomError("format", f"Input should be {what}")
        return value

    return check


INTEGER = BeforeValidator(_integer)
"""A parameter's text as an integer: digits only (not "1.0", "0x1", " 1")."""
NUMBER = BeforeValidator(_number)
"""A parameter's text as a number: a JSON number (not "nan", "inf")."""
BOOLEAN = BeforeValidator(_boolean)
"""A parameter's text as a boolean: "true" or "false"."""
DATE = BeforeValidator(_shaped(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", "a date (RFC 3339 full-date)"))
DATE_TIME = BeforeValidator(
    _shaped(
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})",
        "a date-time (RFC 3339)",
    )
)


class ParameterReader(Generic[ModelT]):
    """An operation's parameters, read from the ASGI scope and converted by its generated model (one
    field per parameter, named by its argument). With `strict`, a query parameter the operation does
    not declare is refused as Connexion's `strict_validation` does."""

    def __init__(self, model: type[ModelT], operation: Operation, *, strict: bool) -> None:
        self._model = model
        self._parameters = operation.parameters
        self._by_argument = {parameter.argument: parameter for parameter in operation.parameters}
        self._query = [p for p in operation.parameters if p.location == "query"]
        self._strict = unknown_query_check(operation, strict=strict)

    def read(self, scope: Scope) -> ModelT:
        self._strict(scope)
        raw: dict[str, object] = {}
        query: dict[str, list[str]] | None = None
        headers: dict[str, str] | None = None
        cookies: dict[str, str] | None = None
        for parameter in self._parameters:
            values: Sequence[str]
            if parameter.location == "path":
                value = scope.get("path_params", {}).get(parameter.name.replace("-", "_"))
                if value is None:
                    continue
                if not isinstance(value, str):  # Connexion's int and float path convertors
                    raw[parameter.argument] = value
                    continue
                values = [value]
            elif parameter.location == "query":
                query = _query(scope) if query is None else query
                if parameter.name not in query:
                    continue
                values = query[parameter.name]
            elif parameter.location == "header":
                headers = _headers(scope) if headers is None else headers
                if parameter.name.lower() not in headers:
                    continue
                values = [headers[parameter.name.lower()]]
            else:
                cookies = _cookies(scope) if cookies is None else cookies
                if parameter.name not in cookies:
                    continue
                values = [cookies[parameter.name]]
            raw[parameter.argument] = _values(parameter, values)
        try:
            return self._model.model_validate(raw)
        except ValidationError as error:
            raise InvalidParameter(self._describe(error)) from None

    def _describe(self, error: ValidationError) -> str:
        first = error.errors()[0]
        parameter = self._by_argument[str(first["loc"][0])]
        where = f"{parameter.location} parameter {parameter.name}"
        if first["type"] == "missing":
            return f"{where} is required"
        value = first.get("input")
        if first["type"] == "string_pattern_mismatch" and parameter.description:
            return f"{where}: {value!r} is not valid. Expected: {' '.join(parameter.description.split())}"
        return f"{where}: {first['msg']}, got {value!r}"


def _values(parameter: Parameter, values: Sequence[str]) -> object:
    if not parameter.many:
        return values[-1]  # a repeated single-valued parameter: the last one, as Starlette reads it
    if parameter.separator is None:
        return list(values)
    separator = parameter.separator
    return [item.strip() if separator == "," else item for item in values[-1].split(separator)]


def unknown_query_check(operation: Operation, *, strict: bool) -> Callable[[Scope], None]:
    """With `strict`, a check that refuses query parameters the operation does not declare (an API key
    sent in the query is declared by its security scheme); without, a check that passes everything."""
    declared = frozenset(
        [p.name for p in operation.parameters if p.location == "query"]
        + [c.name for c in operation.credentials if c.location == "query"]
    )

    def check(scope: Scope) -> None:
        if strict and scope.get("query_string"):
            extra = [name for name in _query(scope) if name not in declared]
            if extra:
                raise InvalidParameter(f"Extra query parameter(s) {','.join(extra)} not in spec")

    return check


def _query(scope: Scope) -> dict[str, list[str]]:
    query: dict[str, list[str]] = {}
    for name, value in parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True):
        query.setdefault(name, []).append(value)
    return query


def _headers(scope: Scope) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in scope["headers"]:
        key, text = name.decode("latin-1").lower(), value.decode("latin-1")
        headers[key] = f"{headers[key]}, {text}" if key in headers else text  # one list, RFC 9110 5.3
    return headers


def _cookies(scope: Scope) -> dict[str, str]:
    return cookie_parser(_headers(scope).get("cookie", ""))


# --- request bodies -------------------------------------------------------------------------------


class _NoBody:
    def __repr__(self) -> str:
        return "NO_BODY"


NO_BODY: Any = _NoBody()
"""What a body decoder returns for a request without a body (JSON `null` is None)."""

BodyDecoder = Callable[[bytes, str | None], Any]
"""Turns an operation's raw request body and its Content-Type header (None when absent) into the JSON
value its model validates, or NO_BODY; raises the application's 400 or 415 for what it refuses."""

BodyDecoders = Callable[[Operation], BodyDecoder]
"""Builds the decoder of each operation that has a request body, once, when bind() runs."""


_CHARSET = re.compile(r"charset=\"?([^\";\s]+)", re.IGNORECASE)


def json_bodies(operation: Operation) -> BodyDecoder:
    """The default decoder: the media types the contract declares (415 otherwise), the charset the
    request names (UTF-8 by default), and JSON. Validation is the body model's. What a call needs is built
    here or at import (the media types, the charset's pattern); `json.loads` without options uses the
    standard library's one decoder, built at its import, not one per call."""
    assert operation.body is not None
    declared = operation.body.media_types
    accepted = frozenset(media_type.lower() for media_type in declared)

    def decode(raw: bytes, content_type: str | None) -> Any:
        media_type, _, options = (content_type or declared[0]).partition(";")
        if media_type.strip().lower() not in accepted:
            raise UnsupportedMediaTypeProblem(
                detail=f"Invalid Content-type ({media_type.strip()}), expected {sorted(accepted)}"
            )
        if not raw:
            return NO_BODY
        charset = _CHARSET.search(options)
        try:
            return json.loads(raw.decode(charset.group(1) if charset else "utf-8"))
        except (ValueError, LookupError) as error:
            raise InvalidBody(f"the body is not valid JSON ({error})") from None

    return decode


async def read_body(receive: Receive) -> bytes:
    """The whole request body (empty when the client sent none or went away)."""
    message = await receive()
    body: bytes = message.get("body", b"")
    if not message.get("more_body", False):  # the usual case: one message
        return body
    chunks = [body]
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def content_type(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return str(value.decode("latin-1"))
    return None


def required_body(value: ValueT) -> ValueT:
    if value is NO_BODY:
        raise InvalidBody("the request body is required")
    return value


def validate_model(model: type[ModelT], value: object) -> ModelT:
    try:
        # what model.model_validate(value) calls, without its wrapper's keyword handling (0.45 us a body)
        validated: ModelT = model.__pydantic_validator__.validate_python(value)
    except ValidationError as error:
        raise InvalidBody(_body_error(error)) from None
    return validated


def validate_value(adapter: TypeAdapter[ValueT], value: object) -> ValueT:
    try:
        return adapter.validate_python(value)
    except ValidationError as error:
        raise InvalidBody(_body_error(error)) from None


def _body_error(error: ValidationError) -> str:
    first = error.errors()[0] if error.error_count() else {"loc": (), "msg": "invalid"}
    where = ".".join(str(part) for part in first["loc"]) or "body"
    return f"{where}: {first['msg']}"


# --- responses ------------------------------------------------------------------------------------

JSON_HEADERS = [(b"content-type", b"application/json")]


def model_json(model: BaseModel) -> bytes:
    """The model as the contract's JSON: field names by alias, fields that are None left out."""
    return model.model_dump_json(by_alias=True, exclude_none=True).encode()


def value_json(adapter: TypeAdapter[ValueT], value: ValueT) -> bytes:
    """Any other body (an array, a scalar, a nullable model) as JSON, the same way."""
    return adapter.dump_json(value, by_alias=True, exclude_none=True)


def header_value(value: object) -> bytes:
    """A response header's typed value as its text: booleans as true/false, arrays comma-separated."""
    if type(value) is str:  # the usual header, first: its text as it is
        return value.encode("latin-1")
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, Enum):
        return header_value(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat().encode("latin-1")
    if isinstance(value, list | tuple):
        return b",".join(header_value(item) for item in value)
    return str(value).encode("latin-1")


def headers_of(pairs: Iterable[tuple[bytes, object]]) -> list[tuple[bytes, bytes]]:
    """The declared response headers that have a value (None: left out), each name as ASGI sends it
    (lower case; the generated endpoints write it so)."""
    return [(name, header_value(value)) for name, value in pairs if value is not None]


async def send_json(
    send: Send,
    status: int,
    body: bytes,
    media_type: str = "application/json",
    headers: Sequence[tuple[bytes, bytes]] = (),
) -> None:
    start = [(b"content-type", media_type.encode("latin-1")), (b"content-length", str(len(body)).encode()), *headers]
    await send({"type": "http.response.start", "status": status, "headers": start})
    await send({"type": "http.response.body", "body": body})


async def send_model(send: Send, status: int, model: BaseModel) -> None:
    body = model_json(model)
    headers = [*JSON_HEADERS, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def send_no_content(send: Send, status: int, headers: Sequence[tuple[bytes, bytes]] = ()) -> None:
    await send({"type": "http.response.start", "status": status, "headers": list(headers)})
    await send({"type": "http.response.body", "body": b""})


# --- binding an implementation to the routes ------------------------------------------------------

ContextFactory = Callable[[Scope, str], ContextT]
"""Builds the request context an operation receives, from the ASGI scope and the operationId."""

Endpoint = Callable[[Scope, Receive, Send], Awaitable[None]]


class OperationNotImplemented(TypeError):
    """The application's implementation lacks an operation of the contract (raised at start-up)."""


def ensure_implemented(api: object, operations: Iterable[Operation]) -> None:
    """Refuse an implementation that does not serve every operation with a coroutine method."""
    for operation in operations:
        method = getattr(api, operation.name, None)
        if method is None or not inspect.iscoroutinefunction(method):
            named = "" if operation.name == operation.operation_id else f" (method {operation.name})"
            raise OperationNotImplemented(
                f"{type(api).__name__} does not implement operation {operation.operation_id!r} "
                f"({operation.method} {operation.path}) as an async method{named}"
            )


class PathItem:
    """The methods one contract path declares. It never serves an operation: operations are reached
    only through the operation Connexion's routing matched (OperationDispatcher), so never without
    Connexion's credentials check. A request that reaches a PathItem matched no operation: an
    undeclared method is a 405 naming the declared ones; a declared one is a 404 (this router read
    the path where Connexion's would not, e.g. a parameter holding a newline)."""

    def __init__(self, methods: Collection[str]) -> None:
        self.methods = frozenset(methods)
        self.allow = ", ".join(sorted(self.methods))

    def check_method(self, method: str) -> None:
        if method not in self.methods:
            raise HTTPException(status_code=405, headers={"Allow": self.allow})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.check_method(scope["method"])
        raise HTTPException(status_code=404)


def starlette_path(path: str) -> str:
    """A contract path in Starlette's syntax, with its parameters named as Connexion's routing names them."""
    return re.sub(r"\{([^}]*)\}", lambda match: "{" + match.group(1).replace("-", "_") + "}", path)


def path_routes(operations: Iterable[Operation], base_path: str = "") -> list[Route]:
    """One route per contract path to its PathItem. OpenAPI matches a concrete path before a templated
    one (`/v1/sessions/chat` is not `/v1/sessions/{session_id}`): concrete paths come first."""
    methods: dict[str, list[str]] = {}
    for operation in operations:
        methods.setdefault(operation.path, []).append(operation.method)
    ordered = sorted(methods, key=lambda path: "{" in path)
    return [Route(base_path.rstrip("/") + starlette_path(path), PathItem(methods[path])) for path in ordered]


class OperationDispatcher:
    """The application behind Connexion's middlewares: the operation Connexion's routing matched is
    served by its endpoint (a dict look-up, no second routing); anything else (no operation, a method
    the operation does not have, routes outside the contract) goes to the router, whose contract
    paths answer 404 or 405 only."""

    def __init__(self, endpoints: Mapping[str, tuple[str, Endpoint]], router: Router) -> None:
        self._endpoints = dict(endpoints)
        self._router = router

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            operation_id = scope.get("extensions", {}).get(ROUTING_CONTEXT, {}).get("operation_id")
            method, endpoint = self._endpoints.get(operation_id, (None, None))
            if endpoint is not None and method == scope["method"]:
                await endpoint(scope, receive, send)
                return
        await self._router(scope, receive, send)


@dataclass(frozen=True)
class Binding:
    operations: Mapping[str, Operation]
    endpoints: Mapping[str, Endpoint]
    """operationId -> its endpoint."""
    routes: list[Route]
    """One route per contract path (concrete paths before templated ones) to its PathItem: the
    declared methods, for 405s; never an operation's endpoint."""

    def app(self, *routes: BaseRoute) -> OperationDispatcher:
        """The application to wrap in `ConnexionMiddleware`: the contract's operations, and `routes`
        of the application's own (outside the contract) in the same router."""
        endpoints = {key: (self.operations[key].method, endpoint) for key, endpoint in self.endpoints.items()}
        return OperationDispatcher(endpoints, Router(routes=[*self.routes, *routes], redirect_slashes=False))

    def endpoint(self, operation_id: str) -> Endpoint:
        """The endpoint of `operation_id` (a Connexion function resolver); ValueError when unknown."""
        try:
            return self.endpoints[operation_id]
        except KeyError:
            raise ValueError(f"the contract has no operation {operation_id!r}") from None


class DeclaredMethods:
    """ASGI middleware: a request for a contract path with a method the path does not declare is a
    405 naming the declared ones, before anything else looks at it.

    OpenAPI matches a concrete path before a templated one, then the method. Connexion's router
    matches (path, method) pairs instead: it hands `PATCH /v1/sessions/chat` to the PATCH of
    `/v1/sessions/{session_id}`, and its 405 (a path matched, no method did) names the methods of
    one (path, method) route only. Install this in front of it (inside its ExceptionMiddleware).

    A request is matched against the contract's paths once, by Connexion's routing; this layer adds
    no match of its own to a request that reaches an operation. A concrete path costs a dict look-up.
    A templated one is looked at only when its method is declared on no templated path (HEAD, say,
    which Starlette lets a GET route take) or when Connexion's routing answers 405: then the path is
    matched here to name all the methods of its path."""

    def __init__(self, app: ASGIApp, *, binding: Binding) -> None:
        self.app = app
        items = [(route, route.endpoint) for route in binding.routes if isinstance(route.endpoint, PathItem)]
        self._concrete = {route.path: item for route, item in items if "{" not in route.path}
        self._templated = [(route, item) for route, item in items if "{" in route.path]
        self._routed = frozenset().union(*(item.methods for _, item in self._templated)) - {"HEAD"}
        """The methods Connexion's routing may take to a templated path's operation: the others are checked here."""

    def _templated_item(self, path: str, root_path: str, method: str) -> PathItem | None:
        scope = {"type": "http", "path": path, "root_path": root_path, "method": method}
        return next((item for route, item in self._templated if route.matches(scope)[0] is not Match.NONE), None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        item = self._concrete.get(path)
        if item is not None:
            item.check_method(method)
            await self.app(scope, receive, send)
            return
        root_path = scope.get("root_path", "")
        if method not in self._routed:
            item = self._templated_item(path, root_path, method)
            if item is not None:
                item.check_method(method)
        try:
            await self.app(scope, receive, send)
        except HTTPException as exc:
            if exc.status_code == 405:  # Connexion's routing: the path matched, the method did not
                item = self._templated_item(path, root_path, method)
                if item is not None:
                    item.check_method(method)
            raise
