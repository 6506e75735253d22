"""Running Telegram by long polling (`migrasi-aman telegram-poll`).

getUpdates → engine, with the same guarantee as the webhook: the offset that confirms an
update to Telegram is advanced only after the update is committed, and the last offset is
confirmed on a clean stop. It opens the whole system (with the Telegram dispatcher and the
scheduler), so it lives above the channels, not in bot/channels/telegram.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from telegram import Bot, Update
from telegram.error import InvalidToken, RetryAfter, TelegramError

from bot.channels.telegram import ALLOWED_UPDATES, CHANNEL, TelegramAdapter, period_seconds
from bot.clock import Clock
from bot.config import Settings
from bot.system import open_system

log = logging.getLogger(__name__)
T = TypeVar("T")

POLL_TIMEOUT = 30.0  # seconds Telegram holds an empty getUpdates
MAX_UPDATE_ATTEMPTS = 5  # then an update that keeps failing is skipped, not retried forever
_BACKOFF_MAX = 30.0


class _Stopped(Exception):
    pass


async def poll(
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
    clock: Clock | None = None,
    bot: Bot | None = None,
    poll_timeout: float = POLL_TIMEOUT,
) -> None:
    """Run the bot by long polling until `stop` is set (without one: until SIGINT/SIGTERM).

    Opens the system, starts the outbox dispatcher for Telegram, removes any webhook (Telegram
    refuses getUpdates while one is set) and handles updates batch by batch.
    """
    own_stop = stop is None
    stop = stop or asyncio.Event()
    restore = _stop_on_signals(stop) if own_stop else (lambda: None)
    try:
        async with open_system(
            settings,
            clock=clock,
            schedule=True,
            channels=[CHANNEL],
            options={CHANNEL: {"bot": bot}},
        ) as system:
            from bot.cases.coordination import warn_without_coordinator

            await warn_without_coordinator(system)
            tg: TelegramAdapter = system.channels[CHANNEL]
            await tg.bot.delete_webhook(drop_pending_updates=False)
            await Poller(tg, stop, poll_timeout).run()
    finally:
        restore()


def _stop_on_signals(stop: asyncio.Event) -> Callable[[], None]:
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):  # Windows, not main thread
            pass

    def restore() -> None:
        for sig in installed:
            loop.remove_signal_handler(sig)

    return restore


@dataclass
class Poller:
    """getUpdates → engine, advancing the offset only past committed updates."""

    tg: TelegramAdapter
    stop: asyncio.Event
    poll_timeout: float = POLL_TIMEOUT
    offset: int | None = None
    handled: int = 0  # updates committed (or skipped after MAX_UPDATE_ATTEMPTS)
    _poll_failures: int = 0  # consecutive failed getUpdates
    _update_failures: int = 0  # consecutive failures of the update at the offset

    async def run(self) -> None:
        try:
            while not self.stop.is_set():
                try:
                    updates = await self._unless_stopped(
                        self.tg.bot.get_updates(
                            offset=self.offset,
                            timeout=int(self.poll_timeout),
                            allowed_updates=list(ALLOWED_UPDATES),
                        )
                    )
                except _Stopped:
                    break
                except InvalidToken:
                    raise
                except RetryAfter as exc:
                    await self._pause(period_seconds(exc.retry_after))
                    continue
                except TelegramError as exc:
                    # Conflict (another poller, or a webhook set meanwhile), NetworkError,
                    # TimedOut: wait and ask again.
                    self._poll_failures += 1
                    log.warning("getUpdates failed (%s); retrying", exc)
                    await self._pause(_backoff(self._poll_failures))
                    continue
                self._poll_failures = 0
                if updates:
                    await self.handle(updates)
        finally:
            await self._confirm()

    async def handle(self, updates: Sequence[Update]) -> None:
        """Commit a batch, then move the offset past what was committed."""
        # All at once: the engine queues them in this order and group-commits them, so a
        # person's messages keep their order.
        results = await asyncio.gather(
            *(self.tg.receive(u) for u in updates), return_exceptions=True
        )
        committed: list[Update] = []
        failed = False
        for update, result in zip(updates, results, strict=True):
            if isinstance(result, BaseException):
                self._update_failures += 1
                if self._update_failures < MAX_UPDATE_ATTEMPTS:
                    log.error("update %s failed; will retry", update.update_id, exc_info=result)
                    # Stop here: this one and the rest come again (the rest as duplicates).
                    failed = True
                    break
                log.error(
                    "update %s failed %d times; skipping it",
                    update.update_id,
                    self._update_failures,
                    exc_info=result,
                )
            self._update_failures = 0
            committed.append(update)
            self.offset = update.update_id + 1
        self.handled += len(committed)
        await asyncio.gather(*(self.tg.answer_callback(u) for u in committed))
        if failed:
            self.offset = updates[len(committed)].update_id
            await self._pause(_backoff(self._update_failures))

    async def _confirm(self) -> None:
        # Tell Telegram what we committed, or the last batch comes again on the next start
        # (harmless, deduped, but slower). Best effort, bounded.
        if self.offset is None:
            return
        with contextlib.suppress(TelegramError, TimeoutError):
            async with asyncio.timeout(5.0):
                await self.tg.bot.get_updates(
                    offset=self.offset, limit=1, timeout=0, allowed_updates=list(ALLOWED_UPDATES)
                )

    async def _pause(self, seconds: float) -> None:
        # asyncio.timeout, not wait_for, which on 3.11 can swallow a cancel (see outbox.run).
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self.stop.wait()

    async def _unless_stopped(self, work: Awaitable[T]) -> T:
        task = asyncio.ensure_future(work)
        stopped = asyncio.ensure_future(self.stop.wait())
        try:
            await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopped.cancel()
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, TelegramError):
                    await task
        if task.cancelled():
            raise _Stopped
        return task.result()


def _backoff(failures: int) -> float:
    return min(_BACKOFF_MAX, 0.5 * 2 ** max(0, failures - 1))
