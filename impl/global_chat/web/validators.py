"""Request body validation with the contract's error semantics, compiled once per operation.

- The operation's OpenAPI 3.0 schema is translated to JSON Schema (`nullable` becomes a `null`
  type) and compiled to Python code with fastjsonschema when the app starts; Connexion's default
  builds a `jsonschema` validator on every request and walks the schema interpretively.
- A body that is not UTF-8 or not JSON is the client's mistake: 400, never a 500.
- The parsed body is left in the scope for the endpoint (see operations.py), so it is parsed once.
- Messages name the field and what it expects.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Callable
from typing import Any

import fastjsonschema
from connexion.exceptions import BadRequestProblem
from connexion.validators import JSONRequestBodyValidator
from starlette.types import Receive, Scope

from global_chat.web.operations import PARSED_BODY_SCOPE_KEY

_UNSET = object()
_OPENAPI_ONLY = frozenset({"nullable", "example", "examples", "discriminator", "xml", "externalDocs", "deprecated"})

CompiledSchema = Callable[[Any], Any]


def _is_null_only(node: Any) -> bool:
    """The contract's spelling of the JSON null: `{type: string, nullable: true, enum: [null]}`."""
    return isinstance(node, dict) and node.get("nullable") is True and node.get("enum") == [None]


def to_json_schema(node: Any) -> Any:
    """An OpenAPI 3.0 schema (refs resolved) as plain JSON Schema: `nullable: true` admits null,
    `anyOf [X, null]` becomes X admitting null (so errors name X's own rule), OpenAPI-only keywords go."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    branches = node.get("anyOf")
    if isinstance(branches, list) and len(branches) == 2 and any(_is_null_only(b) for b in branches):
        (other,) = [b for b in branches if not _is_null_only(b)]
        if isinstance(other, dict) and "type" in other and "anyOf" not in other:
            merged = {**other, "nullable": True, **{k: v for k, v in node.items() if k != "anyOf"}}
            return to_json_schema(merged)
    converted = {key: to_json_schema(value) for key, value in node.items() if key not in _OPENAPI_ONLY}
    if _is_null_only(node):
        return {"type": "null"}
    if node.get("nullable") is True:
        if "type" in converted:
            converted["type"] = [converted["type"], "null"]
        if "enum" in converted and None not in converted["enum"]:
            converted["enum"] = [*converted["enum"], None]
    return converted


def compile_schema(schema: dict[str, Any]) -> CompiledSchema:
    compiled: CompiledSchema = fastjsonschema.compile(to_json_schema(schema), use_formats=True)
    return compiled


def describe(error: fastjsonschema.JsonSchemaValueException) -> str:
    """`locale: 'xx-!!' is not valid. Expected: ...` with the schema's own description when there is one."""
    where = (error.name or "data").removeprefix("data").lstrip(".") or "body"
    definition = error.definition if isinstance(error.definition, dict) else {}
    expected = definition.get("description")
    if error.rule == "pattern" and expected:
        return f"{where}: {error.value!r} is not valid. Expected: {' '.join(str(expected).split())}"
    message = (error.message or "is not valid").removeprefix(error.name or "").strip()
    return f"{where}: {message}"


class ContractJSONBodyValidator(JSONRequestBodyValidator):  # type: ignore[misc]
    """Connexion's JSON body validator with a precompiled schema (`compiled`, given per operation)."""

    def __init__(self, *, compiled: CompiledSchema | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._compiled = compiled or compile_schema(kwargs["schema"])
        self._parsed: Any = _UNSET

    async def wrap_receive(self, receive: Receive, *, scope: Scope) -> tuple[Receive, Scope]:
        receive, scope = await super().wrap_receive(receive, scope=scope)
        if self._parsed is not _UNSET:
            scope[PARSED_BODY_SCOPE_KEY] = self._parsed
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
