"""The contract as the generator reads it: loaded once, `$ref`s followed with the JSON pointer of where
they lead, and the one way the generator says no (Refused: one line naming the operation and the feature)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

JSON = Any
"""A node of the contract: what YAML or JSON parse to."""


class Refused(Exception):
    """A part of the contract the generator does not support: where it is, and what."""

    def __init__(self, where: str, feature: str) -> None:
        super().__init__(f"{where}: {feature}")
        self.where = where
        self.feature = feature


class Refusals(Exception):
    """Every refusal of one contract, each one line."""

    def __init__(self, refusals: list[Refused]) -> None:
        super().__init__("\n".join(str(refusal) for refusal in refusals))
        self.refusals = refusals


def escape(token: str) -> str:
    """A JSON pointer token (RFC 6901): `/v1/pets/{id}` -> `~1v1~1pets~1{id}`."""
    return token.replace("~", "~0").replace("/", "~1")


@dataclass(frozen=True)
class Contract:
    document: dict[str, JSON]
    path: Path

    @classmethod
    def load(cls, path: Path) -> Contract:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise Refusals([Refused(str(path), f"cannot be read ({error.strerror})")]) from None
        try:
            document = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
        except yaml.YAMLError as error:
            raise Refusals([Refused(str(path), f"is not YAML or JSON ({error})".replace("\n", " "))]) from None
        if not isinstance(document, dict):
            raise Refusals([Refused(str(path), "is not an OpenAPI document")])
        version = str(document.get("openapi", document.get("swagger", "")))
        if not version.startswith("3.0."):
            raise Refusals(
                [Refused(str(path), f"OpenAPI {version or '(no version)'}: the generator reads OpenAPI 3.0.x only")]
            )
        return cls(document=document, path=path)

    def get(self, pointer: str) -> JSON:
        """The node at a local JSON pointer (`#/components/schemas/Pet`)."""
        node: JSON = self.document
        for token in pointer.removeprefix("#").split("/")[1:]:
            token = token.replace("~1", "/").replace("~0", "~")
            node = node[int(token)] if isinstance(node, list) else node[token]
        return node

    def follow(self, node: JSON, pointer: str, where: str) -> tuple[JSON, str]:
        """`node` (found at `pointer`) with its `$ref`s followed: the node and the pointer it is at."""
        seen = set()
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not isinstance(ref, str) or not ref.startswith("#/"):
                raise Refused(where, f"$ref {ref!r} (only references inside the contract are followed)")
            if ref in seen:
                raise Refused(where, f"$ref {ref!r} refers to itself")
            seen.add(ref)
            try:
                node, pointer = self.get(ref), ref
            except (KeyError, IndexError, ValueError):
                raise Refused(where, f"$ref {ref!r} leads nowhere") from None
        return node, pointer

    def resolve(self, node: JSON, where: str) -> JSON:
        return self.follow(node, "", where)[0]

    @property
    def schemas(self) -> dict[str, JSON]:
        schemas: dict[str, JSON] = self.document.get("components", {}).get("schemas", {}) or {}
        return schemas
