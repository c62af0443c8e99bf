"""Every place where this service plugs into Connexion beyond its plain configuration, in one module:
tests/web/test_connexion_extensions.py pins each upstream class, attribute and signature used here,
so a Connexion upgrade that changes them fails there, loudly, and nowhere else.

All of them are Connexion's own extension points: a custom middleware stack (its documented
`middlewares` argument) and the `api_cls`/`make_operation` hooks of a routed middleware; no
underscore name of Connexion's is used. What they buy, measured with `make bench`:

- Connexion's RequestValidationOperation recomputes, on every request, the operation's body schema
  (copying it with the contract's definitions), its media types, a URI parser and a parameter
  validator, and interprets the schema with `jsonschema`. Ours works them out once per operation,
  runs the schema compiled to Python by `fastjsonschema`, and leaves the parsed body in the scope
  (`PARSED_BODY`) for the generated endpoint: read and parsed once.
- The Swagger UI layer is consulted only for the docs' own paths, and serves the contract as written
  (web/contract_document.py) rather than Connexion's resolved copy with every `$ref` inlined.

And one for safety: the routing layer never answers with a redirect built from the Host header.
"""

from __future__ import annotations

import json
import re
from typing import Any

import fastjsonschema
from connexion.datastructures import MediaTypeDict
from connexion.middleware import ConnexionMiddleware
from connexion.middleware.context import ContextMiddleware
from connexion.middleware.request_validation import RequestValidationAPI, RequestValidationMiddleware
from connexion.middleware.response_validation import ResponseValidationMiddleware
from connexion.middleware.routing import RoutingMiddleware
from connexion.middleware.swagger_ui import SwaggerUIAPI, SwaggerUIMiddleware
from connexion.operations import AbstractOperation
from connexion.validators import VALIDATOR_MAP
from starlette.routing import Mount, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from werkzeug.http import parse_options_header

from global_chat.errors import InvalidRequest, UnsupportedMediaType
from global_chat.web.contract_document import served_contract
from global_chat.web.json_schema import compile_schema, describe
from global_chat_generated.server.runtime import PARSED_BODY

UI_PATH = "/v1/ui"
SPEC_PATH = "/v1/openapi.json"
SPEC_YAML_PATH = "/v1/openapi.yaml"  # where Connexion puts the YAML: SPEC_PATH with "yaml" for "json"


class JSONBody:
    """An operation's JSON request body: read whole, decoded, parsed and checked against the
    operation's schema compiled once. Anything that fails is the client's mistake (400) with a
    message naming the field and what it expects; the parsed body is left in the scope."""

    def __init__(self, schema: dict[str, Any], *, required: bool) -> None:
        self._check = compile_schema(schema)
        self._required = required

    async def read(self, receive: Receive, scope: Scope, encoding: str) -> Receive:
        """Validate the body; a `receive` that replays it for whatever reads it next."""
        messages: list[Message] = []
        more = True
        while more:
            message = await receive()
            messages.append(message)
            more = message.get("more_body", False)
        raw = b"".join(message.get("body", b"") for message in messages)
        if not raw and self._required:
            raise InvalidRequest("the request body is required")
        body = self.parse(raw, encoding)
        try:
            self._check(body)
        except fastjsonschema.JsonSchemaValueException as error:
            raise InvalidRequest(describe(error)) from None
        scope[PARSED_BODY] = body
        replay = iter(messages)

        async def replaying_receive() -> Message:
            return next(replay, None) or await receive()

        return replaying_receive

    @staticmethod
    def parse(raw: bytes, encoding: str) -> Any:
        """The JSON value of `raw` (None for no body). A missing or null body is judged by the schema
        itself: the contract spells "nullable" as anyOf [..., null] (OpenAPI 3.0 has no null type).

        Every way the caller's bytes can fail to be JSON is the caller's mistake, whatever the
        standard library calls it: an unknown charset (LookupError), a codec that refuses them
        (UnicodeError of any kind: `undefined`, `punycode`, ...), an integer longer than Python
        converts (ValueError, sys.get_int_max_str_digits()), nesting deeper than the parser
        recurses (RecursionError); and what RFC 8259 / I-JSON (RFC 7493) exclude although Python's
        parser takes it: NaN and Infinity, and strings with an unpaired surrogate, which no UTF-8
        text (so no database, no response) can hold."""
        try:
            text = raw.decode(encoding)
        except (ValueError, LookupError) as exc:  # UnicodeError is a ValueError
            raise InvalidRequest(f"the body is not valid {encoding} text") from exc
        if not text:
            return None
        try:
            value = json.loads(text, parse_constant=_refuse_constant)
            surrogate = _has_unpaired_surrogate(value)
        except (ValueError, RecursionError) as exc:  # json.JSONDecodeError is a ValueError
            raise InvalidRequest(f"the body is not valid JSON ({exc})") from exc
        if surrogate:
            raise InvalidRequest("the body is not valid JSON text: a string holds an unpaired UTF-16 surrogate")
        return value


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _has_unpaired_surrogate(value: Any) -> bool:
    """Whether a string anywhere in `value` (keys included) holds a lone surrogate code point. A
    valid pair (\\ud83d\\ude00) is joined into one code point by the parser, so only lone ones remain."""
    if isinstance(value, str):
        return not value.isascii() and _SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_unpaired_surrogate(k) or _has_unpaired_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_unpaired_surrogate(item) for item in value)
    return False


_SURROGATE = re.compile(r"[\ud800-\udfff]")


# --- request validation, worked out once per operation -----------------------------------------


class CompiledRequestValidationOperation:
    """The checks of Connexion's RequestValidationOperation, in its order (parameters, media type
    (415), body), with everything that depends only on the operation built when the app starts."""

    def __init__(self, next_app: ASGIApp, *, operation: AbstractOperation, strict_validation: bool) -> None:
        self.next_app = next_app
        consumes = [media_type.lower() for media_type in operation.consumes]
        self._consumes = list(operation.consumes)
        self._accepted = MediaTypeDict([(media_type, None) for media_type in consumes]) if consumes else None
        self._default_media_type = consumes[0] if consumes else "application/octet-stream"
        # Without declared parameters, only strict validation's "no unknown query parameter" is left
        # to check, and an empty query string has none.
        self._check_parameters = bool(operation.parameters)
        self._strict = strict_validation
        self._parameter_validator = VALIDATOR_MAP["parameter"](
            operation.parameters,
            uri_parser=operation.uri_parser_class(operation.parameters, operation.body_definition()),
            strict_validation=strict_validation,
            security_query_params=_security_query_params(operation),
        )
        required = bool(operation.request_body.get("required", False))
        self._bodies = {
            media_type: JSONBody(schema, required=required)
            for media_type in consumes
            if media_type == "application/json" and (schema := operation.body_schema(media_type))
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._check_parameters or (self._strict and scope.get("query_string")):
            self._parameter_validator.validate(scope)
        mime_type, options = parse_options_header(_content_type(scope["headers"]))
        mime_type = (mime_type or self._default_media_type).lower()
        encoding = options.get("charset")
        if self._accepted is not None and mime_type not in self._accepted:
            raise UnsupportedMediaType(f"Invalid Content-type ({mime_type}), expected {self._consumes}")
        body = self._bodies.get(mime_type)
        if body is not None:
            receive = await body.read(receive, scope, encoding or "utf-8")
        await self.next_app(scope, receive, send)


def _content_type(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == b"content-type":
            return value.decode("latin-1")
    return None


def _security_query_params(operation: AbstractOperation) -> list[str]:
    """API keys sent as query parameters are not "unknown parameters" under strict validation."""
    names = []
    for requirement in operation.security or []:
        for scheme_name in requirement:
            scheme = operation.security_schemes[scheme_name]
            if scheme["type"] == "apiKey" and scheme["in"] == "query":
                names.append(scheme["name"])
    return names


class CompiledRequestValidationAPI(RequestValidationAPI):  # type: ignore[misc]
    def make_operation(self, operation: AbstractOperation) -> CompiledRequestValidationOperation:
        return CompiledRequestValidationOperation(
            self.next_app, operation=operation, strict_validation=self.strict_validation
        )


class CompiledRequestValidationMiddleware(RequestValidationMiddleware):  # type: ignore[misc]
    api_cls = CompiledRequestValidationAPI


# --- routing: no redirect built from the Host header --------------------------------------------


class NoRedirectRoutingMiddleware(RoutingMiddleware):  # type: ignore[misc]
    """Connexion's routing, without Starlette's trailing-slash redirects: its Routers answer a path that
    differs from a route by a trailing slash with a 307 whose Location is built from the request's Host
    header (`POST /v1/sessions/chat/` with `Host: evil.example` -> `http://evil.example/...`), which a
    cache in front would keep and serve to others. The contract has no trailing slashes: such a path is
    unknown, and falls through to the 404 of the app's own router (the contract's error)."""

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app)
        self.router.redirect_slashes = False

    def add_api(self, specification: Any, base_path: str | None = None, arguments: Any = None, **kwargs: Any) -> None:
        super().add_api(specification, base_path=base_path, arguments=arguments, **kwargs)
        for route in self.router.routes:  # each API is mounted as a Router of its own
            if isinstance(route, Mount) and isinstance(route.app, Router):
                route.app.redirect_slashes = False


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
        if scope["type"] == "http" and not (path.startswith(UI_PATH) or path in (SPEC_PATH, SPEC_YAML_PATH)):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def connexion_middlewares(*, validate_responses: bool) -> list[Any]:
    """Connexion's default stack, with request validation compiled per operation, routing without
    trailing-slash redirects, the Swagger UI layer consulted only for the docs' paths, no
    response-validation layer when responses are not validated, and no ContextMiddleware: handlers
    get an explicit context, not context variables."""
    chosen = []
    for middleware in ConnexionMiddleware.default_middlewares:
        if middleware is RequestValidationMiddleware:
            chosen.append(CompiledRequestValidationMiddleware)
        elif middleware is RoutingMiddleware:
            chosen.append(NoRedirectRoutingMiddleware)
        elif middleware is SwaggerUIMiddleware:
            chosen.append(DocsOnlySwaggerUIMiddleware)
        elif middleware is ContextMiddleware or (middleware is ResponseValidationMiddleware and not validate_responses):
            continue
        else:
            chosen.append(middleware)
    return chosen
