"""OpenAPI 3.0 schemas -> Python annotations: the typed arguments of the generated interfaces, the fields
of the parameter models (with the wire conversions of the runtime), and the bodies' and headers' types.

A schema the generated code cannot type by an annotation (an object with properties, a composition)
is handed to `hoist`, which makes it a component schema, so that datamodel-code-generator gives it a
model like any other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from scripts.generator.contract import JSON, Contract, Refused
from scripts.generator.names import model_class

MODELS = "{models}"
"""Placeholder module of the generated pydantic models (`<package>.models`)."""
RUNTIME = "{runtime}"
"""Placeholder module of the runtime (`<package>.server.runtime`)."""

Import = tuple[str, str]


@dataclass(frozen=True)
class PyType:
    text: str
    imports: frozenset[Import] = frozenset()
    model: bool = False
    """A pydantic model class: validated with model_validate, written with model_dump_json."""
    inner: PyType | None = None
    """For `X | None`: X."""

    def or_none(self) -> PyType:
        return self if self.inner is not None else PyType(f"{self.text} | None", self.imports, inner=self)


def imports_of(types: Iterable[PyType | None]) -> frozenset[Import]:
    return frozenset(name for t in types if t is not None for name in t.imports)


ANY = PyType("Any", frozenset({("typing", "Any")}))
SCALARS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
WIRE = {"integer": "INTEGER", "number": "NUMBER", "boolean": "BOOLEAN"}
FORMATS = {
    "uuid": ("uuid", "UUID", None),
    "date": ("datetime", "date", "DATE"),
    "date-time": ("datetime", "datetime", "DATE_TIME"),
}
"""format -> (module, class, the runtime's wire check)."""


def is_null_only(node: JSON) -> bool:
    """OpenAPI 3.0 has no null type: `{type: string, nullable: true, enum: [null]}` is how it spells null."""
    return isinstance(node, dict) and node.get("nullable") is True and node.get("enum") == [None]


def is_enum_component(schema: JSON) -> bool:
    """datamodel-code-generator makes an Enum class of these (a one-value enum is a Literal root model)."""
    values = schema.get("enum") if isinstance(schema, dict) else None
    return isinstance(values, list) and len([v for v in values if v is not None]) > 1


class Types:
    """Annotations of one contract's schemas."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract

    def component(self, ref: str, where: str) -> tuple[str, JSON]:
        if not ref.startswith("#/components/schemas/") or ref.count("/") != 3:
            raise Refused(where, f"schema $ref {ref!r} (only #/components/schemas/<name> is typed)")
        name = ref.rsplit("/", 1)[1]
        if name not in self.contract.schemas:
            raise Refused(where, f"$ref {ref!r} leads nowhere")
        return model_class(name), self.contract.schemas[name]

    # --- parameters: what arrives as text ---------------------------------------------------------

    def parameter(self, schema: JSON, where: str) -> tuple[PyType, PyType, bool]:
        """(the argument's annotation, the model field's, whether it is an array) of a parameter."""
        node = self.contract.resolve(schema, where)
        if isinstance(node, dict) and node.get("type") == "array":
            item_argument, item_field = self._scalar(node.get("items", {}), where)
            field = _annotated(f"list[{item_field.text}]", item_field.imports, _constraints(node, array=True))
            return PyType(f"list[{item_argument.text}]", item_argument.imports), field, True
        argument, field = self._scalar(schema, where)
        return argument, field, False

    def _scalar(self, schema: JSON, where: str) -> tuple[PyType, PyType]:
        if isinstance(schema, dict) and "$ref" in schema:
            name, target = self.component(schema["$ref"], where)
            if is_enum_component(target):
                enum = PyType(name, frozenset({(MODELS, name)}))
                return enum, enum
        node = self.contract.resolve(schema, where)
        if not isinstance(node, dict):
            raise Refused(where, "a schema that is not an object")
        kind = node.get("type", "string")
        for composite in ("anyOf", "oneOf", "allOf", "not", "properties"):
            if composite in node:
                raise Refused(where, f"a parameter schema with {composite} (only scalars and arrays of scalars)")
        if kind not in SCALARS:
            raise Refused(where, f"a parameter of type {kind} (only scalars and arrays of scalars)")
        wire = [f"{WIRE[kind]}"] if kind in WIRE else []
        imports = {(RUNTIME, w) for w in wire}
        if "enum" in node:
            literal = _literal(node["enum"], where)
            return literal, _annotated(literal.text, literal.imports | imports, [], wire)
        base = SCALARS[kind]
        argument = PyType(base)
        if kind == "string" and node.get("format") in FORMATS:
            module, base, check = FORMATS[node["format"]]
            argument = PyType(base, frozenset({(module, base)}))
            if check:
                wire, imports = [check], {(RUNTIME, check)}
        field = _annotated(base, argument.imports | imports, _constraints(node), wire)
        return argument, field

    def default(self, schema: JSON, argument: PyType, where: str) -> str | None:
        """The schema's default as a Python expression of the argument's type (None: no default)."""
        node = self.contract.resolve(schema, where)
        if not isinstance(node, dict) or "default" not in node:
            return None
        value = node["default"]
        if argument.text in ("UUID", "date", "datetime"):
            factory = "UUID" if argument.text == "UUID" else f"{argument.text}.fromisoformat"
            return f"{factory}({str(value)!r})"
        if (MODELS, argument.text) in argument.imports:  # an enum class
            return f"{argument.text}({value!r})"
        return repr(value)

    # --- bodies and response headers: JSON values --------------------------------------------------

    def value(self, schema: JSON, where: str, hint: str, hoist: Callable[[JSON, str], str] | None) -> PyType:
        """The annotation of a JSON value of `schema`; what needs a model of its own goes to `hoist`."""
        if isinstance(schema, dict) and "$ref" in schema:
            name, target = self.component(schema["$ref"], where)
            return PyType(name, frozenset({(MODELS, name)}), model=not is_enum_component(target))
        if not isinstance(schema, dict):
            raise Refused(where, "a schema that is not an object")
        for key in ("anyOf", "oneOf"):
            branches = schema.get(key)
            if isinstance(branches, list) and len(branches) == 2 and any(is_null_only(b) for b in branches):
                (other,) = [b for b in branches if not is_null_only(b)]
                return self.value(other, where, hint, hoist).or_none()
        if schema.get("nullable") is True:
            inner = {k: v for k, v in schema.items() if k != "nullable"}
            if list(inner) == ["allOf"] and len(inner["allOf"]) == 1:
                inner = inner["allOf"][0]
            return self.value(inner, where, hint, hoist).or_none()
        kind = schema.get("type")
        composite = any(key in schema for key in ("anyOf", "oneOf", "allOf", "not", "properties"))
        if "enum" in schema and kind in SCALARS:
            return _literal(schema["enum"], where)
        if kind in SCALARS and not composite:
            if kind == "string" and schema.get("format") in FORMATS:
                module, base, _ = FORMATS[schema["format"]]
                return PyType(base, frozenset({(module, base)}))
            return PyType(SCALARS[kind])
        if kind == "array" and not composite:
            item = self.value(schema.get("items", {}), where, f"{hint}Item", hoist)
            return PyType(f"list[{item.text}]", item.imports)
        if kind in ("object", None) and not composite:
            extra = schema.get("additionalProperties", True)
            if extra is True or extra == {}:
                return PyType("dict[str, Any]", ANY.imports)
            if isinstance(extra, dict):
                item = self.value(extra, where, f"{hint}Value", hoist)
                return PyType(f"dict[str, {item.text}]", item.imports)
        if hoist is None:
            raise Refused(where, "a header whose schema is not a scalar or an array of scalars")
        name = hoist(schema, hint)
        return PyType(name, frozenset({(MODELS, name)}), model=True)


def _literal(values: Any, where: str) -> PyType:
    if not isinstance(values, list) or not all(isinstance(v, str | int) and not isinstance(v, bool) for v in values):
        raise Refused(where, "an enum of values other than strings and integers")
    return PyType(f"Literal[{', '.join(repr(v) for v in values)}]", frozenset({("typing", "Literal")}))


def _constraints(node: Mapping[str, Any], *, array: bool = False) -> list[str]:
    keys: list[tuple[str, str]] = (
        [("minItems", "min_length"), ("maxItems", "max_length")]
        if array
        else [
            ("minLength", "min_length"),
            ("maxLength", "max_length"),
            ("pattern", "pattern"),
            ("multipleOf", "multiple_of"),
        ]
    )
    found = [f"{python}={node[key]!r}" for key, python in keys if key in node]
    if not array:
        for bound, inclusive, exclusive in (("minimum", "ge", "gt"), ("maximum", "le", "lt")):
            if bound in node:
                exclusive_flag = node.get("exclusiveMinimum" if bound == "minimum" else "exclusiveMaximum") is True
                found.append(f"{exclusive if exclusive_flag else inclusive}={node[bound]!r}")
    return found


def _annotated(base: str, imports: Iterable[Import], constraints: list[str], wire: Iterable[str] = ()) -> PyType:
    metadata = [*wire, *([f"Field({', '.join(constraints)})"] if constraints else [])]
    if not metadata:
        return PyType(base, frozenset(imports))
    extra = {("typing", "Annotated")} | ({("pydantic", "Field")} if constraints else set())
    return PyType(f"Annotated[{base}, {', '.join(metadata)}]", frozenset(imports) | extra)
