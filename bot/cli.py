"""The `migrasi-aman` command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from bot.config import Settings


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env()
    if getattr(args, "db", None):
        settings = replace(settings, database_path=Path(args.db))
    return settings


async def _chat(args: argparse.Namespace) -> int:
    from bot.app import open_system
    from bot.channels.console import Console

    settings = _settings(args)
    async with open_system(settings) as system:
        await seed_sample_volunteers(system)
        console = Console(system.engine, args.user, lang=args.lang)
        interactive = sys.stdin.isatty()
        if interactive:
            sys.stdout.write(
                "Migrasi Aman — console. /as USER, /location LAT LON, /quit. "
                f"Database: {settings.database_path}\n{args.user}> "
            )
            sys.stdout.flush()
            await console.deliver()
        await console.run(sys.stdin, prompt=interactive)
    return 0


async def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from bot.web import create_app

    app = create_app(_settings(args))
    config = uvicorn.Config(app, host=args.host, port=args.port, log_level="info")
    await uvicorn.Server(config).serve()
    return 0


async def _telegram_poll(args: argparse.Namespace) -> int:
    from bot.channels import telegram

    settings = _settings(args)
    if not settings.telegram_bot_token:
        print("TELEGRAM_BOT_TOKEN is not set", file=sys.stderr)
        return 2
    await telegram.poll(settings)
    return 0


async def _telegram_set_webhook(args: argparse.Namespace) -> int:
    from bot.channels import telegram

    settings = _settings(args)
    url = args.url or (settings.public_base_url and settings.public_base_url + "/telegram")
    if not settings.telegram_bot_token or not url:
        print("need TELEGRAM_BOT_TOKEN and --url or PUBLIC_BASE_URL", file=sys.stderr)
        return 2
    await telegram.set_webhook(settings, url)
    print(f"webhook set to {url}")
    return 0


async def seed_sample_volunteers(system: object) -> None:
    """Filled in by the volunteer registry: the console demo starts with sample volunteers."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="migrasi-aman", description="Migrasi Aman: safe-migration chatbot"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    chat = sub.add_parser("chat", help="talk to the bot in this terminal")
    chat.add_argument("--db", help="database file (default: DATABASE_PATH or ./migrasi-aman.db)")
    chat.add_argument("--user", default="me", help="console user id (default: me)")
    chat.add_argument("--lang", choices=("id", "en"), help="language of a new user")
    chat.set_defaults(run=_chat)

    serve = sub.add_parser("serve", help="run the web app (Telegram and WhatsApp webhooks)")
    serve.add_argument("--db")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(run=_serve)

    poll = sub.add_parser("telegram-poll", help="run the Telegram bot by long polling")
    poll.add_argument("--db")
    poll.set_defaults(run=_telegram_poll)

    hook = sub.add_parser(
        "telegram-set-webhook", help="register the webhook URL and secret with Telegram"
    )
    hook.add_argument("--db")
    hook.add_argument("--url", help="default: PUBLIC_BASE_URL + /telegram")
    hook.set_defaults(run=_telegram_set_webhook)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    return asyncio.run(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
