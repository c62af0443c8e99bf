"""The dependencies built once in create_app() and handed to every request through its ASGI scope."""

from __future__ import annotations

from dataclasses import dataclass

import connexion.context

from global_chat.identity import Identity
from global_chat.sessions.links import SessionLinks
from global_chat.sessions.service import GlobalChatService
from global_chat.settings import Settings
from global_chat.storage.database import Database

SCOPE_KEY = "global_chat.container"


@dataclass(frozen=True, slots=True)
class Container:
    settings: Settings
    database: Database
    sessions: GlobalChatService
    links: SessionLinks


def current_container() -> Container:
    container: Container = connexion.context.scope[SCOPE_KEY]
    return container


def current_identity() -> Identity:
    """The identity the security handlers established for this request."""
    identity: Identity = connexion.context.context["token_info"]["identity"]
    return identity
