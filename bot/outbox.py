"""Durable delivery: the outbox rows written by the engine are sent here, channel by channel.

A row is written before it is sent, so a crash between the two loses nothing: on restart the
dispatcher finds it still pending. A person's messages go out one after another in order;
different people are served concurrently within the channel's rate limits. Network errors
and 5xx retry with exponential backoff; 429 waits `retry_after`; a person who blocked the bot
is marked unreachable and nothing more is sent to them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from bot.background import Background
from bot.engine import Engine
from bot.events import DeliveryFailed
from bot.messages import Outgoing
from bot.services import Services
from storage import Tx

log = logging.getLogger(__name__)


class SendError(Exception):
    """A send that did not go through. The channel says what kind of failure it was."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        permanent: bool = False,
        blocked: bool = False,
        reason: str = "",
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent or blocked
        self.blocked = blocked
        self.reason = (
            reason  # a short code DeliveryFailed listeners can act on, e.g. "outside_window"
        )


async def delivery_failed(
    tx: Tx, message: Outgoing, now: float, services: Services, *, failure: str, error: str
) -> None:
    """The one path for a message that will not be delivered, whether the send failed for good
    or the channel reported the failure later: what failed goes into `message.meta`, and the
    DeliveryFailed listeners (bot/cases.py) decide what it means for the case."""
    message.meta.update(failure=failure, error=error)
    await services.router.events.emit(DeliveryFailed(tx, message, now, services))


@dataclass(frozen=True)
class Sent:
    provider_id: str | None = None


class Sender(Protocol):
    channel: str

    async def send(self, message: Outgoing) -> Sent: ...


class RateLimiter:
    """A token bucket on the monotonic clock: `rate` per second, bursts of `burst`."""

    def __init__(
        self, rate: float, burst: float = 1.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.tokens = burst
        self.updated = clock()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = self.clock()
                self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
                self.updated = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                await asyncio.sleep((1 - self.tokens) / self.rate)


@dataclass(frozen=True)
class Limits:
    overall_per_second: float = 30.0  # Telegram: ~30 messages/s per bot
    overall_burst: float = 10.0  # so that no one-second window goes far beyond the rate
    per_chat_per_second: float = 1.0  # Telegram: ~1 message/s per chat…
    per_chat_burst: float = 3.0  # …with a short burst, so a reply in 3 parts is not slowed
    concurrency: int = 8
    max_attempts: int = 8
    backoff_base: float = 2.0
    backoff_max: float = 600.0


class Dispatcher:
    def __init__(self, engine: Engine, sender: Sender, limits: Limits | None = None) -> None:
        self.engine = engine
        self.sender = sender
        self.channel = sender.channel
        self.limits = limits or Limits()
        self._overall = RateLimiter(
            self.limits.overall_per_second, max(1.0, self.limits.overall_burst)
        )
        self._per_chat: dict[str, RateLimiter] = defaultdict(
            lambda: RateLimiter(self.limits.per_chat_per_second, self.limits.per_chat_burst)
        )
        self._wake = asyncio.Event()
        self._task = Background(f"dispatcher-{self.channel}")
        engine.on_commit(self._on_commit)

    def _on_commit(self, channels: set[str]) -> None:
        if self.channel in channels or "*" in channels:
            self._wake.set()

    def _now(self) -> float:
        return self.engine.services.clock.now()

    # --- one pass ----------------------------------------------------------------------------
    async def run_once(self) -> int:
        """Send everything due now. Returns how many sends were attempted."""
        now = self._now()

        async def due(tx: Tx) -> list[Outgoing]:
            return await tx.outbox.due(self.channel, now, limit=200)

        messages = await self.engine.run(due)
        if not messages:
            return 0
        by_person: dict[str, list[Outgoing]] = defaultdict(list)
        for m in messages:
            by_person[m.address].append(m)
        gate = asyncio.Semaphore(self.limits.concurrency)

        async def serve(queue: list[Outgoing]) -> None:
            async with gate:
                for message in queue:
                    if not await self._deliver(message):
                        break  # keep the order: later messages wait for this one

        await asyncio.gather(*(serve(q) for q in by_person.values()))
        return len(messages)

    async def _deliver(self, message: Outgoing) -> bool:
        await self._per_chat[message.address].acquire()
        await self._overall.acquire()
        try:
            sent = await self.sender.send(message)
        except SendError as exc:
            await self._failed(message, exc)
            return False
        except Exception as exc:  # a bug or an unexpected library error: retry, don't lose
            log.exception("sending outbox message %s failed", message.id)
            await self._failed(message, SendError(f"{type(exc).__name__}: {exc}"))
            return False
        now = self._now()

        async def done(tx: Tx) -> None:
            await tx.outbox.mark_sent(message.id, now, sent.provider_id)

        await self.engine.run(done)
        return True

    async def _failed(self, message: Outgoing, exc: SendError) -> None:
        now = self._now()
        attempts = message.attempts + 1

        async def record(tx: Tx) -> None:
            if exc.blocked:
                await tx.outbox.mark_failed(message.id, f"blocked: {exc}")
                if message.contact_id is not None:
                    await tx.contacts.mark_unreachable(message.contact_id, now)
                    await tx.outbox.drop_pending_for(
                        message.contact_id, "recipient blocked the bot"
                    )
            elif exc.permanent or (
                exc.retry_after is None and attempts >= self.limits.max_attempts
            ):
                await tx.outbox.mark_failed(message.id, str(exc))
            else:
                if exc.retry_after is not None:
                    delay = exc.retry_after
                else:
                    delay = min(
                        self.limits.backoff_max, self.limits.backoff_base * 2 ** (attempts - 1)
                    )
                    delay *= random.uniform(0.8, 1.2)
                await tx.outbox.mark_retry(message.id, now + delay, str(exc))
                return
            await delivery_failed(
                tx,
                message,
                now,
                self.engine.services,
                failure=exc.reason or "failed",
                error=str(exc),
            )

        await self.engine.run(record)

    # --- the loop ----------------------------------------------------------------------------
    async def run(self, idle: float = 5.0) -> None:
        while True:
            self._wake.clear()
            try:
                await self.run_once()
            except Exception:
                log.exception("%s dispatcher pass failed", self.channel)

            async def next_due(tx: Tx) -> float | None:
                return await tx.outbox.next_due_at(self.channel)

            wait = idle
            try:
                at = await self.engine.run(next_due)
                if at is not None:
                    wait = min(idle, max(0.05, at - self._now()))
            except Exception:
                log.exception("%s dispatcher could not read the next due time", self.channel)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=wait)

    async def start(self) -> None:
        self._task.start(self.run)

    async def stop(self) -> None:
        await self._task.stop()
