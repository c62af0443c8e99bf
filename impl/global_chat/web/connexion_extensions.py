"""Every place where this service plugs into Connexion beyond `AsyncApp`-style configuration, in one
module: tests/web/test_connexion_extensions.py pins each upstream class, attribute and signature used
here, so a Connexion upgrade that changes them fails there, loudly, and nowhere else.

All of them are Connexion's own extension points: a custom middleware stack (its documented
`middlewares` argument), the `api_cls`/`make_operation` hooks of a routed middleware, and a request
body validator (`validator_map`, whose `_parse`/`_validate` are the documented interface for custom
validators). What they buy, measured with `make bench`:

- Connexion's RequestValidationOperation recomputes, on every request, the operation's body schema
  (copying it with the contract's definitions), its media types, a URI parser and a parameter
  validator, and interprets the schema with `jsonschema`. Ours works them out once per operation
  and runs the schema compiled to Python by `fastjsonschema`.
- The parsed body is left in the scope (`PARSED_BODY`) for the generated endpoint: parsed once.
- The Swagger UI layer is consulted only for the docs' own paths.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from typing import Any

import fastjsonschema
from connexion import utils
from connexion.datastructures import MediaTypeDict
from connexion.exceptions import BadRequestProblem, UnsupportedMediaTypeProblem
from connexion.middleware import ConnexionMiddleware
from connexion.middleware.context import ContextMiddleware
from connexion.middleware.request_validation import RequestValidationAPI, RequestValidationMiddleware
from connexion.middleware.response_validation import ResponseValidationMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.operations import AbstractOperation
from connexion.validators import VALIDATOR_MAP as CONNEXION_VALIDATORS
from connexion.validators import JSONRequestBodyValidator
from starlette.types import ASGIApp, Receive, Scope, Send

from global_chat.web.json_schema import CompiledSchema, compile_schema, describe
from global_chat_generated.server.runtime import PARSED_BODY

UI_PATH = "/v1/ui"
SPEC_PATH = "/v1/openapi.json"

_UNSET = object()


class ContractJSONBodyValidator(JSONRequestBodyValidator):  # type: ignore[misc]
    """Connexion's JSON body validator with a precompiled schema (`compiled`, given per operation).

    A body that is not text in its declared encoding, or not JSON, is the client's mistake (400);
    messages name the field and what it expects. The parsed body is left in the scope.
    """

    def __init__(self, *, compiled: CompiledSchema | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._compiled = compiled or compile_schema(kwargs["schema"])
        self._parsed: Any = _UNSET

    async def wrap_receive(self, receive: Receive, *, scope: Scope) -> tuple[Receive, Scope]:
        receive, scope = await super().wrap_receive(receive, scope=scope)
        scope[PARSED_BODY] = None if self._parsed is _UNSET else self._parsed
        return receive, scope

    async def _parse(self, stream: AsyncGenerator[bytes, None], scope: Scope) -> Any:
        raw = b"".join([chunk async for chunk in stream])
        try:
            text = raw.decode(self._encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise BadRequestProblem(detail=f"the body is not valid {self._encoding} text") from exc
        if not text:
            self._parsed = None
            return None
        try:
            self._parsed = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise BadRequestProblem(detail=f"the body is not valid JSON ({exc})") from exc
        return self._parsed

    def _validate(self, body: Any) -> dict[str, Any] | None:
        # A missing or null body is judged by the schema itself: the contract spells "nullable" as
        # anyOf [..., null] (OpenAPI 3.0 has no null type), which Connexion's own check does not see.
        try:
            self._compiled(body)
        except fastjsonschema.JsonSchemaValueException as error:
            raise BadRequestProblem(detail=describe(error)) from None
        return None


VALIDATOR_MAP = {"body": {"application/json": ContractJSONBodyValidator}}


# --- request validation, worked out once per operation -----------------------------------------


class CompiledRequestValidationOperation:
    """The checks of Connexion's RequestValidationOperation, in its order (parameters, media type
    (415), body), with everything that depends only on the operation built when the app starts."""

    def __init__(
        self, next_app: ASGIApp, *, operation: AbstractOperation, strict_validation: bool, validator_map: dict[str, Any]
    ) -> None:
        self.next_app = next_app
        validators = {**CONNEXION_VALIDATORS, **validator_map}
        consumes = [media_type.lower() for media_type in operation.consumes]
        self._consumes = list(operation.consumes)
        self._accepted = MediaTypeDict([(media_type, None) for media_type in consumes]) if consumes else None
        self._default_media_type = consumes[0] if consumes else "application/octet-stream"
        # Without declared parameters, only strict validation's "no unknown query parameter" is left
        # to check, and an empty query string has none.
        self._check_parameters = bool(operation.parameters)
        self._strict = strict_validation
        self._parameter_validator = validators["parameter"](
            operation.parameters,
            uri_parser=operation.uri_parser_class(operation.parameters, operation.body_definition()),
            strict_validation=strict_validation,
            security_query_params=_security_query_params(operation),
        )
        self._bodies: dict[str, tuple[type[Any], dict[str, Any]]] = {}
        for media_type in consumes:
            validator = validators["body"].get(media_type)
            schema = operation.body_schema(media_type)
            if validator is None or not schema:
                continue
            compiled = {"compiled": compile_schema(schema)} if issubclass(validator, ContractJSONBodyValidator) else {}
            self._bodies[media_type] = (
                validator,
                {
                    **compiled,
                    "schema": schema,
                    "required": operation.request_body.get("required", False),
                    "nullable": utils.is_nullable(operation.body_definition(media_type)),
                    "strict_validation": strict_validation,
                    "uri_parser": operation.uri_parser_class(operation.parameters, operation.body_definition()),
                },
            )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._check_parameters or (self._strict and scope.get("query_string")):
            self._parameter_validator.validate(scope)
        mime_type, encoding = utils.split_content_type(_content_type(scope["headers"]))
        mime_type = (mime_type or self._default_media_type).lower()
        if self._accepted is not None and mime_type not in self._accepted:
            raise UnsupportedMediaTypeProblem(detail=f"Invalid Content-type ({mime_type}), expected {self._consumes}")
        body = self._bodies.get(mime_type)
        if body is not None:
            validator_class, options = body
            validator = validator_class(encoding=encoding or "utf-8", **options)
            receive, scope = await validator.wrap_receive(receive, scope=scope)
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
            self.next_app,
            operation=operation,
            strict_validation=self.strict_validation,
            validator_map=self.validator_map or {},
        )


class CompiledRequestValidationMiddleware(RequestValidationMiddleware):  # type: ignore[misc]
    api_cls = CompiledRequestValidationAPI


# --- the Swagger UI, and the stack ------------------------------------------------------------


class DocsOnlySwaggerUIMiddleware(SwaggerUIMiddleware):  # type: ignore[misc]
    """Connexion's Swagger UI middleware matches every request against its routes before passing it
    on; only the docs' own paths can match, so every other request goes straight to the next layer."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and not (path.startswith(UI_PATH) or path == SPEC_PATH):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def connexion_middlewares(*, validate_responses: bool) -> list[Any]:
    """Connexion's default stack, with request validation compiled per operation, the Swagger UI
    layer consulted only for the docs' paths, no response-validation layer when responses are not
    validated, and no ContextMiddleware: handlers get an explicit context, not context variables."""
    chosen = []
    for middleware in ConnexionMiddleware.default_middlewares:
        if middleware is RequestValidationMiddleware:
            chosen.append(CompiledRequestValidationMiddleware)
        elif middleware is SwaggerUIMiddleware:
            chosen.append(DocsOnlySwaggerUIMiddleware)
        elif middleware is ContextMiddleware or (middleware is ResponseValidationMiddleware and not validate_responses):
            continue
        else:
            chosen.append(middleware)
    return chosen
