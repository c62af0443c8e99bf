"""The one error hierarchy and its renderer: every error carries a `code` of the contract's closed
vocabulary, taken from its class, and the vocabulary has no value that nothing can produce."""

from __future__ import annotations

import json
import re
from typing import Any

from global_chat import errors
from global_chat.errors import DomainError, RateLimited, render
from tests.fixtures.contract import ContractSchemas


def error_classes() -> list[type[DomainError]]:
    found: list[type[DomainError]] = []
    pending: list[type[DomainError]] = [DomainError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def test_every_error_class_has_a_code_of_the_contract(contract: dict[str, Any]) -> None:
    vocabulary = set(contract["components"]["schemas"]["ErrorCode"]["enum"])
    # only the hierarchy of global_chat.errors: tests may not add classes of their own to it
    classes = [cls for cls in error_classes() if cls.__module__ == errors.__name__]

    assert {cls.__name__: cls.code.value for cls in classes if cls.code.value not in vocabulary} == {}
    assert {cls.code.value for cls in classes} == vocabulary  # no code that no error can carry


def test_every_error_class_has_a_code_documented_for_its_status(contract: dict[str, Any]) -> None:
    """The contract says which statuses each code comes with ("- `not_found` (404): ..."): a class whose
    status is not among its code's (a 408 left with the default `internal_error`, say) fails here."""
    description = contract["components"]["schemas"]["ErrorCode"]["description"]
    documented = {
        code: {int(status) for status in statuses.split(",")}
        for code, statuses in re.findall(r"^- `(\w+)` \(([\d, ]+)\):", description, flags=re.MULTILINE)
    }
    assert set(documented) == set(contract["components"]["schemas"]["ErrorCode"]["enum"])
    classes = [cls for cls in error_classes() if cls.__module__ == errors.__name__]

    mismatched = {
        cls.__name__: (cls.status, cls.code.value) for cls in classes if cls.status not in documented[cls.code.value]
    }
    assert mismatched == {}


def test_the_renderer_sets_the_code_from_the_class(our_schemas: ContractSchemas) -> None:
    status, body, headers = render(RateLimited(retry_after=12), operation_id="get_or_create_chat_session")

    payload = json.loads(body)
    assert (status, payload["code"], headers["Retry-After"]) == (429, "rate_limited", "12")
    assert our_schemas.errors("ErrorResponse", payload) == []
