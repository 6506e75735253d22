"""Shared pieces for tests: a running system on a temporary database, and a console driver."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

from bot.app import System, open_system
from bot.channels.console import Console
from bot.config import Settings
from tests.fakes.clock import ManualClock


@asynccontextmanager
async def running(
    db: Path, clock: ManualClock | None = None, **settings: object
) -> AsyncIterator[System]:
    async with open_system(
        replace(Settings(), database_path=db, **settings), clock=clock or ManualClock()
    ) as system:
        yield system


class ConsoleDriver:
    """Types lines as a console user and returns what the bot printed for each."""

    def __init__(self, system: System, user: str = "siti", lang: str | None = None) -> None:
        self.out = io.StringIO()
        self.console = Console(system.engine, user, out=self.out, lang=lang)

    async def send(self, line: str) -> str:
        start = self.out.tell()
        await self.console.say(line)
        return self.out.getvalue()[start:]

    async def script(self, lines: list[str]) -> list[str]:
        return [await self.send(line) for line in lines]

    @property
    def transcript(self) -> str:
        return self.out.getvalue()
