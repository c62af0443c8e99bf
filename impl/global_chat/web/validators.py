"""Request body validation with the contract's error semantics: a body that is not UTF-8 is the
client's mistake (400), not a server error."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from typing import Any

from connexion.exceptions import BadRequestProblem
from connexion.validators import JSONRequestBodyValidator
from starlette.types import Scope


class StrictJSONRequestBodyValidator(JSONRequestBodyValidator):  # type: ignore[misc]
    async def _parse(self, stream: AsyncGenerator[bytes, None], scope: Scope) -> Any:
        raw = b"".join([chunk async for chunk in stream])
        try:
            text = raw.decode(self._encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise BadRequestProblem(detail=f"the body is not valid {self._encoding} text") from exc
        if not text:
            return None
        try:
            return json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise BadRequestProblem(detail=f"the body is not valid JSON ({exc})") from exc


VALIDATOR_MAP = {"body": {"application/json": StrictJSONRequestBodyValidator}}
