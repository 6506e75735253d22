"""The engine: one inbound → dedupe → contact → locale → state → handler → replies → outbox.

One writer task owns the database. Messages queue up; the writer takes everything waiting
(a batch), handles each in order inside ONE transaction, and commits once — group commit, so
the cost of a commit and of the hops to the database driver is shared by the batch. Because
one writer handles messages one after another, a person's messages never interleave (the
per-contact lock is the writer itself), and a state change and its replies land together.

Work that needs no transaction (checking a pasted offer…) is done before the message is
queued, in a worker thread or process (bot/prepare.py), so the writer only reads and writes and no message
of a batch waits for another's long check.

If a handler raises, the batch is rolled back and its messages are handled again one by one,
so one bad message cannot take others down; the bad one gets an apology and a fresh menu.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bot.background import Background
from bot.conversation import Context, clean_text
from bot.flood import NOTICE, FloodGate, Verdict
from bot.i18n import _, initial_locale, set_locale, use_locale
from bot.messages import Inbound, Reply
from bot.prepare import Hint, Prepared, Preparing
from bot.services import Services
from storage import Store, Tx
from storage.contacts import Contact, State
from storage.outbox import NewMessage

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class Handled:
    duplicate: bool
    contact_id: int | None = None
    replies: list[Reply] = field(default_factory=list)
    flooded: bool = False  # over the person's flood limit: acknowledged, not handled


@dataclass
class _Job:
    future: asyncio.Future[Any]
    inbound: Inbound | None = None
    task: Callable[[Tx], Awaitable[Any]] | None = None
    prepared: Prepared | None = None


# How many conversations the engine remembers the last committed locale/flow/step of, to tell
# the preparers where a message is likely to land (a hint; about 100 bytes each).
HINTS = 100_000


class Engine:
    def __init__(
        self,
        store: Store,
        services: Services,
        *,
        max_batch: int = 256,
        flood: FloodGate | None = None,
        prepare_processes: int = 0,
    ) -> None:
        self.store = store
        self.services = services
        self.max_batch = max_batch
        self.flood = flood  # bot/flood.py: asked before a message joins the writer's queue
        self._queue: asyncio.Queue[_Job] = asyncio.Queue()
        self._writer = Background("engine-writer")
        self._listeners: list[Callable[[set[str]], None]] = []
        self._hints: OrderedDict[tuple[str, str], tuple[str, str, str]] = OrderedDict()
        # per person, the last message on its way to the queue (see handle)
        self._queuing: dict[tuple[str, str], asyncio.Future[None]] = {}
        # ONE worker thread (checks are pure Python and hold the GIL, so more threads would
        # not run more of them at once), or worker processes that run them on other cores.
        self._preparing = Preparing(services, prepare_processes)

    # --- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        await self._preparing.warm()
        self._writer.start(self._run)

    async def stop(self) -> None:
        await self._writer.stop()
        self._preparing.close()

    async def __aenter__(self) -> Engine:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def on_commit(self, listener: Callable[[set[str]], None]) -> None:
        """Called after each commit with the channels that got new outbox rows."""
        self._listeners.append(listener)

    def notify(self, channels: set[str]) -> None:
        """Tell the dispatchers that work run through `run()` queued messages."""
        for listener in self._listeners:
            listener(channels)

    # --- the two ways in ---------------------------------------------------------------------
    async def handle(self, inbound: Inbound) -> Handled:
        """Handle one message; returns once its effects are committed."""
        if self.flood is not None:
            verdict = self.flood.admit(inbound.channel, inbound.address)
            if verdict is not Verdict.ADMIT:
                if verdict is Verdict.SKIP_AND_TELL:
                    await self.run(lambda tx: _flood_notice(tx, inbound, self.services.clock.now()))
                    self.notify({inbound.channel})
                return Handled(duplicate=False, flooded=True)
        # A person's messages join the writer's queue in the order they came, however long
        # each one's preparation takes: "menu" sent right after a pasted offer must not
        # overtake it. Each waits for the one before it of the same person to be queued.
        loop = asyncio.get_running_loop()
        person = (inbound.channel, inbound.address)
        before = self._queuing.get(person)
        queued: asyncio.Future[None] = loop.create_future()
        self._queuing[person] = queued
        try:
            prepared = await self.prepare(inbound)
            if before is not None:
                await asyncio.shield(before)
            job = _Job(loop.create_future(), inbound=inbound, prepared=prepared)
            self._enqueue(job)
        finally:
            queued.set_result(None)
            if self._queuing.get(person) is queued:
                del self._queuing[person]
        return await job.future

    async def prepare(self, inbound: Inbound) -> Prepared | None:
        """The pure results the preparers want for this message, computed off the writer."""
        preparers = self.services.router.preparers
        if not preparers:
            return None
        hint = self.hint(inbound)
        wanted = [p for p in preparers if p.wants(hint)]
        if not wanted:
            return None
        return await self._preparing.run(wanted, hint)

    def hint(self, inbound: Inbound) -> Hint:
        text = clean_text(inbound.text)
        known = self._hints.get((inbound.channel, inbound.address))
        if known is None:
            locale, flow, step = initial_locale(inbound.locale_hint, text), None, None
        else:
            locale, flow, step = known
        return Hint(text, locale, flow, step, forwarded=inbound.forwarded)

    def _remember(self, key: tuple[str, str], locale: str, state: State) -> None:
        self._hints[key] = (locale, state.flow, state.step)
        self._hints.move_to_end(key)
        if len(self._hints) > HINTS:
            self._hints.popitem(last=False)

    async def run(self, task: Callable[[Tx], Awaitable[T]]) -> T:
        """Run database work inside the writer's transaction (timers, delivery receipts…)."""
        return await self._submit(_Job(asyncio.get_running_loop().create_future(), task=task))

    async def _submit(self, job: _Job) -> Any:
        self._enqueue(job)
        return await job.future

    def _enqueue(self, job: _Job) -> None:
        if not self._writer.running:
            raise RuntimeError("engine not started")
        self._queue.put_nowait(job)  # unbounded: never waits

    # --- the writer --------------------------------------------------------------------------
    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self.max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                results, channels = await self._transaction(batch)
            except Exception:
                log.exception("batch of %d failed; handling its messages one by one", len(batch))
                results, channels = await self._one_by_one(batch)
            for job, result in zip(batch, results, strict=True):
                if job.future.done():
                    continue
                if isinstance(result, BaseException):
                    job.future.set_exception(result)
                else:
                    job.future.set_result(result)
            if channels:
                self.notify(channels)

    async def _one_by_one(self, batch: list[_Job]) -> tuple[list[Any], set[str]]:
        results: list[Any] = []
        channels: set[str] = set()
        for job in batch:
            try:
                (result,), ch = await self._transaction([job])
                channels |= ch
            except Exception as exc:
                if job.inbound is None:
                    result = exc
                else:
                    log.exception("message %s failed", job.inbound.external_id)
                    try:
                        (result,), ch = await self._transaction([job], failed=True)
                        channels |= ch
                    except Exception as again:
                        result = again
            results.append(result)
        return results, channels

    async def _transaction(
        self, batch: list[_Job], failed: bool = False
    ) -> tuple[list[Any], set[str]]:
        async with self.store.transaction() as tx:
            return await self._handle(tx, batch, failed)

    async def _handle(self, tx: Tx, batch: list[_Job], failed: bool) -> tuple[list[Any], set[str]]:
        now = self.services.clock.now()
        inbound_jobs = [j.inbound for j in batch if j.inbound is not None]
        keys = [(m.channel, m.external_id) for m in inbound_jobs]
        already = await tx.inbound.seen(keys)
        people = await tx.contacts.load_many(list({(m.channel, m.address) for m in inbound_jobs}))

        results: list[Any] = []
        new_keys: list[tuple[str, str]] = []
        touched: dict[int, tuple[Contact, State]] = {}
        outgoing: list[NewMessage] = []
        focus: dict[int, State] = {}  # conversations moved by messages to other people
        for job in batch:
            if job.task is not None:
                results.append(await job.task(tx))
                continue
            inbound = job.inbound
            assert inbound is not None
            key = (inbound.channel, inbound.external_id)
            if key in already:
                results.append(Handled(duplicate=True))
                continue
            already.add(key)
            new_keys.append(key)

            person = people.get((inbound.channel, inbound.address))
            is_new = person is None
            if person is None:
                contact = await tx.contacts.create(
                    inbound.channel,
                    inbound.address,
                    initial_locale(inbound.locale_hint, inbound.text),
                    now,
                )
                person = (contact, None)
            contact, state = person
            if state is None:
                state = State()
            people[(inbound.channel, inbound.address)] = (contact, state)
            contact.last_inbound_at = now
            contact.unreachable_at = None  # writing to us again means they unblocked the bot
            set_locale(contact.locale)

            ctx = Context(
                inbound=inbound,
                contact=contact,
                state=state,
                tx=tx,
                services=self.services,
                now=now,
                is_new=is_new,
                prepared=job.prepared or Prepared(),
            )
            if failed:
                ctx.state.flow, ctx.state.step, ctx.state.data = "menu", "start", {}
                ctx.say(
                    _("Sorry, something went wrong on our side. Let's start again from the menu.")
                )
                await ctx.services.router.run_step(ctx)
            else:
                await self.services.router.dispatch(ctx)

            locale = ctx.contact.locale or "id"
            if ctx.forgotten:  # the person asked us to erase them: keep nothing, still answer
                touched.pop(contact.id, None)
                people.pop((inbound.channel, inbound.address), None)
                self._hints.pop((inbound.channel, inbound.address), None)
                owner = None
            else:
                touched[contact.id] = (ctx.contact, ctx.state)
                owner = contact.id
                # a hint only (a rolled-back batch leaves it ahead of the database): see prepare
                self._remember((inbound.channel, inbound.address), locale, ctx.state)
            outgoing.extend(
                NewMessage(owner, inbound.channel, inbound.address, locale, r) for r in ctx.replies
            )
            outgoing.extend(ctx.post.messages)
            focus.update(ctx.post.focus)
            results.append(
                Handled(duplicate=False, contact_id=contact.id, replies=list(ctx.replies))
            )

        await tx.inbound.record(new_keys, now)
        for cid, moved in focus.items():
            if cid in touched:  # the recipient also wrote in this batch: move the state in memory
                state = touched[cid][1]
                state.flow, state.step, state.data = moved.flow, moved.step, moved.data
                state.choices = moved.choices
        states = [(cid, s) for cid, (_c, s) in touched.items()]
        states += [(cid, s) for cid, s in focus.items() if cid not in touched]
        if touched:
            await tx.contacts.save_many([c for c, _s in touched.values()])
        if states:
            await tx.contacts.save_states(states, now)
        if outgoing:
            await tx.outbox.add_many(outgoing, now)
        return results, {m.channel for m in outgoing}


async def _flood_notice(tx: Tx, inbound: Inbound, now: float) -> None:
    """Tell a flooding person, in their language, that messages were skipped."""
    contact = await tx.contacts.find(inbound.channel, inbound.address)
    locale = (contact.locale if contact is not None else None) or initial_locale(
        inbound.locale_hint, inbound.text
    )
    with use_locale(locale):
        text = _(NOTICE)
    owner = contact.id if contact is not None else None
    await tx.outbox.add_many(
        [NewMessage(owner, inbound.channel, inbound.address, locale, Reply(text))], now
    )
