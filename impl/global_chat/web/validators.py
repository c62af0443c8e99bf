"""Request body validation with the contract's error semantics, compiled once per operation.

- A body that is not UTF-8 or not JSON is the client's mistake: 400, never a 500.
- The JSON schema validator of each operation is built once and reused (Connexion builds a new
  one on every request), keyed by the operationId the router put in the scope.
- The parsed body is left in the scope for the endpoint (see operations.py), so it is parsed once.
- Messages name the field and what it expects.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from typing import Any, ClassVar

from connexion.exceptions import BadRequestProblem
from connexion.json_schema import Draft4RequestValidator
from connexion.middleware.routing import ROUTING_CONTEXT
from connexion.validators import JSONRequestBodyValidator
from jsonschema import Draft4Validator, ValidationError
from starlette.types import Receive, Scope

from global_chat.web.operations import PARSED_BODY_SCOPE_KEY

_UNSET = object()


def describe(error: ValidationError) -> str:
    """`locale: 'xx-!!' is not valid. Expected: ...` with the schema's own description when there is one."""
    where = ".".join(str(part) for part in error.absolute_path) or "body"
    expected = error.schema.get("description") if isinstance(error.schema, dict) else None
    if error.validator == "pattern" and expected:
        return f"{where}: {error.instance!r} is not valid. Expected: {' '.join(expected.split())}"
    return f"{where}: {error.message}"


class ContractJSONBodyValidator(JSONRequestBodyValidator):  # type: ignore[misc]
    # operationId -> compiled validator of its JSON body. The contract is fixed for the life of the
    # process, so an operation's body schema is too.
    _compiled: ClassVar[dict[str, Any]] = {}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._parsed: Any = _UNSET
        self._operation_id: str | None = None

    async def wrap_receive(self, receive: Receive, *, scope: Scope) -> tuple[Receive, Scope]:
        self._operation_id = scope.get("extensions", {}).get(ROUTING_CONTEXT, {}).get("operation_id")
        receive, scope = await super().wrap_receive(receive, scope=scope)
        if self._parsed is not _UNSET:
            scope[PARSED_BODY_SCOPE_KEY] = self._parsed
        return receive, scope

    @property
    def _validator(self) -> Any:
        validator = self._compiled.get(self._operation_id) if self._operation_id else None
        if validator is None:
            validator = Draft4RequestValidator(self._schema, format_checker=Draft4Validator.FORMAT_CHECKER)
            if self._operation_id:
                self._compiled[self._operation_id] = validator
        return validator

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
        error = next(iter(self._validator.iter_errors(body)), None)
        if error is not None:
            raise BadRequestProblem(detail=describe(error))
        return None


VALIDATOR_MAP = {"body": {"application/json": ContractJSONBodyValidator}}
