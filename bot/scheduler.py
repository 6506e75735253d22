"""Time-driven work: expired alert deadlines, and report drafts left unfinished.

Everything it acts on is in the store, so a restart loses nothing: the first tick after it
finds what fell due while the process was down.
"""

from __future__ import annotations

import asyncio
import logging

from bot.background import Background
from bot.cases import Casework
from bot.cases.recruiters import backfill_name_keys
from bot.engine import Engine
from bot.postman import Postman
from storage import Tx

log = logging.getLogger(__name__)
DRAFT_HOURS = 24  # a report form left this long is forgotten: nothing kept without consent
CHECK_HOURS = 1  # an offer's text waits this long for "report it", then it is forgotten
# Telegram keeps an unanswered update for 24 hours and Twilio retries within minutes: a
# week of inbound ids is far past any retry, and the table no longer grows without bound.
INBOUND_DAYS = 7


async def tick(engine: Engine) -> int:
    """One pass. Returns how many deadlines expired."""
    services = engine.services
    now = services.clock.now()

    async def work(tx: Tx) -> tuple[int, set[str]]:
        post = Postman(tx, now)
        work = Casework(tx, post, services, now)
        expired = await work.expire_overdue()
        await work.remind_unassigned()
        await tx.contacts.reset_stale("report", before=now - DRAFT_HOURS * 3600)
        await tx.contacts.reset_stale("check", before=now - CHECK_HOURS * 3600)
        await tx.outbox.purge_delivered(
            before=now - services.settings.delivered_retention_hours * 3600
        )
        # a draft left for a side trip (handlers/report.py PAUSED) goes after the same time
        await tx.contacts.forget_paused("paused:report", before=now - DRAFT_HOURS * 3600)
        await tx.inbound.prune(before=now - INBOUND_DAYS * 86400)
        await backfill_name_keys(tx, now)
        return expired, await post.flush()

    expired, channels = await engine.run(work)
    if channels:
        engine.notify(channels)
    return expired


class Scheduler:
    def __init__(self, engine: Engine, every: float = 30.0) -> None:
        self.engine = engine
        self.every = every
        self._task = Background("scheduler")

    async def _run(self) -> None:
        while True:
            try:
                await tick(self.engine)
            except Exception:
                log.exception("scheduler tick failed")
            await asyncio.sleep(self.every)

    async def start(self) -> None:
        self._task.start(self._run)

    async def stop(self) -> None:
        await self._task.stop()
