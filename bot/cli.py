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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    return asyncio.run(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
