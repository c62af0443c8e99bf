"""Small inline OpenAPI 3.0 contracts, one per feature of the generator and one per refusal
(docs/generator.md lists both)."""

from __future__ import annotations

from typing import Any

Contract = dict[str, Any]


def contract(paths: dict[str, Any], schemas: dict[str, Any] | None = None, **extra: Any) -> Contract:
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas or {}},
        **extra,
    }


def ok(description: str = "ok", schema: Any = None, **extra: Any) -> dict[str, Any]:
    response: dict[str, Any] = {"description": description, **extra}
    if schema is not None:
        response["content"] = {"application/json": {"schema": schema}}
    return response


ERROR = {"type": "object", "required": ["message"], "properties": {"message": {"type": "string"}}}
PET = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "tag": {"type": "string"}},
}

PARAMETERS = contract(
    {
        "/items/{item_id}": {
            "get": {
                "operationId": "get item by id",  # spaces
                "tags": ["item-store"],  # a hyphenated tag
                "parameters": [
                    {"name": "item_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}},
                    {"name": "verbose", "in": "query", "schema": {"type": "boolean", "default": False}},
                ],
                "responses": {"200": ok(schema={"$ref": "#/components/schemas/Echo"})},
            }
        },
        "/items": {
            "get": {
                "operationId": "listItems",  # camelCase
                "tags": ["item-store"],
                "parameters": [
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
                    },
                    {"name": "pageSize", "in": "query", "schema": {"type": "number"}},
                    {"name": "kind", "in": "query", "schema": {"$ref": "#/components/schemas/Kind"}},
                    {"name": "tags", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}},
                    {
                        "name": "ids",
                        "in": "query",
                        "explode": False,
                        "schema": {"type": "array", "items": {"type": "integer"}},
                    },
                    {"name": "since", "in": "query", "schema": {"type": "string", "format": "date-time"}},
                    {"name": "day", "in": "query", "schema": {"type": "string", "format": "date"}},
                    {"name": "mode", "in": "query", "schema": {"type": "string", "enum": ["fast", "slow"]}},
                    {
                        "name": "X-Trace-Id",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "string", "format": "uuid"},
                    },
                    {"name": "X-Flags", "in": "header", "schema": {"type": "array", "items": {"type": "string"}}},
                    {"name": "class", "in": "query", "schema": {"type": "string", "pattern": "^[a-z]+$"}},  # a keyword
                    {"name": "session", "in": "cookie", "schema": {"type": "string", "minLength": 3}},
                ],
                "responses": {"200": ok(schema={"$ref": "#/components/schemas/Echo"})},
            }
        },
        "/ping": {"get": {"operationId": "ping", "responses": {"204": ok()}}},  # untagged: the default interface
    },
    {
        "Echo": {"type": "object", "additionalProperties": True},
        "Kind": {"type": "string", "enum": ["cat", "dog"]},
    },
)

RESPONSES = contract(
    {
        "/pets": {
            "get": {
                "operationId": "list-pets",  # hyphenated
                "tags": ["pets"],
                "responses": {
                    "200": ok(
                        schema={"type": "array", "items": {"$ref": "#/components/schemas/Pet"}},  # a top-level array
                        headers={"X-Total": {"schema": {"type": "integer"}, "required": True}},
                    ),
                    "default": ok("error", schema={"$ref": "#/components/schemas/Error"}),
                },
            },
            "post": {
                "operationId": "createPet",
                "tags": ["pets"],
                "requestBody": {  # an inline body schema: made the model CreatePetRequest
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["name"],
                                "properties": {"name": {"type": "string", "minLength": 1}},
                            }
                        }
                    },
                },
                "responses": {
                    "201": ok(
                        "created",
                        schema={"$ref": "#/components/schemas/Pet"},
                        headers={"Location": {"schema": {"type": "string"}}},
                    ),
                    "200": ok("exists", schema={"$ref": "#/components/schemas/Pet"}),
                },
            },
        },
        "/pets/{pet_id}": {
            "parameters": [{"name": "pet_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "get": {
                "operationId": "get_pet",
                "tags": ["pets"],
                "responses": {  # an inline response schema: made the model GetPetResponse
                    "200": ok(
                        schema={
                            "type": "object",
                            "properties": {"pet": {"$ref": "#/components/schemas/Pet"}, "age": {"type": "integer"}},
                        }
                    ),
                    "404": ok("missing", schema={"$ref": "#/components/schemas/Error"}),
                },
            },
            "put": {
                "operationId": "tag_pet",
                "tags": ["pets"],
                "requestBody": {  # optional and nullable
                    "content": {
                        "application/json": {
                            "schema": {"allOf": [{"$ref": "#/components/schemas/Pet"}], "nullable": True}
                        }
                    }
                },
                "responses": {"200": ok(schema={"$ref": "#/components/schemas/Pet"}), "204": ok("unchanged")},
            },
            "delete": {"operationId": "delete_pet", "tags": ["pets"], "responses": {"204": ok()}},
        },
    },
    {"Pet": PET, "Error": ERROR},
)

LINKSET = 'application/linkset+json; profile="https://www.rfc-editor.org/info/rfc9727"'
DISCOVERY = contract(
    {
        "/.well-known/api-catalog": {
            # head before get: Connexion's (Starlette's) GET routes match HEAD too, so a HEAD operation declared
            # after its GET is routed to the GET (this service reorders the routes: web/connexion_extensions.py)
            "head": {
                "operationId": "head_catalog",
                "security": [],  # the one operation without credentials of a contract that asks for them
                "responses": {"200": {"description": "the headers",
                                      "headers": {"Link": {"required": True, "schema": {"type": "string"}}}}},
            },
            "get": {
                "operationId": "get_catalog",
                "security": [],
                # a JSON media type with a parameter: sent as written
                "responses": {"200": {"description": "the catalog",
                                      "content": {LINKSET: {"schema": {"$ref": "#/components/schemas/Linkset"}}}}},
            },
        },
    },
    {"Linkset": {"type": "object", "required": ["linkset"],
                 "properties": {"linkset": {"type": "array", "items": {"type": "object"}}}}},
    security=[{"Key": []}],
)  # fmt: skip
DISCOVERY["components"]["securitySchemes"] = {"Key": {"type": "apiKey", "in": "header", "name": "X-Key"}}

FEATURES = {"parameters": PARAMETERS, "responses": RESPONSES, "discovery": DISCOVERY}


def one(operation: dict[str, Any], path: str = "/x", method: str = "post", **extra: Any) -> Contract:
    return contract({path: {method: {"operationId": "op", "responses": {"200": ok()}, **operation}}}, **extra)


REFUSALS: dict[str, tuple[Contract, str]] = {
    "a multipart body": (
        one({"requestBody": {"content": {"multipart/form-data": {"schema": {"type": "object"}}}}}),
        "POST /x (op): request body of media type multipart/form-data (only JSON bodies)",
    ),
    "a form body": (
        one({"requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {"type": "object"}}}}}),
        "POST /x (op): request body of media type application/x-www-form-urlencoded (only JSON bodies)",
    ),
    "callbacks": (one({"callbacks": {"done": {}}}), "POST /x (op): callbacks is not supported"),
    "deepObject": (
        one({"parameters": [{"name": "f", "in": "query", "style": "deepObject", "schema": {"type": "object"}}]}),
        "POST /x (op): query parameter 'f': style 'deepObject'",
    ),
    "an object in the query": (
        one({"parameters": [{"name": "f", "in": "query", "schema": {"type": "object", "properties": {}}}]}),
        "POST /x (op): query parameter 'f': a parameter schema with properties",
    ),
    "a parameter by content": (
        one({"parameters": [{"name": "f", "in": "query", "content": {"application/json": {"schema": {}}}}]}),
        "POST /x (op): query parameter 'f': a parameter described by `content`",
    ),
    "matrix path style": (
        one(
            {
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "style": "matrix", "schema": {"type": "string"}}
                ]
            },
            path="/x/{id}",
        ),
        "POST /x/{id} (op): path parameter 'id': style 'matrix'",
    ),
    "no operationId": (
        contract({"/x": {"get": {"responses": {"200": ok()}}}}),
        "GET /x: no operationId",
    ),
    "two operationIds, one method name": (
        contract(
            {
                "/a": {"get": {"operationId": "getThing", "responses": {"200": ok()}}},
                "/b": {"get": {"operationId": "get-thing", "responses": {"200": ok()}}},
            }
        ),
        "GET /b (get-thing): its method name get_thing is also 'getThing''s",
    ),
    "a text body": (
        one({"responses": {"200": {"description": "x", "content": {"text/plain": {"schema": {"type": "string"}}}}}}),
        "POST /x (op): response 200: a body of media type text/plain (only JSON bodies)",
    ),
    "no answer": (one({"responses": {"404": ok()}}), "POST /x (op): no 2xx, 3xx or default response"),
    "OpenAPI 3.1": ({**one({}), "openapi": "3.1.0"}, "OpenAPI 3.1.0: the generator reads OpenAPI 3.0.x only"),
    "a link to nowhere": (
        one({"responses": {"200": ok(links={"Next": {"operationId": "missing"}})}}),
        "POST /x (op): response 200: link Next: unknown operation 'missing'",
    ),
    # what the MCP tool table (scripts/mcp_tools.py) cannot say, refused the same way
    "an unknown x-mcp member": (
        one({"x-mcp": {"hidden": True}}),
        "POST /x (op): x-mcp takes title, annotations and exclude only",
    ),
    "an x-mcp hint that is not a boolean": (
        one({"x-mcp": {"annotations": {"readOnlyHint": "yes"}}}),
        "POST /x (op): x-mcp.annotations takes the booleans readOnlyHint, destructiveHint, idempotentHint, "
        "openWorldHint",
    ),
    "a recursive tool argument": (
        one(
            {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Node"}}}}},
            schemas={"Node": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Node"}}}},
        ),
        "POST /x (op): recursive schema #/components/schemas/Node (an MCP tool's schema must be finite)",
    ),
    "a tool body that is not application/json": (
        one({"requestBody": {"content": {"application/merge-patch+json": {"schema": {"type": "object"}}}}}),
        "POST /x (op): only application/json request bodies can be MCP tool arguments",
    ),
}
