"""The contract's operations as typed records: read once, every refusal found before anything is written.

Each renderer (the interfaces, the endpoints, the operations table, the TypeScript client) works on
these records, never on the contract's dicts.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from scripts.generator.contract import JSON, Contract, Refusals, Refused, escape
from scripts.generator.names import header_attribute, model_class, pascal, snake
from scripts.generator.types import PyType, Types

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
LOCATIONS = ("path", "query", "header", "cookie")
STYLES = {
    "path": ("simple",),
    "query": ("form", "spaceDelimited", "pipeDelimited"),
    "header": ("simple",),
    "cookie": ("form",),
}
SEPARATORS = {"simple": ",", "form": ",", "spaceDelimited": " ", "pipeDelimited": "|"}
IGNORED_HEADERS = {"accept", "content-type", "authorization"}
"""Header parameters OpenAPI 3.0 says to ignore (the media types and the security schemes say them)."""
RESERVED_MODULES = {"runtime", "context", "bodies", "strict_validation", "base_path"}
"""Names a tag's module cannot take: the runtime's module beside it and bind()'s own arguments."""
RESERVED_ARGUMENTS = {"self", "context", "body"}


def is_json(media_type: str) -> bool:
    """application/json, and the structured-syntax JSON types (application/problem+json, ...)."""
    base = media_type.split(";")[0].strip().lower()
    return base == "application/json" or (base.startswith("application/") and base.endswith("+json"))


@dataclass(frozen=True)
class ParameterSpec:
    name: str
    location: str
    argument: str
    required: bool
    many: bool
    separator: str | None
    description: str
    pointer: str
    """JSON pointer of the parameter's schema in the contract."""
    at: str
    """JSON pointer of the parameter object itself (its `description` as written, for the MCP table)."""
    position: int
    """Its place in the contract's order (path-level ones first, the operation's own overriding in place);
    the records are sorted by location."""
    type: PyType
    """The implementation's annotation (optional parameters without a default: `| None`)."""
    field: PyType
    """The parameter model's field: the wire conversion and the schema's constraints."""
    default: str | None
    """A Python expression; None for a required parameter, or an optional one without a default."""


@dataclass(frozen=True)
class BodySpec:
    media_types: tuple[str, ...]
    required: bool
    pointer: str
    description: str
    schema_ref: str | None
    type: PyType
    """The value's type (`| None` when the schema admits null)."""

    @property
    def argument(self) -> PyType:
        return self.type if self.required else self.type.or_none()


@dataclass(frozen=True)
class HeaderSpec:
    name: str
    attribute: str
    required: bool
    type: PyType


@dataclass(frozen=True)
class LinkSpec:
    name: str
    operation_id: str
    parameters: dict[str, str]
    description: str
    extensions: dict[str, JSON]


@dataclass(frozen=True)
class ResponseSpec:
    status: str
    description: str
    media_type: str | None
    pointer: str | None
    type: PyType | None
    headers: tuple[HeaderSpec, ...]
    links: tuple[LinkSpec, ...]
    result: str = ""
    """The class of the typed result (operations that are not simple)."""

    @property
    def typed(self) -> bool:
        """Part of what the implementation returns: a 2xx or 3xx status, or `default`."""
        return self.status == "default" or self.status[:1] in ("2", "3")

    @property
    def fixed_status(self) -> int | None:
        return None if self.status == "default" else int(self.status)


@dataclass(frozen=True)
class CredentialSpec:
    scheme: str
    location: str
    name: str


@dataclass(frozen=True)
class OperationSpec:
    operation_id: str
    method: str
    path: str
    tag: str
    module: str
    interface: str
    name: str
    summary: str
    description: str
    parameters: tuple[ParameterSpec, ...]
    body: BodySpec | None
    responses: tuple[ResponseSpec, ...]
    credentials: tuple[CredentialSpec, ...]
    extensions: dict[str, JSON]

    @property
    def typed_responses(self) -> tuple[ResponseSpec, ...]:
        return tuple(response for response in self.responses if response.typed)

    @property
    def simple(self) -> bool:
        """One 2xx response without declared headers: the implementation returns its body (or None)."""
        typed = self.typed_responses
        return len(typed) == 1 and typed[0].status != "default" and not typed[0].headers

    @property
    def pascal(self) -> str:
        return pascal(self.name)

    @property
    def signature(self) -> tuple[list[ParameterSpec], list[ParameterSpec]]:
        """The arguments in the order a Python signature needs: path parameters, the other required
        ones, (the body), then the optional ones, which have defaults."""
        required = [p for p in self.parameters if p.location == "path"]
        required += [p for p in self.parameters if p.location != "path" and p.required]
        return required, [p for p in self.parameters if not p.required]

    @property
    def returns(self) -> str:
        if self.simple:
            body = self.typed_responses[0].type
            return body.text if body is not None else "None"
        return f"{self.pascal}Result"


@dataclass
class Reading:
    """The operations of a contract, and the inline schemas made components for the models."""

    operations: list[OperationSpec] = field(default_factory=list)
    hoisted: dict[str, JSON] = field(default_factory=dict)


def read_operations(contract: Contract) -> Reading:
    """Every operation of the contract as a record; Refusals lists everything the generator does not support."""
    reading = Reading()
    refusals: list[Refused] = []
    types = Types(contract)
    schemas = contract.schemas
    classes: dict[str, str] = {}
    for schema_name in schemas:
        taken = classes.setdefault(model_class(schema_name), schema_name)
        if taken != schema_name:
            refusals.append(
                Refused(
                    f"schemas {taken!r} and {schema_name!r}",
                    f"both become the model class {model_class(schema_name)}",
                )
            )
    for path, item in (contract.document.get("paths") or {}).items():
        item, item_pointer = contract.follow(item, f"#/paths/{escape(path)}", path)
        for method in HTTP_METHODS:
            if method not in item:
                continue
            try:
                reading.operations.append(
                    _operation(contract, types, reading, path, item, method, f"{item_pointer}/{method}")
                )
            except Refused as refusal:
                refusals.append(refusal)
    refusals += _check_names(reading.operations, set(classes) | set(reading.hoisted))
    if refusals:
        raise Refusals(refusals)
    return reading


def _operation(
    contract: Contract, types: Types, reading: Reading, path: str, item: JSON, method: str, pointer: str
) -> OperationSpec:
    op = item[method]
    operation_id = op.get("operationId")
    where = f"{method.upper()} {path}" + (f" ({operation_id})" if operation_id else "")
    if not isinstance(operation_id, str) or not operation_id:
        raise Refused(where, "no operationId (the generated server binds each operation by it)")
    for unsupported in ("callbacks", "x-openapi-router-controller", "x-swagger-router-controller"):
        if op.get(unsupported) or item.get(unsupported):
            raise Refused(where, f"{unsupported} is not supported")
    name = snake(operation_id)
    tag = (op.get("tags") or ["default"])[0]
    module = snake(str(tag))
    if module in RESERVED_MODULES:
        raise Refused(where, f"tag {tag!r} would be the module {module!r}, a name the generated server uses")

    def hoist(schema: JSON, hint: str) -> str:
        if hint in contract.schemas or (hint in reading.hoisted and reading.hoisted[hint] != schema):
            raise Refused(where, f"its inline schema would be the model {hint}, a name already taken")
        reading.hoisted[hint] = copy.deepcopy(schema)
        return model_class(hint)

    parameters = _parameters(contract, types, path, item, op, pointer, where)
    body = _body(contract, types, op, pointer, where, hoist, pascal(name))
    responses = _responses(contract, types, op, pointer, where, hoist, pascal(name))
    return OperationSpec(
        operation_id=operation_id,
        method=method.upper(),
        path=path,
        tag=str(tag),
        module=module,
        interface=pascal(module) + "Api",
        name=name,
        summary=" ".join(str(op.get("summary", "")).split()),
        description=str(op.get("description", "")).strip(),
        parameters=parameters,
        body=body,
        responses=responses,
        credentials=_credentials(contract, op, where),
        extensions={key: value for key, value in op.items() if key.startswith("x-")},
    )


def _parameters(
    contract: Contract, types: Types, path: str, item: JSON, op: JSON, pointer: str, where: str
) -> tuple[ParameterSpec, ...]:
    found: dict[tuple[str, str], tuple[JSON, str]] = {}
    item_pointer = pointer.rsplit("/", 1)[0]
    for owner, base in ((item, item_pointer), (op, pointer)):
        for index, raw in enumerate(owner.get("parameters") or []):
            node, at = contract.follow(raw, f"{base}/parameters/{index}", where)
            found[(node.get("name", ""), node.get("in", ""))] = (node, at)  # the operation's own win
    specs = []
    for position, ((name, location), (node, at)) in enumerate(found.items()):
        if location not in LOCATIONS:
            raise Refused(where, f"parameter {name!r} in {location!r}")
        if location == "header" and name.lower() in IGNORED_HEADERS:
            continue
        here = f"{where}: {location} parameter {name!r}"
        if "content" in node or "schema" not in node:
            raise Refused(here, "a parameter described by `content` (only `schema`)")
        style = node.get("style", "form" if location in ("query", "cookie") else "simple")
        if style not in STYLES[location]:
            raise Refused(here, f"style {style!r}")
        explode = node.get("explode", style == "form")
        argument, field, many = types.parameter(node["schema"], here)
        if location == "path" and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", name):
            raise Refused(here, "a path parameter name that is not a word (Connexion cannot route it)")
        if many and location == "cookie" and explode:
            raise Refused(here, "an array in a cookie with explode (one cookie per value)")
        if not many and style in ("spaceDelimited", "pipeDelimited"):
            raise Refused(here, f"style {style!r} on a value that is not an array")
        separator = None if (style == "form" and explode and location == "query") else SEPARATORS[style]
        required = bool(node.get("required", False)) or location == "path"
        default = None if required else types.default(node["schema"], argument, here)
        specs.append(
            ParameterSpec(
                name=name,
                location=location,
                argument=snake(name) if location != "header" else header_attribute(name),
                required=required,
                many=many,
                separator=separator if many else None,
                description=str(node.get("description", "")).strip(),
                pointer=f"{at}/schema",
                at=at,
                position=position,
                type=argument if required or default is not None else argument.or_none(),
                field=field if required or default is not None else field.or_none(),
                default=default if default is not None or required else "None",
            )
        )
    templated = set(re.findall(r"\{([^}]*)\}", path))
    declared = {p.name for p in specs if p.location == "path"}
    if templated != declared:
        missing = sorted(templated ^ declared)
        raise Refused(where, f"path parameters {missing} are not both in the path and declared")
    order = {location: index for index, location in enumerate(LOCATIONS)}
    specs.sort(key=lambda p: order[p.location])
    names = [p.argument for p in specs]
    for name in names:
        if names.count(name) > 1 or name in RESERVED_ARGUMENTS:
            clash = [f"{p.location} {p.name!r}" for p in specs if p.argument == name]
            raise Refused(where, f"parameters {', '.join(clash)} would be the argument {name!r}, taken")
    return tuple(specs)


def _body(
    contract: Contract, types: Types, op: JSON, pointer: str, where: str, hoist: Any, stem: str
) -> BodySpec | None:
    if "requestBody" not in op:
        return None
    node, at = contract.follow(op["requestBody"], f"{pointer}/requestBody", where)
    content = node.get("content") or {}
    others = [media_type for media_type in content if not is_json(media_type)]
    if others:
        raise Refused(where, f"request body of media type {others[0]} (only JSON bodies)")
    schemas = [content[media_type].get("schema", {}) for media_type in content]
    if not content or any(schema != schemas[0] for schema in schemas):
        raise Refused(where, "request body without one JSON schema for all its media types")
    schema = schemas[0]
    value = types.value(schema, f"{where}: request body", f"{stem}Request", hoist)
    return BodySpec(
        media_types=tuple(content),
        required=bool(node.get("required", False)),
        pointer=f"{at}/content/{escape(next(iter(content)))}/schema",
        description=str(node.get("description", "")).strip(),
        schema_ref=_component_ref(schema),
        type=value,
    )


def _component_ref(schema: JSON) -> str | None:
    """The component a body is, nullable or not: a $ref, or anyOf/oneOf [$ref, null]."""
    if "$ref" in schema:
        return str(schema["$ref"])
    refs = [branch["$ref"] for key in ("anyOf", "oneOf") for branch in schema.get(key, []) if "$ref" in branch]
    return str(refs[0]) if len(refs) == 1 else None


def _responses(
    contract: Contract, types: Types, op: JSON, pointer: str, where: str, hoist: Any, stem: str
) -> tuple[ResponseSpec, ...]:
    responses = op.get("responses") or {}
    typed_count = sum(1 for status in map(str, responses) if status == "default" or status[:1] in "23")
    specs = []
    for status, raw in responses.items():
        status = str(status)
        here = f"{where}: response {status}"
        if status != "default" and not re.fullmatch(r"[1-5][0-9][0-9]|[1-5]XX", status):
            raise Refused(here, "a status that is not a code, a range or `default`")
        node, at = contract.follow(raw, f"{pointer}/responses/{escape(status)}", here)
        typed = status == "default" or status[:1] in "23"
        if typed and status.endswith("XX"):
            raise Refused(here, "a status range among the answers the implementation returns")
        content = node.get("content") or {}
        media_type = next(iter(content), None)
        value = body_pointer = None
        if typed and content:
            others = [m for m in content if not is_json(m)]
            if others:
                raise Refused(here, f"a body of media type {others[0]} (only JSON bodies)")
            schema = content[media_type].get("schema", {})
            if any(content[m].get("schema", {}) != schema for m in content):
                raise Refused(here, "a body without one JSON schema for all its media types")
            suffix = "" if typed_count == 1 else status.capitalize()
            value = types.value(schema, here, f"{stem}Response{suffix}", hoist)
            body_pointer = f"{at}/content/{escape(str(media_type))}/schema"
        headers = []
        for header_name, raw_header in (node.get("headers") or {}).items():
            if header_name.lower() == "content-type":
                continue  # OpenAPI 3.0: ignored
            header = contract.resolve(raw_header, here)
            if typed and ("content" in header or "schema" not in header):
                raise Refused(f"{here}: header {header_name}", "a header described by `content` (only `schema`)")
            header_type = types.value(header["schema"], f"{here}: header {header_name}", "", None) if typed else None
            attribute = header_attribute(header_name)
            if attribute in ("body", "status"):
                attribute += "_"
            headers.append(
                HeaderSpec(
                    name=header_name,
                    attribute=attribute,
                    required=bool(header.get("required", False)),
                    type=header_type or PyType("str"),
                )
            )
        specs.append(
            ResponseSpec(
                status=status,
                description=" ".join(str(node.get("description", "")).split()),
                media_type=str(media_type) if media_type else None,
                pointer=body_pointer,
                type=value,
                headers=tuple(headers),
                links=tuple(_links(contract, node, here)),
                result=f"{stem}{status.capitalize()}" if typed else "",
            )
        )
    if typed_count == 0:
        raise Refused(where, "no 2xx, 3xx or default response (nothing for the implementation to return)")
    return tuple(specs)


def _links(contract: Contract, response: JSON, where: str) -> list[LinkSpec]:
    links = []
    for name, raw in (response.get("links") or {}).items():
        link = contract.resolve(raw, f"{where}: link {name}")
        if "operationId" not in link:
            raise Refused(f"{where}: link {name}", "a link without operationId (operationRef is not followed)")
        links.append(
            LinkSpec(
                name=name,
                operation_id=str(link["operationId"]),
                parameters={str(k): str(v) for k, v in (link.get("parameters") or {}).items()},
                description=" ".join(str(link.get("description", "")).split()),
                extensions={key: value for key, value in link.items() if key.startswith("x-")},
            )
        )
    return links


def _credentials(contract: Contract, op: JSON, where: str) -> tuple[CredentialSpec, ...]:
    requirements = op.get("security", contract.document.get("security")) or []
    schemes = contract.document.get("components", {}).get("securitySchemes", {}) or {}
    found: list[CredentialSpec] = []
    for requirement in requirements:
        for scheme_name in requirement:
            if scheme_name not in schemes:
                raise Refused(where, f"security scheme {scheme_name!r} is not declared")
            scheme = contract.resolve(schemes[scheme_name], where)
            if scheme.get("type") == "apiKey":
                spec = CredentialSpec(scheme_name, str(scheme.get("in")), str(scheme.get("name")))
            else:  # http (basic, bearer, ...), oauth2 and openIdConnect: the Authorization header
                spec = CredentialSpec(scheme_name, "header", "Authorization")
            if spec not in found:
                found.append(spec)
    return tuple(found)


def _check_names(operations: list[OperationSpec], classes: set[str]) -> list[Refused]:
    """Two operations, tags or generated classes that would share a Python name are refused."""
    refusals = []
    seen: dict[str, OperationSpec] = {}
    modules: dict[str, str] = {}
    ids = {op.operation_id for op in operations}
    for op in operations:
        where = f"{op.method} {op.path} ({op.operation_id})"
        other = seen.setdefault(op.name, op)
        if other is not op:
            refusals.append(Refused(where, f"its method name {op.name} is also {other.operation_id!r}'s"))
        if modules.setdefault(op.module, op.tag) != op.tag:
            refusals.append(
                Refused(where, f"tags {modules[op.module]!r} and {op.tag!r} would share module {op.module}")
            )
        generated = [r.result for r in op.typed_responses if not op.simple] + (
            [f"{op.pascal}Result"] if not op.simple else []
        )
        generated += [f"{op.pascal}Parameters"] if op.parameters else []
        generated += [op.interface]
        for name in generated:
            if name in classes:
                refusals.append(Refused(where, f"the generated class {name} would shadow the model {name}"))
        for response in op.responses:
            for link in response.links:
                if link.operation_id not in ids:
                    refusals.append(
                        Refused(
                            f"{where}: response {response.status}: link {link.name}",
                            f"unknown operation {link.operation_id!r}",
                        )
                    )
    return refusals
