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
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head"}

# The seed page (the public documentation of the operation), its Session field by field, with the type it
# gives each: "?" is its "| null", "one of: null" (a nullable object) is written "object?", "any" is untyped.
SEED_SESSION_FIELDS = {
    "active_schedule_count": "integer?",
    "agent_id": "string?",
    "agent_identity_id": "string?",
    "agent_version_id": "string?",
    "blueprint_config": "object?",
    "blueprint_id": "string?",
    "capabilities": "array",
    "created_at": "string",
    "effective_owner": "object?",
    "features": "array",
    "finished_at": "string?",
    "harness_id": "string",
    "hints": "object?",
    "id": "string",
    "initial_files": "array",
    "is_pinned": "boolean?",
    "locale": "string?",
    "max_iterations": "integer?",
    "mcpServers": "object",
    "model_id": "string?",
    "network_access": "object?",
    "organization_id": "string",
    "output_preview": "string?",
    "owner": "object?",
    "owner_principal_id": "string",
    "parallel_tool_calls": "boolean?",
    "parent_session_id": "string?",
    "preview": "string?",
    "resolved_owner_user_id": "string?",
    "started_at": "string?",
    "status": "string",
    "system_prompt": "string?",
    "tags": "array",
    "title": "string?",
    "tools": "array",
    "updated_at": "string",
    "usage": "object?",
    "workspace_id": "string",
}
SEED_REQUIRED = {
    "created_at",
    "harness_id",
    "id",
    "organization_id",
    "owner_principal_id",
    "status",
    "updated_at",
    "workspace_id",
}


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


def seed_type(contract: dict[str, Any], schema: dict[str, Any]) -> str:
    """A property's schema in the seed page's notation (see SEED_SESSION_FIELDS)."""
    schemas = contract["components"]["schemas"]
    nullable = bool(schema.get("nullable"))
    for variant in schema.get("anyOf", []):  # anyOf [$ref, null]: a nullable reference
        if variant.get("enum") == [None]:
            nullable = True
        else:
            schema = variant
    for part in schema.get("allOf", []):  # allOf [$ref] + description
        schema = part
    if "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
    kind = schema.get("type", "any")
    return f"{kind}?" if nullable else kind


def test_session_has_every_field_of_the_seed_page_with_its_type(contract: dict[str, Any]) -> None:
    session = contract["components"]["schemas"]["Session"]
    ours = {name: seed_type(contract, schema) for name, schema in session["properties"].items()}

    assert {name: ours.get(name) for name in SEED_SESSION_FIELDS} == SEED_SESSION_FIELDS
    assert set(session["required"]) == SEED_REQUIRED
    # what we have beyond the page comes from the upstream contract (tests/fixtures/upstream)
    assert set(ours) - set(SEED_SESSION_FIELDS) == {"subagent_name", "subagent_status", "subagent_task"}


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


def test_every_operation_declares_the_403_of_the_organization_and_cross_site_checks(contract: dict[str, Any]) -> None:
    """Every operation that takes a credential (the API catalog takes none: `security: []`)."""
    for op in operations(contract):
        if op.get("security", contract["security"]) == []:
            assert "403" not in op["responses"] and "401" not in op["responses"], op["operationId"]
            continue
        assert op["responses"]["403"] == {"$ref": "#/components/responses/Forbidden"}, op["operationId"]


def test_generated_stub_covers_exactly_the_contract(contract: dict[str, Any]) -> None:
    assert set(server.OPERATIONS) == {op["operationId"] for op in operations(contract)}


@pytest.mark.parametrize("status", ["400", "401", "403", "413", "415", "429", "500", "503"])
def test_chat_operation_documents_each_error_with_the_error_schema(contract: dict[str, Any], status: str) -> None:
    response = contract["paths"]["/v1/sessions/chat"]["post"]["responses"][status]
    name = response["$ref"].rsplit("/", 1)[-1]
    content = contract["components"]["responses"][name]["content"]
    assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorResponse"}
