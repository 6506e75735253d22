"""Durable, fair delivery: the outbox rows written by the engine are sent here, channel by channel.

A row is written before it is sent, so a crash between the two loses nothing: on restart the
dispatcher finds it still pending. What it keeps in memory is only a schedule:

- **Per-chat queues.** Due rows are loaded a few per chat (`Limits.load_per_chat`), so one
  chat's backlog of hundreds cannot fill what is loaded. A chat has at most one send in flight,
  so its messages arrive in order; a row waiting for a retry holds back that chat's later rows
  and nobody else's.
- **Loading what is new.** Where the store hands out ids in commit order (SQLite), a commit
  makes the dispatcher read only the rows committed since its last look, and a chat that has
  sent what it held reads only its own next rows. Reading every due row again on each commit
  made a commit cost as much as the backlog waiting for the platform's limit: under load,
  the dispatcher read and parsed tens of rows for each one it sent. Everything due is still
  read every `idle` seconds (retries and delayed rows come due).
- **A continuous scheduler.** Whenever the platform's global limit allows another call, the
  scheduler starts the next send: it never waits for the sends in flight (a hung POST occupies
  its own chat and one of `concurrency` slots, until its timeout). The next chat is the one
  served least lately (a count of its calls that halves every `HALF_LIFE` seconds), then the
  one with the fewest messages waiting, then the oldest: a new person's first reply goes ahead
  of a long backlog, and a busy chat takes only what its own per-chat limit allows.
- **Every platform call counted.** A sender calls `attempt.call()` around each API call that
  puts a message in a chat, so every part of a split reply is paced against the per-chat and
  the global limit (GCRA on the times calls actually start, a little under the platform's
  rate: `Limits.headroom`), and runs under `Limits.send_timeout`.
- **Progress kept durably.** After each part but the last the sender says so
  (`attempt.delivered`), and the row's meta records how many parts went out before the next
  starts; after the last, the row is marked sent before the chat's next send. A kill -9
  therefore repeats at most the sends that were in flight.

Failures: network errors, timeouts and 5xx retry with exponential backoff (`Limits.backoff_*`);
429 waits `retry_after` — for the chat, or for the whole bot when the platform means the bot
(Twilio's 429 and rate-limit codes say so; for Telegram, whose 429 does not, a chat that got
nothing within its own per-chat interval cannot have exceeded its own limit, so it was the bot's);
a person who blocked the bot is marked unreachable and nothing more is sent to them.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import enum
import logging
import math
import random
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.background import Background
from bot.engine import Engine
from bot.events import DeliveryFailed
from bot.messages import Outgoing
from bot.services import Services
from storage import Tx

log = logging.getLogger(__name__)

# How fast a chat's count of recent sends fades, for choosing who goes next (seconds).
HALF_LIFE = 30.0
PROGRESS_KEY = "parts_sent"  # in an outbox row's meta: parts of a split reply already out


class RetryScope(enum.Enum):
    """Who a 429 holds back."""

    CHAT = "chat"
    BOT = "bot"


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
        scope: RetryScope | None = None,
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent or blocked
        self.blocked = blocked
        self.reason = (
            reason  # a short code DeliveryFailed listeners can act on, e.g. "outside_window"
        )
        # Whom `retry_after` applies to; None: the platform does not say, the dispatcher infers.
        self.scope = scope


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


class Attempt:
    """One try at sending one outbox row, as the sender sees it.

    `parts_sent` parts of it went out in earlier tries: start after them. Wrap every platform
    call that puts a message in the chat in `async with attempt.call():` (paced and timed out),
    and after each part but the last, `await attempt.delivered()`. Used on its own (a sender
    called directly, in tests), it neither paces nor keeps anything beyond this object.
    """

    def __init__(self, message: Outgoing) -> None:
        self.message = message
        self.parts_sent = int(message.meta.get(PROGRESS_KEY, 0) or 0)
        self.calls = 0

    @asynccontextmanager
    async def call(self) -> AsyncIterator[None]:
        self.calls += 1
        yield

    async def delivered(self) -> None:
        self.parts_sent += 1
        self.message.meta[PROGRESS_KEY] = self.parts_sent


class Sender(Protocol):
    channel: str

    async def send(self, message: Outgoing, attempt: Attempt | None = None) -> Sent: ...


class _Start:
    """One call counted by a limiter's window: when it was granted, and once it is over when
    it ended. The platform saw it arrive somewhere in between."""

    __slots__ = ("ended", "granted")

    def __init__(self, granted: float) -> None:
        self.granted = granted
        self.ended: float | None = None


class RateLimiter:
    """`rate` calls per second with bursts of `burst`, counted on the times calls start.

    GCRA (a token bucket kept as one "theoretical arrival time"): a call may start once
    `tat - tolerance` has passed; starting moves `tat` one interval on. `catch_up` intervals
    more of tolerance let calls that started late (a busy event loop) make up the lost time
    instead of losing it for good.

    With a `window`, a hard guard besides: a platform that counts calls by when they arrive
    should never see more than `rate * window` within `window` seconds, whatever the delays on
    the way. Its clock is unknown, but a call arrived after we granted it and before it ended,
    and while it is in flight we take it to have arrived within `transit` seconds of the grant;
    so a new call may start only when fewer than that many calls arrived, by those bounds,
    within the last `window` seconds. A call that hangs then costs at most `transit`, not the
    whole wait.
    `pause(until)` holds every call back until then (a 429 for the whole bot).
    """

    def __init__(
        self,
        rate: float,
        burst: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        *,
        catch_up: float = 0.0,
        window: float | None = None,
        transit: float = 0.05,
    ) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.tolerance = (max(1.0, burst) - 1.0 + catch_up) * self.interval
        self.clock = clock
        self.tat = -math.inf
        self.paused_until = -math.inf
        self.window = window
        self.per_window = max(1, round(rate * window)) if window else 0
        self.transit = transit
        self._starts: deque[_Start] = deque()

    def _latest_arrival(self, start: _Start, now: float) -> float:
        assert self.window is not None
        return self.arrived_by(start, now)

    def arrived_by(self, start: _Start, now: float) -> float:
        """The latest the platform can have seen this call (inf: it may still arrive)."""
        if start.ended is not None:
            # Known for certain. A call that took longer than `transit` may have left late
            # (this process stalled before writing it, as on a busy machine): counting it at
            # grant + transit let the next window's calls reach the platform beside it (429).
            return start.ended
        bound = start.granted + self.transit
        return bound if now >= bound else math.inf

    def ready_at(self) -> float:
        """When the next call may start (in the past if now; inf: when a call ends)."""
        at = max(self.tat - self.tolerance, self.paused_until)
        if self.window and len(self._starts) >= self.per_window:
            now = self.clock()
            while self._starts and self._latest_arrival(self._starts[0], now) <= now - self.window:
                self._starts.popleft()
            if len(self._starts) >= self.per_window:
                latest = sorted(self._latest_arrival(s, now) for s in self._starts)
                blocking = latest[len(latest) - self.per_window]
                if blocking == math.inf:  # wait for a call to end, or to be going long enough
                    blocking = min(s.granted for s in self._starts) + self.transit
                at = max(at, blocking + self.window)
        return at

    def take(self, now: float) -> _Start:
        """Count a call starting now; `end` it when it is over."""
        self.tat = max(self.tat, now) + self.interval
        start = _Start(now)
        if self.window:
            self._starts.append(start)
        return start

    def end(self, start: _Start) -> None:
        start.ended = self.clock()

    def pause(self, until: float) -> None:
        self.paused_until = max(self.paused_until, until)

    def idle(self, now: float) -> bool:
        """Fully recovered: forgetting this limiter changes nothing."""
        return self.tat <= now and self.paused_until <= now

    async def acquire(self) -> None:
        while (wait := self.ready_at() - self.clock()) > 0:
            await asyncio.sleep(wait)
        self.take(self.clock())


@dataclass(frozen=True)
class Limits:
    overall_per_second: float = 30.0  # Telegram: ~30 messages/s per bot
    overall_burst: float = 1.0  # evenly spaced: a burst gains nothing at the global rate
    per_chat_per_second: float = 1.0  # Telegram: ~1 message/s per chat…
    per_chat_burst: float = 3.0  # …with a short burst, so a reply in 3 parts is not slowed
    # Pace this much under the platform's rate: network jitter must not push two sends into
    # one of the platform's windows (also counted from when calls end, see RateLimiter).
    headroom: float = 0.01
    # How long after we start a call the platform is taken to have seen it, at most (unless
    # it answered sooner): what the window above allows for delays on the way.
    transit: float = 0.25
    concurrency: int = 32  # sends in flight at once (a hung one holds one slot)
    send_timeout: float = 20.0  # one platform call, above the clients' own timeouts
    max_attempts: int = 12
    backoff_base: float = 1.0  # 1, 2, 4, … s (±20%): at 30% failures p90 is one retry
    backoff_max: float = 300.0
    load_per_chat: int = 3  # rows of one chat held in memory
    load_rows: int = 1000  # rows loaded at once


def _backoff(limits: Limits, attempts: int) -> float:
    delay = min(limits.backoff_max, limits.backoff_base * 2 ** (attempts - 1))
    return delay * random.uniform(0.8, 1.2)


@dataclass
class _Chat:
    address: str
    limiter: RateLimiter
    queue: deque[Outgoing] = field(default_factory=deque)
    busy: bool = False
    attempt: _PacedAttempt | None = None  # the try in flight, once its row is claimed
    not_before: float = -math.inf  # service clock: a retry is waiting
    served: float = 0.0  # calls granted, as counted at `served_at`
    served_at: float = 0.0
    last_call: float = -math.inf  # monotonic time of the last call granted
    more: bool = False  # the store may hold more due rows than loaded

    def recent(self, now: float) -> float:
        """Calls granted, each counting half as much every HALF_LIFE seconds."""
        if not self.served:
            return 0.0
        return self.served * 2.0 ** (-(now - self.served_at) / HALF_LIFE)

    def key(self, now: float) -> tuple[float, int, int]:
        # least served lately, then the fewest waiting (a turn finished sooner), then oldest
        return (self.recent(now), len(self.queue), self.queue[0].id)


class Pacer:
    """The global and per-chat limits of one channel: calls are granted first come, first
    served, each when both its chat's limiter and the bot's allow it."""

    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic) -> None:
        slower = 1.0 + limits.headroom
        self.limits = limits
        self.clock = clock
        # The platform counts calls per second: evenly spaced a little under its rate, with two
        # intervals to catch up after a late start, and never more than its rate within any
        # second. The window needs no headroom of its own: it already counts each call as
        # arriving as late as it can have, and every second of headroom there was paid again
        # for each window of calls (a backlog of 600 took 1.03 x N/limit, not 1.01).
        self.bot = RateLimiter(
            limits.overall_per_second / slower,
            limits.overall_burst,
            clock,
            catch_up=2.0,
            window=1.0,
            transit=limits.transit,
        )
        self._waiters: deque[tuple[asyncio.Future[_Start], _Chat]] = deque()
        self._timer: asyncio.TimerHandle | None = None

    def chat_limiter(self) -> RateLimiter:
        slower = 1.0 + self.limits.headroom
        return RateLimiter(
            self.limits.per_chat_per_second / slower, self.limits.per_chat_burst, self.clock
        )

    def backlog(self) -> float:
        """When a call asked for now would start, given those already waiting."""
        ahead = sum(1 for fut, _chat in self._waiters if not fut.done())
        return max(self.bot.ready_at(), self.clock()) + ahead * self.bot.interval

    async def acquire(self, chat: _Chat) -> _Start:
        """Wait for a call to `chat`; `end` the returned start when the call is over."""
        # The chat's own limit first (one send per chat in flight: nobody else waits here),
        # then the bot's, in order of arrival.
        while (wait := chat.limiter.ready_at() - self.clock()) > 0:
            await asyncio.sleep(wait)
        future: asyncio.Future[_Start] = asyncio.get_running_loop().create_future()
        self._waiters.append((future, chat))
        self._grant()
        return await future  # cancelled while waiting: _grant skips it

    def end(self, chat: _Chat, start: _Start) -> None:
        self.bot.end(start)
        # The chat's next call counts from when this one ended (it arrived before that): the
        # platform's per-chat spacing holds however long this one took on the way.
        limiter = chat.limiter
        arrived = self.bot.arrived_by(start, self.clock())
        limiter.tat = max(limiter.tat, arrived + limiter.interval)
        if self._waiters:  # a call over may free a place in the window
            if self._timer is not None:
                self._timer.cancel()
            self._grant()

    def _grant(self) -> None:
        self._timer = None
        while self._waiters:
            future, chat = self._waiters[0]
            if future.done():  # cancelled while waiting
                self._waiters.popleft()
                continue
            now = self.clock()
            at = max(self.bot.ready_at(), chat.limiter.ready_at())
            if at > now:
                loop = asyncio.get_running_loop()
                self._timer = loop.call_later(at - now, self._grant)
                return
            self._waiters.popleft()
            start = self.bot.take(now)
            chat.limiter.take(now)
            chat.last_call = now
            chat.served = chat.recent(now) + 1.0
            chat.served_at = now
            future.set_result(start)

    def pause(self, until: float) -> None:
        self.bot.pause(until)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._waiters:
            self._grant()


class _PacedAttempt(Attempt):
    """An Attempt run by the dispatcher: paced, timed out, progress written to the store."""

    def __init__(
        self, dispatcher: Dispatcher, chat: _Chat, message: Outgoing, launched: float
    ) -> None:
        super().__init__(message)
        self.dispatcher = dispatcher
        self.chat = chat
        self.previous_call = chat.last_call  # before this try: for reading a 429
        self.started = False  # entered the pacer once (the scheduler counts starting sends)
        self.launched = launched
        self.waiting = True  # for a slot: nothing of this try is at the platform now

    @asynccontextmanager
    async def call(self) -> AsyncIterator[None]:
        d = self.dispatcher
        if not self.started:
            self.started = True
            d._starting -= 1
            d._startup.append(d.pacer.clock() - self.launched)
        if self.calls:
            self.previous_call = self.chat.last_call
        self.waiting = True
        start = await d.pacer.acquire(self.chat)
        self.waiting = False
        self.calls += 1
        try:
            async with asyncio.timeout(d.limits.send_timeout):
                yield
        finally:
            d.pacer.end(self.chat, start)

    async def delivered(self) -> None:
        await super().delivered()
        message_id, meta = self.message.id, dict(self.message.meta)

        async def record(tx: Tx) -> None:
            await tx.outbox.mark_progress(message_id, meta)

        await self.dispatcher.engine.run(record)

    def finish(self) -> None:
        if not self.started:
            self.started = True
            self.dispatcher._starting -= 1


class Dispatcher:
    """Sends one channel's outbox rows (see the module docstring)."""

    def __init__(
        self,
        engine: Engine,
        sender: Sender,
        limits: Limits | None = None,
        *,
        leader: Callable[[str], AbstractAsyncContextManager[None]] | None = None,
    ) -> None:
        self.engine = engine
        self.sender = sender
        self.channel = sender.channel
        self.limits = limits or Limits()
        self.pacer = Pacer(self.limits)
        # Several workers on one database: only the elected one sends this channel.
        self._leader = leader
        self._chats: dict[str, _Chat] = {}
        self._known: set[int] = set()  # outbox ids held here (queued or in flight)
        self._tasks: dict[asyncio.Task[None], _Chat] = {}  # sends in flight
        self._starting = 0  # sends started that have not asked the pacer yet
        # How long a started send takes to ask the pacer (its claim, a window check…): sends
        # are started that much before their slot, so the slot is not lost waiting for them.
        self._startup: deque[float] = deque(maxlen=64)
        self._attempts = 0
        self._dirty = True  # the store may have rows we have not loaded
        self._full = True  # …of any age: read everything due
        self._seen = 0  # every row up to this id was in the store at a load
        self._refill: set[str] = set()  # chats that sent what they held and have more
        self._wake = asyncio.Event()
        self._task = Background(f"dispatcher-{self.channel}")
        engine.on_commit(self.wake)

    def wake(self, channels: set[str]) -> None:
        """New rows for these channels were committed (here or by another worker)."""
        if self.channel in channels or "*" in channels:
            self._dirty = True
            self._wake.set()

    # kept for callers of the earlier name
    _on_commit = wake

    def _now(self) -> float:
        return self.engine.services.clock.now()

    # --- loading -----------------------------------------------------------------------------
    async def _load(self, *, full: bool = False) -> None:
        """Read due rows into the chats' queues: every one (`full`, when owed, or where ids
        do not follow commits), else the next rows of the chats waiting for a refill and the
        rows committed since the last load."""
        full = full or self._full
        refill, self._refill = self._refill, set()
        self._dirty = self._full = False
        limits = self.limits

        async def due(tx: Tx) -> tuple[bool, int, list[Outgoing], list[Any]]:
            # The time inside the writer: rows written earlier in this batch were stamped
            # with its time, not with the time this load was asked for.
            now = self._now()
            outbox = tx.outbox
            top = await outbox.last_id() if outbox.ids_follow_commits else 0
            if full or not outbox.ids_follow_commits:
                rows = await outbox.due(
                    self.channel, now, limit=limits.load_rows, per_chat=limits.load_per_chat
                )
                return True, top, rows, []
            rows = []
            for address in refill:
                rows += await outbox.due(
                    self.channel, now, limit=limits.load_per_chat, address=address
                )
            new = await outbox.new_since(self.channel, now, self._seen, limit=limits.load_rows)
            return False, top, rows, new

        try:
            whole, top, rows, new = await self.engine.run(due)
        except BaseException:
            self._full, self._refill = full, refill | self._refill  # still owed
            raise
        per_chat: dict[str, int] = {}
        for message in rows:
            per_chat[message.address] = per_chat.get(message.address, 0) + 1
            if message.id not in self._known:
                self._queue(message)
        for address, n in per_chat.items():
            if n >= limits.load_per_chat:
                self._chats[address].more = True
        later = [message.id for message, _before, due in new if not due]
        for message, before, due in new:
            if message.id in self._known or not due:
                continue  # not due yet: read again (below) until it is
            chat = self._chats.get(message.address)
            if (before is None or before in self._known) and (
                chat is None or (not chat.more and len(chat.queue) < limits.load_per_chat)
            ):
                self._queue(message)  # right behind what the chat holds
                continue
            # An older row of this chat is still in the store: this one comes with it, once
            # the chat has sent what it holds (at once, if it holds nothing).
            chat = self._chat(message.address)
            chat.more = True
            if not chat.queue:
                self._refill.add(chat.address)
                self._dirty = True
        if whole and len(rows) >= limits.load_rows:
            self._dirty = self._full = True  # more than we loaded: the rest next
        elif len(new) >= limits.load_rows:
            self._seen = min([new[-1][0].id, *(i - 1 for i in later)])
            self._dirty = True  # the rest of what is new, next
        else:
            # Ids follow commits, so every row committed from now on is above `top`. (A row
            # deleted with its contact may hand its id to the next row: the periodic full load
            # finds that one.) A row not due yet is read again by each load until it is.
            self._seen = min([top, *(i - 1 for i in later)])

    def _chat(self, address: str) -> _Chat:
        chat = self._chats.get(address)
        if chat is None:
            chat = self._chats[address] = _Chat(address, self.pacer.chat_limiter())
        return chat

    def _queue(self, message: Outgoing) -> None:
        chat = self._chat(message.address)
        ids = [m.id for m in chat.queue]
        chat.queue.insert(bisect.bisect(ids, message.id), message)
        self._known.add(message.id)

    def _forget_idle(self) -> None:
        now = self.pacer.clock()
        for address in [
            a
            for a, c in self._chats.items()
            if not c.queue
            and not c.busy
            and c.limiter.idle(now)
            and now - c.last_call > 4 * HALF_LIFE
        ]:
            del self._chats[address]

    # --- scheduling --------------------------------------------------------------------------
    def _ready(self, chat: _Chat, now: float, soon: float) -> bool:
        return (
            not chat.busy
            and bool(chat.queue)
            and chat.not_before <= now
            and chat.limiter.ready_at() <= soon
        )

    def _launch(self, *, lead: float) -> int:
        """Start sends while the bot's limit allows one within `lead` seconds."""
        started = 0
        while len(self._tasks) < self.limits.concurrency:
            soon = self.pacer.clock() + lead
            if self.pacer.backlog() + self._starting * self.pacer.bot.interval > soon:
                break
            now = self._now()
            ready = [c for c in self._chats.values() if self._ready(c, now, soon)]
            if not ready:
                break
            clock = self.pacer.clock()
            chat = min(ready, key=lambda c: c.key(clock))
            chat.busy = True
            self._starting += 1
            task = asyncio.create_task(
                self._serve(chat, self.pacer.clock()), name=f"send-{self.channel}"
            )
            self._tasks[task] = chat
            task.add_done_callback(self._done)
            started += 1
        return started

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.pop(task, None)
        if not task.cancelled() and task.exception() is not None:
            log.error("%s send task failed", self.channel, exc_info=task.exception())
        self._wake.set()

    def _next_event(self, idle: float, lead: float) -> float:
        """Seconds until a send may be started (`lead` before its slot), if nothing wakes us."""
        clock = self.pacer.clock()
        candidates = [idle]
        if len(self._tasks) < self.limits.concurrency:
            now = self._now()
            bot_at = self.pacer.backlog() + self._starting * self.pacer.bot.interval
            for chat in self._chats.values():
                if chat.busy or not chat.queue:
                    continue
                at = max(chat.limiter.ready_at(), bot_at)
                if chat.not_before > now:
                    at = max(at, clock + (chat.not_before - now))
                candidates.append(at - lead - clock)
        return max(0.002, min(candidates))

    async def _serve(self, chat: _Chat, launched: float) -> None:
        message = chat.queue[0]
        attempt: _PacedAttempt | None = None
        try:
            now = self._now()

            async def claim(tx: Tx) -> Outgoing | None:
                return await tx.outbox.claim(message.id, now)

            try:
                fresh = await self.engine.run(claim)
            except Exception:
                log.exception("could not claim outbox message %s", message.id)
                chat.not_before = now + 1.0  # the store is in trouble: not in a tight loop
                return
            if fresh is None:  # sent, dropped or deleted meanwhile, or another worker's
                self._pop(chat, message)
                return
            attempt = chat.attempt = _PacedAttempt(self, chat, fresh, launched)
            self._attempts += 1
            outcome = await self._deliver(fresh, attempt)
            if outcome is None or outcome is _DROP:  # sent, or failed for good
                self._pop(chat, message)
            elif outcome is _BLOCKED:
                for m in chat.queue:
                    self._known.discard(m.id)
                chat.queue.clear()
                chat.more = True
            else:  # retry: the row stays at the head of its chat
                chat.queue[0] = fresh
                chat.not_before = outcome
                chat.more = True  # the store holds the chat's newer rows back behind it
        finally:
            if attempt is None:
                self._starting -= 1
            else:
                attempt.finish()
            chat.busy = False
            chat.attempt = None
            if not chat.queue and chat.more:
                chat.more = False
                self._refill.add(chat.address)
                self._dirty = True

    def _pop(self, chat: _Chat, message: Outgoing) -> None:
        if chat.queue and chat.queue[0].id == message.id:
            chat.queue.popleft()
        self._known.discard(message.id)

    async def _deliver(self, message: Outgoing, attempt: _PacedAttempt) -> Any:
        """Send and record the outcome: None (sent), _DROP, _BLOCKED, or the retry time."""
        try:
            sent = await self.sender.send(message, attempt)
        except SendError as exc:
            return await self._failed(message, attempt, exc)
        except TimeoutError:
            timeout = self.limits.send_timeout
            return await self._failed(message, attempt, SendError(f"timed out after {timeout}s"))
        except Exception as exc:  # a bug or an unexpected library error: retry, don't lose
            log.exception("sending outbox message %s failed", message.id)
            return await self._failed(message, attempt, SendError(f"{type(exc).__name__}: {exc}"))
        now = self._now()

        async def done(tx: Tx) -> None:
            await tx.outbox.mark_sent(message.id, now, sent.provider_id)

        await self.engine.run(done)
        return None

    def _scope(self, attempt: _PacedAttempt, exc: SendError) -> RetryScope:
        if exc.scope is not None:
            return exc.scope
        # The platform did not say whose limit it was. A chat that got nothing within its own
        # per-chat interval before this call cannot have exceeded its own limit.
        interval = 1.0 / self.limits.per_chat_per_second
        if attempt.chat.last_call - attempt.previous_call < interval:
            return RetryScope.CHAT
        return RetryScope.BOT

    async def _failed(self, message: Outgoing, attempt: _PacedAttempt, exc: SendError) -> Any:
        now = self._now()
        attempts = message.attempts + 1
        outcome: Any
        limited = exc.retry_after is not None and not exc.permanent
        if limited and self._scope(attempt, exc) is RetryScope.BOT:
            self.pacer.pause(self.pacer.clock() + exc.retry_after)
            log.warning("%s: 429 for the whole bot, pause %.1fs", self.channel, exc.retry_after)

        async def record(tx: Tx) -> Any:
            if exc.blocked:
                await tx.outbox.mark_failed(message.id, f"blocked: {exc}")
                if message.contact_id is not None:
                    await tx.contacts.mark_unreachable(message.contact_id, now)
                    await tx.outbox.drop_pending_for(
                        message.contact_id, "recipient blocked the bot"
                    )
                result: Any = _BLOCKED
            elif exc.permanent or (
                exc.retry_after is None and attempts >= self.limits.max_attempts
            ):
                await tx.outbox.mark_failed(message.id, str(exc))
                result = _DROP
            else:
                if exc.retry_after is not None:
                    delay = exc.retry_after
                else:
                    delay = _backoff(self.limits, attempts)
                await tx.outbox.mark_retry(message.id, now + delay, str(exc))
                return float(now + delay)
            await delivery_failed(
                tx,
                message,
                now,
                self.engine.services,
                failure=exc.reason or "failed",
                error=str(exc),
            )
            return result

        outcome = await self.engine.run(record)
        if isinstance(outcome, float):
            message.attempts = attempts
        return outcome

    # --- running -----------------------------------------------------------------------------
    async def run_once(self) -> int:
        """Send everything due now, and wait for it: the sends each chat can make in order
        (a chat stops at a failure; its retry waits for its time). Returns sends attempted."""
        before = self._attempts
        await self._load(full=True)
        while True:
            self._launch(lead=math.inf)
            if not self._tasks:
                break
            await asyncio.wait(set(self._tasks), return_when=asyncio.FIRST_COMPLETED)
            if self._dirty:
                await self._load()
        return self._attempts - before

    async def run(self, idle: float = 5.0) -> None:
        """Send continuously; load from the store when woken, when a chat's loaded rows run
        out, and every `idle` seconds (retries come due, another worker's rows)."""
        next_load = 0.0
        loop = asyncio.get_running_loop()
        try:
            while True:
                self._wake.clear()
                full = loop.time() >= next_load
                if self._dirty or full:
                    try:
                        await self._load(full=full)
                    except Exception:
                        log.exception("%s dispatcher could not load the outbox", self.channel)
                        self._dirty = False
                    if full:
                        next_load = loop.time() + idle
                        self._forget_idle()
                lead = self._lead_time()
                self._launch(lead=lead)
                wait = min(self._next_event(idle, lead), max(0.005, next_load - loop.time()))
                # asyncio.timeout, not wait_for: on Python 3.11 wait_for swallows a cancel
                # that arrives as the wake-up does, and stop() then waited for ever.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(wait):
                        await self._wake.wait()
        finally:
            await self._drain()

    async def _drain(self) -> None:
        """Stopping: sends waiting for a slot are dropped (their rows stay pending); sends at
        the platform are given time to end and be recorded, so a clean stop repeats nothing."""
        for task, chat in list(self._tasks.items()):
            if chat.attempt is None or chat.attempt.waiting:
                task.cancel()
        tasks = list(self._tasks)
        if tasks:
            _done, late = await asyncio.wait(tasks, timeout=min(self.limits.send_timeout, 10.0))
            for task in late:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    def _lead_time(self) -> float:
        if not self._startup:
            return 0.05
        recent = sorted(self._startup)
        return min(0.5, max(0.02, 1.5 * recent[int(len(recent) * 0.9)]))

    async def _lead(self) -> None:
        if self._leader is None:
            await self.run()
            return
        async with self._leader(f"outbox:{self.channel}"):
            log.info("this worker now sends %s", self.channel)
            self._dirty = self._full = True
            await self.run()

    async def start(self) -> None:
        self._task.start(self._lead)

    async def stop(self) -> None:
        await self._task.stop()


_DROP = object()  # failed for good: DeliveryFailed was emitted
_BLOCKED = object()  # the person blocked the bot: their pending rows were dropped

__all__ = [
    "Attempt",
    "Dispatcher",
    "Limits",
    "Pacer",
    "RateLimiter",
    "RetryScope",
    "SendError",
    "Sender",
    "Sent",
    "delivery_failed",
]
