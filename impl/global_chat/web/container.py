"""The dependencies built once in create_app() and handed to every request through its ASGI scope."""

from __future__ import annotations

from dataclasses import dataclass

import connexion.context

from global_chat.accounts.service import AccountService
from global_chat.identity import Identity
from global_chat.metrics import Metrics
from global_chat.sessions.links import SessionLinks
from global_chat.sessions.service import GlobalChatService, SessionService
from global_chat.settings import Settings
from global_chat.storage.database import Database
from global_chat.storage.migrate import head_revision

SCOPE_KEY = "global_chat.container"


@dataclass(frozen=True, slots=True)
class Container:
    settings: Settings
    database: Database
    global_chat: GlobalChatService
    sessions: SessionService
    accounts: AccountService
    links: SessionLinks
    metrics: Metrics
    migrations_head: str


def build_container(settings: Settings, served_operations: list[str]) -> Container:
    return Container(
        settings=settings,
        database=Database(settings),
        global_chat=GlobalChatService(create_rate_limit=settings.chat_create_rate_limit),
        sessions=SessionService(),
        accounts=AccountService(),
        links=SessionLinks(
            api_base_url=settings.api_base_url,
            ui_base_url=settings.ui_base_url,
            served_operations=served_operations,
        ),
        metrics=Metrics(),
        migrations_head=head_revision(),
    )


def current_container() -> Container:
    container: Container = connexion.context.scope[SCOPE_KEY]
    return container


def current_identity() -> Identity:
    """The identity the security handlers established for this request."""
    identity: Identity = connexion.context.context["token_info"]["identity"]
    return identity
