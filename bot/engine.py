"""The engine: one inbound → dedupe → contact → locale → state → handler → replies → outbox.

One writer task owns the database. Messages queue up; the writer takes everything waiting
(a batch), handles each in order inside ONE transaction, and commits once — group commit, so
the cost of a commit and of the hops to the database driver is shared by the batch. Because
one writer handles messages one after another, a person's messages never interleave (the
per-contact lock is the writer itself), and a state change and its replies land together.

If a handler raises, the batch is rolled back and its messages are handled again one by one,
so one bad message cannot take others down; the bad one gets an apology and a fresh menu.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bot.background import Background
from bot.conversation import Context
from bot.i18n import _, initial_locale, set_locale
from bot.messages import Inbound, Reply
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


@dataclass
class _Job:
    future: asyncio.Future[Any]
    inbound: Inbound | None = None
    task: Callable[[Tx], Awaitable[Any]] | None = None


class Engine:
    def __init__(self, store: Store, services: Services, *, max_batch: int = 256) -> None:
        self.store = store
        self.services = services
        self.max_batch = max_batch
        self._queue: asyncio.Queue[_Job] = asyncio.Queue()
        self._writer = Background("engine-writer")
        self._listeners: list[Callable[[set[str]], None]] = []

    # --- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        self._writer.start(self._run)

    async def stop(self) -> None:
        await self._writer.stop()

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
        return await self._submit(_Job(asyncio.get_running_loop().create_future(), inbound=inbound))

    async def run(self, task: Callable[[Tx], Awaitable[T]]) -> T:
        """Run database work inside the writer's transaction (timers, delivery receipts…)."""
        return await self._submit(_Job(asyncio.get_running_loop().create_future(), task=task))

    async def _submit(self, job: _Job) -> Any:
        if not self._writer.running:
            raise RuntimeError("engine not started")
        await self._queue.put(job)
        return await job.future

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
                owner = None
            else:
                touched[contact.id] = (ctx.contact, ctx.state)
                owner = contact.id
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
