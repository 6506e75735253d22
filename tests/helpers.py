"""Shared pieces for tests: a running system on a temporary database, and a console driver."""

from __future__ import annotations

import io
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

from bot.channels.console import Console
from bot.config import Settings
from bot.system import System, open_system
from tests.fakes.clock import ManualClock


def free_port() -> int:
    """A loopback TCP port nobody listens on now (for a server started by a test)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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


VOLUNTEERS_CSV = """name,channel,address,place,lat,lon,languages,capacity
Relawan Indramayu,console,rel-indramayu,Kabupaten Indramayu,,,id,2
Relawan Cirebon,console,rel-cirebon,Kabupaten Cirebon,,,id,2
Relawan Majalengka,console,rel-majalengka,Kabupaten Majalengka,,,id;en,2
Relawan Surabaya,console,rel-surabaya,Kota Surabaya,,,en,2
"""


async def add_volunteers(system: System, csv_text: str = VOLUNTEERS_CSV):
    from bot.volunteer_csv import import_csv

    now = system.services.clock.now()
    return await system.engine.run(
        lambda tx: import_csv(tx, csv_text, system.services.gazetteer, now)
    )


async def report_from(
    chat: ConsoleDriver,
    *,
    place: str = "Indramayu",
    urgent: bool = False,
    anonymous: bool = False,
    recruiter: str = "Bu Sri",
    phone: str = "0812 3456 7890",
    lang: str = "id",
) -> str:
    """Walk the report form from a fresh console user to the case number; returns the number."""
    await chat.send("halo")
    await chat.send("1" if lang == "id" else "2")
    await chat.send("1")  # privacy consent
    await chat.send("3")  # report
    await chat.send("2")  # family
    await chat.send(
        "Ada sponsor datang ke rumah minta DP 5 juta untuk kerja di Taiwan pakai visa turis"
    )
    await chat.send(recruiter)
    await chat.send(phone)
    await chat.send(place)
    await chat.send("1")  # yes, that place
    await chat.send("1" if urgent else "2")
    await chat.send("2" if anonymous else "1")
    if not anonymous:
        await chat.send("0813 0000 1111")  # how the volunteer may reach me
    out = await chat.send("1")  # consent: send it
    import re

    m = re.search(r"MA-[0-9A-Z]{5}", out)
    assert m, out
    return m.group(0)


@asynccontextmanager
async def running_on(
    database: str, clock: ManualClock | None = None, **settings: object
) -> AsyncIterator[System]:
    """A system on a database URL, e.g. one of several workers on one PostgreSQL database."""
    async with open_system(
        replace(Settings(), database_url=database, **settings), clock=clock or ManualClock()
    ) as system:
        yield system
