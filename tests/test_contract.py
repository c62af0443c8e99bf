"""The contract itself: valid OpenAPI 3.0.3, every example valid, every operation implemented."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterator
from typing import Any

import pytest
from openapi_spec_validator import validate

from global_chat_generated import server
from tests.fixtures.contract import ContractSchemas

SCHEMA_KEYS = {"type", "allOf", "oneOf", "anyOf", "$ref", "properties", "enum", "items"}
HTTP_METHODS = {"get", "put", "post", "delete", "patch"}


def walk_examples(node: Any, path: str = "#") -> Iterator[tuple[str, dict[str, Any], Any]]:
    """(where, schema, example) for every example in the document, next to the schema it illustrates."""
    if isinstance(node, dict):
        if "schema" in node and isinstance(node["schema"], dict):  # media type, parameter or header
            if "example" in node:
                yield path, node["schema"], node["example"]
            for name, example in node.get("examples", {}).items():
                yield f"{path}/examples/{name}", node["schema"], example["value"]
        elif "example" in node and SCHEMA_KEYS & node.keys():
            schema = {k: v for k, v in node.items() if k != "example"}
            yield path, schema, node["example"]
        for key, value in node.items():
            if key not in ("example", "examples"):
                yield from walk_examples(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk_examples(value, f"{path}/{index}")


def operations(contract: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for item in contract["paths"].values() for method, op in item.items() if method in HTTP_METHODS]


def test_contract_is_valid_openapi_3_0_3(contract: dict[str, Any]) -> None:
    assert contract["openapi"] == "3.0.3"
    validate(contract)


def test_contract_has_examples_to_check(contract: dict[str, Any]) -> None:
    assert len(list(walk_examples(contract))) >= 30


def test_every_example_is_valid_against_its_schema(contract: dict[str, Any], our_schemas: ContractSchemas) -> None:
    failures = []
    for where, schema, example in walk_examples(contract):
        for error in our_schemas.validator(schema).iter_errors(example):
            failures.append(f"{where}: {error.message}")
    assert failures == []


def test_an_invalid_example_would_be_caught(our_schemas: ContractSchemas) -> None:
    # The seed page's own example id has 31 hex digits: our pattern must reject it.
    assert our_schemas.errors("Session", {"id": "session_01933b5a00007000800000000000001"})


def test_every_operation_has_a_hand_written_handler(contract: dict[str, Any]) -> None:
    """Each tag's handlers (`global_chat.<tag>.handlers`) implement its generated interface, every
    operation of it: no abstract method is left."""
    for op in operations(contract):
        tag = op["tags"][0]
        interface = getattr(importlib.import_module(f"global_chat_generated.api.{tag}"), f"{tag.title()}Api")
        handlers = importlib.import_module(f"global_chat.{tag}.handlers")
        implementations = [c for c in vars(handlers).values() if isinstance(c, type) and issubclass(c, interface)]
        implementation = next(c for c in implementations if c is not interface)
        assert callable(getattr(implementation, op["operationId"], None)), f"no handler for {op['operationId']}"
        assert not inspect.isabstract(implementation), f"{implementation.__name__} misses an operation"


def test_generated_stub_covers_exactly_the_contract(contract: dict[str, Any]) -> None:
    assert set(server.OPERATIONS) == {op["operationId"] for op in operations(contract)}


@pytest.mark.parametrize("status", ["400", "401", "413", "415", "429", "500", "503"])
def test_chat_operation_documents_each_error_with_the_error_schema(contract: dict[str, Any], status: str) -> None:
    response = contract["paths"]["/v1/sessions/chat"]["post"]["responses"][status]
    name = response["$ref"].rsplit("/", 1)[-1]
    content = contract["components"]["responses"][name]["content"]
    assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorResponse"}
