"""Request validation with everything that depends only on the operation worked out once.

Connexion's RequestValidationOperation recomputes, on every request, the operation's body schema
(copying it with the contract's definitions four times), its media types, a URI parser and a
parameter validator. They are fixed for the life of the app, so this operation (a drop-in for
Connexion's, installed through the app's `middlewares` list) builds them when the app starts and
runs the same checks per request: parameters, media type (415), then the body validator.
"""

from __future__ import annotations

from typing import Any

from connexion import utils
from connexion.datastructures import MediaTypeDict
from connexion.exceptions import UnsupportedMediaTypeProblem
from connexion.middleware.request_validation import (
    RequestValidationAPI,
    RequestValidationMiddleware,
    RequestValidationOperation,
)
from connexion.operations import AbstractOperation
from starlette.types import ASGIApp, Receive, Scope, Send

from global_chat.web.validators import ContractJSONBodyValidator, compile_schema


class CompiledRequestValidationOperation(RequestValidationOperation):  # type: ignore[misc]
    def __init__(self, next_app: ASGIApp, *, operation: AbstractOperation, **options: Any) -> None:
        super().__init__(next_app, operation=operation, **options)
        consumes = [media_type.lower() for media_type in operation.consumes]
        self._accepted = MediaTypeDict([(media_type, None) for media_type in consumes]) if consumes else None
        self._default_media_type = consumes[0] if consumes else "application/octet-stream"
        self._has_parameters = bool(operation.parameters)
        self._parameter_validator = self._validator_map["parameter"](
            operation.parameters,
            uri_parser=operation._uri_parser_class(operation.parameters, operation.body_definition()),
            strict_validation=self.strict_validation,
            security_query_params=self.security_query_params,
        )
        self._bodies: dict[str, tuple[type[Any], dict[str, Any]]] = {}
        for media_type in consumes:
            validator = self._validator_map["body"].get(media_type)
            schema = operation.body_schema(media_type)
            if validator is not None and schema:
                options = (
                    {"compiled": compile_schema(schema)} if issubclass(validator, ContractJSONBodyValidator) else {}
                )
                self._bodies[media_type] = (
                    validator,
                    {
                        **options,
                        "schema": schema,
                        "required": operation.request_body.get("required", False),
                        "nullable": utils.is_nullable(operation.body_definition(media_type)),
                        "strict_validation": self.strict_validation,
                        "uri_parser": operation.uri_parser_class(operation.parameters, operation.body_definition()),
                    },
                )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Without declared parameters, only strict validation's "no unknown query parameter" is
        # left to check, and an empty query string has none.
        if self._has_parameters or (self.strict_validation and scope.get("query_string")):
            self._parameter_validator.validate(scope)
        mime_type, encoding = utils.split_content_type(_content_type(scope["headers"]))
        mime_type = (mime_type or self._default_media_type).lower()
        if self._accepted is not None and mime_type not in self._accepted:
            raise UnsupportedMediaTypeProblem(
                detail=f"Invalid Content-type ({mime_type}), expected {self._operation.consumes}"
            )
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


class CompiledRequestValidationAPI(RequestValidationAPI):  # type: ignore[misc]
    def make_operation(self, operation: AbstractOperation) -> CompiledRequestValidationOperation:
        return CompiledRequestValidationOperation(
            self.next_app,
            operation=operation,
            strict_validation=self.strict_validation,
            validator_map=self.validator_map,
        )


class CompiledRequestValidationMiddleware(RequestValidationMiddleware):  # type: ignore[misc]
    api_cls = CompiledRequestValidationAPI
