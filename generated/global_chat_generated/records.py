# Copied by scripts/generate.py from scripts/generator/records.py -- do not edit by hand.
"""The operations of a contract as records: what the generated `operations.py` tables are made of.

Plain data, no dependency: scripts/generate.py copies this module unchanged into `<package>/records.py`,
so that anything may read the operations table (the routes, the application's links and CORS, an MCP
tool list) without importing the web framework.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Location = Literal["path", "query", "header", "cookie"]


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    """The name on the wire."""
    location: Location
    argument: str
    """The name of the implementation's argument (a Python name)."""
    required: bool
    many: bool = False
    """The schema is an array: the parameter carries several values."""
    separator: str | None = None
    """How an array's values share one string ("," "|" " "); None: one query pair per value (form, explode)."""
    description: str = ""
    schema: str = ""
    """JSON pointer of the parameter's schema in the contract."""


@dataclass(frozen=True, slots=True)
class Body:
    media_types: tuple[str, ...]
    """The JSON media types the operation accepts, the first one assumed when a request names none."""
    required: bool
    schema: str
    """JSON pointer of the body's schema in the contract (of the first media type)."""
    schema_ref: str | None = None
    """The component the body is (`#/components/schemas/...`), when it is one (nullable or not)."""


@dataclass(frozen=True, slots=True)
class Link:
    name: str
    operation_id: str
    parameters: Mapping[str, str] = field(default_factory=dict)
    """Target parameter name -> runtime expression (`$response.body#/id`) or constant."""
    description: str = ""
    extensions: Mapping[str, object] = field(default_factory=dict)
    """The link object's `x-` members, as written in the contract."""


@dataclass(frozen=True, slots=True)
class Response:
    status: str
    """"200", "304", "default", ..."""
    media_type: str | None = None
    """The JSON media type of the body; None for a response without one."""
    schema: str | None = None
    """JSON pointer of the body's schema in the contract."""
    headers: tuple[str, ...] = ()
    """The response headers the contract declares."""
    links: tuple[Link, ...] = ()


@dataclass(frozen=True, slots=True)
class Credential:
    """Where one security scheme of the operation reads its credential."""

    scheme: str
    location: Literal["header", "query", "cookie"]
    name: str


@dataclass(frozen=True, slots=True)
class Operation:
    operation_id: str
    method: str
    path: str
    tag: str
    name: str
    """The Python method that implements it (the operationId in snake_case)."""
    summary: str = ""
    description: str = ""
    parameters: tuple[Parameter, ...] = ()
    body: Body | None = None
    responses: tuple[Response, ...] = ()
    """Every response the contract declares, errors included, in its order."""
    credentials: tuple[Credential, ...] = ()
    extensions: Mapping[str, object] = field(default_factory=dict)
    """The operation's `x-` members, as written in the contract."""

    def response(self, status: str) -> Response:
        return next(response for response in self.responses if response.status == status)
