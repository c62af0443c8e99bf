"""The contract served as written: `/v1/openapi.yaml` is the shipped file byte for byte, `/v1/openapi.json`
the same document as JSON, components and `$ref`s intact (so a client generator fed the served contract
keeps every shared schema name), each with a strong ETag, and a 304 for a matching If-None-Match.

Connexion's own spec routes serve the *resolved* specification (every `$ref` inlined: 628 KB of JSON for
a 59 KB file) re-serialized on every request; web/connexion_extensions.py puts these in their place
through the Swagger UI layer's public `add_openapi_json`/`add_openapi_yaml` methods.

Neither route is an operation of the contract, for the same reason the Swagger UI is not: they describe
the API rather than belong to it (a contract that lists its own document is a loop, and a generated
client would grow a `get_openapi_json` call nobody wants). The README names them next to the Swagger UI.

As written means `servers` too (`url: /`): Connexion rewrote it for a proxy's path prefix (the ASGI
root_path); this service is served at the root of its host, like the Everruns API it mirrors.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml
from starlette.requests import Request
from starlette.responses import Response

from global_chat.conditional import EntityTag, if_none_match_passes

# the contract changes only with a deployment: a client keeps its copy and asks again with If-None-Match
CACHE_CONTROL = "no-cache"


@dataclass(frozen=True, slots=True)
class Representation:
    body: bytes
    media_type: str
    etag: EntityTag

    @classmethod
    def of(cls, body: bytes, media_type: str) -> Representation:
        return cls(body, media_type, EntityTag(hashlib.sha256(body).hexdigest()[:32]))

    async def respond(self, request: Request) -> Response:
        headers = {"ETag": str(self.etag), "Cache-Control": CACHE_CONTROL}
        # RFC 9110 13.1.2, as for a session's GET: the weak comparison, `*`, a list; a malformed value is ignored
        if not if_none_match_passes(request.headers.get("if-none-match"), self.etag):
            return Response(status_code=304, headers=headers)
        return Response(self.body, media_type=self.media_type, headers=headers)


@dataclass(frozen=True, slots=True)
class ContractDocument:
    yaml: Representation
    json: Representation

    @classmethod
    def from_text(cls, text: str) -> ContractDocument:
        as_json = json.dumps(parse_contract(text), ensure_ascii=False, separators=(",", ":")).encode()
        return cls(
            yaml=Representation.of(text.encode(), "application/yaml"),
            json=Representation.of(as_json, "application/json"),
        )


def parse_contract(text: str) -> dict[str, Any]:
    # libyaml's safe loader (in PyYAML's wheels) when there is one: the same documents, parsed in 7 ms
    # rather than 50 (every worker start and every app the tests build)
    contract: dict[str, Any] = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    return contract


def contract_text() -> str:
    """The contract as shipped inside the generated package (a copy of openapi/openapi.yaml)."""
    return resources.files("global_chat_generated").joinpath("openapi.yaml").read_text(encoding="utf-8")


@cache
def served_contract() -> ContractDocument:
    return ContractDocument.from_text(contract_text())
