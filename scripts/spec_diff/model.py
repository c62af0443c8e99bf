"""What a comparison reports: a Change of some level under some rule, and the errors it stops on."""

from __future__ import annotations

from dataclasses import dataclass

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
BREAKING, WARNING, INFO = "breaking", "warning", "info"
LEVELS = (BREAKING, WARNING, INFO)
REQUEST, RESPONSE = "request", "response"
DOCUMENT = "(document)"


class SpecError(Exception):
    """The spec cannot be read or uses something this tool does not support."""


@dataclass(frozen=True)
class Change:
    level: str
    rule: str
    operation: str  # "POST /v1/sessions/chat", or "(document)"
    location: str  # "response 200 application/json: owner.id", or "" for the operation itself
    message: str
