"""The `global-chat` console script: serve the API and manage its database.

Commands print only their result on stdout (so scripts can capture it); progress and errors go to stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from global_chat.settings import Settings, SettingsError


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        raise SystemExit(f"global-chat: invalid settings:\n{exc}") from None


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = _settings()
    try:
        settings.check_bind(args.host)
    except SettingsError as exc:
        print(f"global-chat: {exc}", file=sys.stderr)
        return 2
    base = f"http://{args.host}:{args.port}"
    print(
        f"global-chat: serving {base}/v1/sessions/chat (AUTH_MODE={settings.auth_mode.value}); docs at {base}/v1/ui/",
        file=sys.stderr,
        flush=True,
    )
    uvicorn.run(
        "global_chat.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=settings.log_level.lower(),
        timeout_graceful_shutdown=30,
    )
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from global_chat.storage.migrate import upgrade

    settings = _settings()
    print(f"global-chat: migrating {settings.async_database_url.split('@')[-1]} to {args.revision}", file=sys.stderr)
    upgrade(settings, args.revision)
    print("global-chat: migrations are current", file=sys.stderr)
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
