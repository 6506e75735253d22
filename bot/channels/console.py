"""The console channel: lines from stdin in, replies on stdout out.

Every message goes through the same engine and outbox as on Telegram and WhatsApp. Messages
to another console user (an alert to a volunteer, a status update to a reporter) wait in the
outbox as that user's inbox and are printed when you switch to them with `/as USER_ID`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from typing import TextIO

from bot.engine import Engine
from bot.i18n import _, use_locale
from bot.messages import Inbound, Location, Outgoing
from bot.render import numbered
from storage import Tx

CHANNEL = "console"


def render(message: Outgoing) -> str:
    with use_locale(message.locale):
        hint = _("(To share a location, type /location LATITUDE LONGITUDE.)")
    return numbered(message.reply, message.locale, location_hint=hint)


class Console:
    def __init__(
        self, engine: Engine, user: str, out: TextIO = sys.stdout, lang: str | None = None
    ) -> None:
        self.engine = engine
        self.user = user
        self.out = out
        self.lang = lang
        self._counter = 0

    def _next_id(self) -> str:
        # Unique across runs on the same database, or a restart would look like a retry.
        self._counter += 1
        return f"{time.time_ns()}-{self._counter}"

    async def deliver(self) -> int:
        """Print and mark sent what waits for the current user."""

        async def take(tx: Tx) -> list[Outgoing]:
            pending = await tx.outbox.pending_for(CHANNEL, self.user)
            now = self.engine.services.clock.now()
            for message in pending:
                await tx.outbox.mark_sent(message.id, now)
            return pending

        messages = await self.engine.run(take)
        for message in messages:
            self.out.write(render(message) + "\n\n")
        self.out.flush()
        return len(messages)

    async def say(self, line: str) -> bool:
        """Handle one typed line. False when the user wants to quit."""
        line = line.rstrip("\r\n")
        command, _sep, rest = line.strip().partition(" ")
        lowered = command.lower()
        if lowered in ("/quit", "/exit"):
            return False
        if lowered == "/as":
            user = rest.strip()
            if user:
                self.user = user
                self.out.write(f"--- {self.user} ---\n")
                if not await self.deliver():
                    self.out.write("(inbox kosong / inbox empty)\n\n")
            return True
        location = None
        text = line
        if lowered == "/location":
            try:
                lat_s, lon_s = rest.replace(",", " ").split()
                location = Location(float(lat_s), float(lon_s))
                text = ""
            except ValueError:
                self.out.write(
                    "usage: /location LATITUDE LONGITUDE (e.g. /location -7.25 112.75)\n\n"
                )
                return True
        await self.engine.handle(
            Inbound(
                channel=CHANNEL,
                address=self.user,
                external_id=self._next_id(),
                text=text,
                location=location,
                locale_hint=self.lang,
            )
        )
        await self.deliver()
        return True

    async def run(self, lines: Iterable[str], prompt: bool = False) -> None:
        await self.deliver()
        for line in lines:
            if not await self.say(line):
                break
            if prompt:
                self.out.write(f"{self.user}> ")
                self.out.flush()
