"""How the contract's names become Python names, deterministically (the same contract, the same code).

- operationIds, parameter names and tags -> snake_case (`listPets`, `list-pets`, `List pets` ->
  `list_pets`; `getHTTPStatus` -> `get_http_status`); a Python keyword gets a trailing underscore
  (`import` -> `import_`), a leading digit a prefix (`2fa` -> `n_2fa`)
- header names are case-insensitive, so only lower-cased (`ETag` -> `etag`, `X-Org-Id` -> `x_org_id`)
- classes -> PascalCase of the snake_case name; component schemas as datamodel-code-generator names them
"""

from __future__ import annotations

import keyword
import re

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def snake(text: str) -> str:
    """`listPets` -> `list_pets`; `HTTPServer` -> `http_server`; `get-pet by id` -> `get_pet_by_id`."""
    words: list[str] = []
    for chunk in re.split(r"[^0-9A-Za-z]+", text):
        words.extend(word.lower() for word in _WORD.findall(chunk))
    return python_name("_".join(words))


def header_attribute(name: str) -> str:
    """A header's name as an attribute: `ETag` -> `etag`, `RateLimit-Policy` -> `ratelimit_policy`."""
    return python_name(re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_"))


def python_name(name: str) -> str:
    """`name` made a valid, non-keyword identifier (`class` -> `class_`, `2fa` -> `n_2fa`, `` -> `_`)."""
    if not name:
        return "_"
    if name[0].isdigit():
        name = f"n_{name}"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        name += "_"
    return name


def pascal(snake_name: str) -> str:
    """`get_session` -> `GetSession`."""
    return "".join(part[:1].upper() + part[1:] for part in snake_name.split("_") if part)


def model_class(schema_name: str) -> str:
    """The class datamodel-code-generator gives the component schema `schema_name` ('WithUrls_Session' ->
    'WithUrlsSession', 'pet-store' -> 'PetStore', '1st' -> 'Field1st'). scripts/generator/models.py checks
    every class it relies on against the generated module, so a difference is a refusal, not a wrong import."""
    name = "".join(part[:1].upper() + part[1:] for part in re.split(r"[^0-9A-Za-z]+", schema_name) if part)
    return f"Field{name}" if name[:1].isdigit() else name
