"""The `global-chat` console script: serve the API and manage its database.

Commands print only their result on stdout (so scripts can capture it); progress and errors go to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import uuid
import warnings
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

from pydantic import ValidationError

from global_chat import ids
from global_chat.accounts.credentials import TokenClaims, issue_token
from global_chat.accounts.service import AccountService, AdminError
from global_chat.clock import utc_now
from global_chat.metrics import multiprocess_dir
from global_chat.settings import Settings, SettingsError
from global_chat.storage.database import Database
from global_chat.storage.failures import pooler_misconfiguration


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        # each setting and what is wrong with it, never the values given (JWT_SECRET is one of them)
        reasons = [
            f"  {'.'.join(map(str, error['loc'])).upper() or 'settings'}: {error['msg']}"
            for error in exc.errors(include_url=False, include_input=False)
        ]
        raise SystemExit("global-chat: invalid settings:\n" + "\n".join(reasons)) from None


def _database_misconfiguration(settings: Settings) -> str | None:
    """Asks the database once whether the settings fit it (an undeclared pooler does not); None if they
    do, or if it cannot be reached now (serving through an outage is the server's job)."""

    async def check() -> str | None:
        database = Database(settings)
        try:
            return await database.misconfiguration()
        finally:
            await database.dispose()

    return asyncio.run(check())


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from global_chat.web.http_protocol import HTTP_PROTOCOL
    from global_chat.web.tracing import check_environment as check_tracing_environment

    settings = _settings()
    try:
        settings.check_bind(args.host)
    except SettingsError as exc:
        print(f"global-chat: {exc}", file=sys.stderr)
        return 2
    problem = check_tracing_environment() or _database_misconfiguration(settings)
    if problem is not None:
        print(f"global-chat: {problem}", file=sys.stderr)
        return 2
    base = f"http://{args.host}:{args.port}"
    print(
        f"global-chat: serving {base}/v1/sessions/chat (AUTH_MODE={settings.auth_mode.value}); docs at {base}/v1/ui/",
        file=sys.stderr,
        flush=True,
    )
    # uvicorn finishes the in-flight requests on SIGTERM, then re-raises the signal with the handler
    # that was there before it started: make that one a clean exit, not a death by signal.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    # Each worker is its own process: they pool their metrics in a folder (see metrics.py).
    with multiprocess_dir(args.workers):
        uvicorn.run(
            "global_chat.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level=settings.log_level.lower(),
            access_log=False,  # the service writes its own access log line, as JSON, with the request id
            timeout_graceful_shutdown=30,
            # uvicorn's httptools protocol with bounds on the request head, slow clients and connections
            http=HTTP_PROTOCOL,
            timeout_keep_alive=settings.http_keep_alive_timeout,
            ws="none",  # the API has no WebSocket: an Upgrade request is a plain HTTP request
        )
    return 0


def _exit_cleanly(signum: int, frame: object) -> None:
    raise SystemExit(0)


def cmd_migrate(args: argparse.Namespace) -> int:
    from global_chat.storage.migrate import upgrade

    settings = _settings()
    problem = _database_misconfiguration(settings)
    if problem is not None:
        print(f"global-chat: {problem}", file=sys.stderr)
        return 2
    print(f"global-chat: migrating {settings.async_database_url.split('@')[-1]} to {args.revision}", file=sys.stderr)
    upgrade(settings, args.revision)
    print("global-chat: migrations are current", file=sys.stderr)
    return 0


AdminAction = Callable[[AccountService], Awaitable[str]]


def _admin(action: AdminAction) -> int:
    """Run one administrative action; print its result, or the reason it failed."""

    async def run(settings: Settings) -> str:
        database = Database(settings)
        try:
            return await action(AccountService(database))
        finally:
            await database.dispose()

    try:
        print(asyncio.run(run(_settings())))
    except AdminError as exc:
        print(f"global-chat: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        problem = pooler_misconfiguration(exc)
        if problem is None:
            raise
        print(f"global-chat: {problem}", file=sys.stderr)
        return 2
    return 0


def _org_id(value: str) -> uuid.UUID:
    parsed = ids.parse_id(ids.ORGANIZATION, value)
    if parsed is None:
        raise argparse.ArgumentTypeError(f"{value!r} is not an organization id (org_<32 hex>)")
    return parsed


def _user_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a UUID") from None


def _positive_seconds(value: str) -> timedelta:
    seconds = int(value)
    if seconds <= 0:
        raise argparse.ArgumentTypeError("must be a positive number of seconds")
    return timedelta(seconds=seconds)


def cmd_create_org(args: argparse.Namespace) -> int:
    async def action(service: AccountService) -> str:
        return ids.format_id(ids.ORGANIZATION, await service.create_organization(args.name))

    return _admin(action)


def cmd_create_api_key(args: argparse.Namespace) -> int:
    async def action(service: AccountService) -> str:
        return await service.create_api_key(args.org, args.user, args.expires_in)

    return _admin(action)


def cmd_revoke_api_key(args: argparse.Namespace) -> int:
    async def action(service: AccountService) -> str:
        return await service.revoke_api_key(args.reference)

    return _admin(action)


def cmd_issue_token(args: argparse.Namespace) -> int:
    settings = _settings()
    if settings.jwt_secret is None or len(settings.jwt_secret.get_secret_value().encode()) < 32:
        print("global-chat: issue-token needs JWT_SECRET (at least 32 bytes)", file=sys.stderr)
        return 2
    claims = TokenClaims(organization_id=args.org, user_id=args.user)
    print(issue_token(settings.jwt_secret.get_secret_value(), claims, now=utc_now(), ttl=args.ttl))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="global-chat", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve the API with uvicorn")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port to bind (default: 8080)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default: 1)")
    serve.set_defaults(func=cmd_serve)

    migrate = commands.add_parser("migrate", help="apply the database migrations (idempotent)")
    migrate.add_argument("--revision", default="head", help="target revision (default: head)")
    migrate.set_defaults(func=cmd_migrate)

    create_org = commands.add_parser("create-org", help="create an organization (prints its org_ id)")
    create_org.add_argument("name")
    create_org.set_defaults(func=cmd_create_org)

    create_key = commands.add_parser("create-api-key", help="create an API key (prints it; shown only once)")
    create_key.add_argument("--org", required=True, type=_org_id, help="organization id (org_...)")
    create_key.add_argument("--user", required=True, type=_user_id, help="user UUID (created on first use)")
    create_key.add_argument("--expires-in", type=_positive_seconds, help="seconds until the key expires")
    create_key.set_defaults(func=cmd_create_api_key)

    revoke = commands.add_parser("revoke-api-key", help="revoke an API key (prints its key_ id)")
    revoke.add_argument("reference", metavar="KEY_PREFIX_OR_ID", help="key_<hex> id, the key, or 12+ of its characters")
    revoke.set_defaults(func=cmd_revoke_api_key)

    token = commands.add_parser("issue-token", help="issue an HS256 JWT signed with JWT_SECRET (prints it)")
    token.add_argument("--org", required=True, type=_org_id, help="organization id (org_...)")
    token.add_argument("--user", required=True, type=_user_id, help="user UUID")
    token.add_argument("--ttl", type=_positive_seconds, default=timedelta(hours=1), help="lifetime in seconds")
    token.set_defaults(func=cmd_issue_token)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Connexion imports Starlette's test client at start-up, which warns about httpx on every run;
    # it concerns Connexion's tests, not this server.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    args = build_parser().parse_args(argv)
    try:
        result: int = args.func(args)
    except KeyboardInterrupt:
        return 130  # Ctrl-C: uvicorn has already shut down cleanly; no traceback
    return result


if __name__ == "__main__":
    sys.exit(main())
