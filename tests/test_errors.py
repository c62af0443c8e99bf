"""The one error hierarchy and its renderer: every error carries a `code` of the contract's closed
vocabulary, taken from its class, and the vocabulary has no value that nothing can produce."""

from __future__ import annotations

import json
import re
from typing import Any

from global_chat import errors
from global_chat.errors import PROBLEM_JSON, DomainError, PreconditionFailed, RateLimited, render
from global_chat_generated.models import ErrorCode
from tests.fixtures.contract import ContractSchemas


def error_classes() -> list[type[DomainError]]:
    found: list[type[DomainError]] = []
    pending: list[type[DomainError]] = [DomainError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


VOCABULARIES = ("ErrorCode", "ConditionalErrorCode")
"""The codes of ErrorResponse, and those only a conditional request can get (PreconditionFailedResponse)."""


def code_of(cls: type[DomainError]) -> str:
    return cls.code.value if isinstance(cls.code, ErrorCode) else cls.code.root


def test_every_error_class_has_a_code_of_the_contract(contract: dict[str, Any]) -> None:
    vocabulary = {code for name in VOCABULARIES for code in contract["components"]["schemas"][name]["enum"]}
    # only the hierarchy of global_chat.errors: tests may not add classes of their own to it
    classes = [cls for cls in error_classes() if cls.__module__ == errors.__name__]

    assert {cls.__name__: code_of(cls) for cls in classes if code_of(cls) not in vocabulary} == {}
    assert {code_of(cls) for cls in classes} == vocabulary  # no code that no error can carry


def test_every_error_class_has_a_code_documented_for_its_status(contract: dict[str, Any]) -> None:
    """The contract says which statuses each code comes with ("- `not_found` (404): ..."): a class whose
    status is not among its code's (a 408 left with the default `internal_error`, say) fails here."""
    schemas = contract["components"]["schemas"]
    documented = {
        code: {int(status) for status in statuses.split(",")}
        for name in VOCABULARIES
        for code, statuses in re.findall(r"^- `(\w+)` \(([\d, ]+)\):", schemas[name]["description"], flags=re.MULTILINE)
    }
    assert set(documented) == {code for name in VOCABULARIES for code in schemas[name]["enum"]}
    classes = [cls for cls in error_classes() if cls.__module__ == errors.__name__]

    mismatched = {
        cls.__name__: (cls.status, code_of(cls)) for cls in classes if cls.status not in documented[code_of(cls)]
    }
    assert mismatched == {}


def test_the_renderer_sets_the_code_from_the_class(our_schemas: ContractSchemas) -> None:
    status, body, headers = render(RateLimited(retry_after=12), operation_id="get_or_create_chat_session")

    payload = json.loads(body)
    assert (status, payload["code"], headers["Retry-After"]) == (429, "rate_limited", "12")
    assert our_schemas.errors("ErrorResponse", payload) == []


def test_a_precondition_failure_is_rendered_with_its_own_vocabulary(our_schemas: ContractSchemas) -> None:
    status, body, headers = render(PreconditionFailed('"abc"'), operation_id="update_session")

    payload = json.loads(body)
    assert (status, payload["code"], headers) == (412, "precondition_failed", {"ETag": '"abc"'})
    assert payload["allowed_actions"][0]["operation_id"] == "update_session"
    assert our_schemas.errors("PreconditionFailedResponse", payload) == []
    assert our_schemas.errors("ErrorResponse", payload) != []  # not a value of ErrorCode: never in its body

    status, problem, _ = render(PreconditionFailed('"abc"'), media_type=PROBLEM_JSON, request_id="r1")
    assert our_schemas.errors("ProblemDetails", json.loads(problem)) == []
